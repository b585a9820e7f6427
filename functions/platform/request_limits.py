"""Limits RouteApp applies to every request before its route runs (docs/architecture.md, "Limits").

The other limits (page sizes, list lengths, string lengths) are pydantic / Powertools constraints on each
route's parameters and bodies, so they appear in the OpenAPI document as maxLength, maximum and maxItems.
"""

from __future__ import annotations

from typing import Any

from functions.platform.errors import proxy_error
from functions.routes import Route

MAX_BODY_BYTES = 256 * 1024  # far above any valid body (the largest, an item, is bounded by its model)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def added_errors(route: Route) -> set[int]:
    """Statuses RouteApp itself can answer for this route (documented with the route's own)."""
    added = {413} if route.method in BODY_METHODS else set()
    if route.takes_idempotency_key:
        added.add(409)  # 422 (key reused) is added to the OpenAPI document by infra/local/openapi.py
    return added


def body_size(event: dict[str, Any]) -> int:
    body = event.get("body")
    if not body:
        return 0
    text = str(body)
    if event.get("isBase64Encoded"):
        return len(text) * 3 // 4 - text[-2:].count("=")
    return len(text.encode("utf-8"))


def too_large(event: dict[str, Any], dialect: str) -> dict[str, Any] | None:
    """A 413 naming the limit for a body over MAX_BODY_BYTES (None: within it)."""
    size = body_size(event)
    if size <= MAX_BODY_BYTES:
        return None
    message = f"the request body is {size} bytes; at most {MAX_BODY_BYTES} bytes (256 KB) are accepted"
    return proxy_error(dialect, 413, "too_large", message, "body")
