"""Contract tests share the e2e fixture: the local runner on DynamoDB Local with the demo data."""

from __future__ import annotations

from tests.e2e.conftest import api  # noqa: F401
