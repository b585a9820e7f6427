"""The request's ``now``: services take it as an argument so rules are testable at any instant."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
