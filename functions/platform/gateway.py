"""Answers API Gateway gives by itself, before any route runs (configured by CDK, mirrored locally).

They cannot know the route's dialect, so one body serves all: it carries Open edX's ``error`` / ``message``
/ ``status_code`` and Canvas's ``errors`` list.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class GatewayMessage(BaseModel):
    message: str


class GatewayError(BaseModel):
    error: str
    message: str
    status_code: int
    errors: list[GatewayMessage]


def gateway_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": code, "message": message, "status_code": status, "errors": [{"message": message}]}


# API Gateway response type -> (status, code, message)
GATEWAY_RESPONSES: dict[str, tuple[int, str, str]] = {
    # The routes answer their own 401 with this body (functions/platform/http.py, ``authenticated``): the one the
    # REQUEST authorizer's refusals had, so clients see no change; it names no reason (the log has it).
    "UNAUTHORIZED": (401, "unauthorized", "credentials are missing or not valid"),
    "ACCESS_DENIED": (403, "forbidden", "access denied"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not_found", "no such route"),  # API Gateway's answer to unknown paths
    "REQUEST_TOO_LARGE": (413, "too_large", "the request body is larger than 10 MB"),
    "THROTTLED": (429, "throttled", "too many requests; retry shortly"),
    # A route that did not answer within API Gateway's 29 s: its own 504, not hidden in DEFAULT_5XX's 503.
    "INTEGRATION_TIMEOUT": (504, "timeout", "the request took too long; it may have completed, check before retrying"),
    "DEFAULT_5XX": (503, "unavailable", "the service is unavailable; retry shortly"),
}
RETRY_AFTER_SECONDS = 1  # as functions/core/errors.py Unavailable
GATEWAY_HEADERS: dict[str, dict[str, str]] = {
    kind: {"Retry-After": str(RETRY_AFTER_SECONDS)} for kind in ("THROTTLED", "DEFAULT_5XX")
}
