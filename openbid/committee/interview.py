"""Workspace pages of the interview stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
