"""Workspace pages of the appointment stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
