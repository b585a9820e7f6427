"""Open edX routes with a request body accept JSON only; anything else is a 400 in the dialect's shape.

Powertools answers a body in another Content-Type (``text/plain``) by raising an exception the platform's
error mapping does not know, which would surface as a 500; the check happens here first, before the route.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functions.platform.errors import error_body
from functions.platform.http import JSON, RouteApp

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def refusal(content_type: str) -> str | None:
    """Why a Content-Type is refused (None: JSON, or none given, which Open edX clients treat as JSON)."""
    media = content_type.split(";")[0].strip().lower()
    if not media or media == JSON:
        return None
    return f"Content-Type {media[:80]!r} is not accepted; send the body as {JSON}"


def json_only(app: RouteApp) -> Handler:
    """``app.lambda_handler``, refusing a non-JSON body with 400 before the route runs."""
    handler = app.lambda_handler

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if isinstance(event, dict) and "httpMethod" in event:
            headers = {k.lower(): str(v) for k, v in (event.get("headers") or {}).items()}
            why = refusal(headers.get("content-type", ""))
            if why:
                body = error_body(app.dialect, 400, "invalid_input", why, "Content-Type")
                return {"statusCode": 400, "headers": {"Content-Type": JSON}, "body": json.dumps(body),
                        "isBase64Encoded": False}
        return handler(event, context)

    return lambda_handler
