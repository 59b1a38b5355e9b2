"""Workspace pages of the planning stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
