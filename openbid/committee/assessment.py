"""Workspace pages of the assessment stage (routes on openbid.committee.blueprint.bp)."""

from __future__ import annotations
