"""The fewest DynamoDB requests each route's access pattern allows, and why (filled in below)."""

from __future__ import annotations

MINIMUMS: dict[str, tuple[int, str]] = {}
