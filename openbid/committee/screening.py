"""Workspace pages of the screening stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
