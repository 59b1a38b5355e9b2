"""Workspace pages of the announcement stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
