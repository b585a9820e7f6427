"""Invoking a route's real ``lambda_handler`` with an API Gateway proxy event (as the tests' ``call()``)."""

from __future__ import annotations

import importlib
import json
from typing import Any

from functions.platform.events import proxy_event
from functions.routes import route


class Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    aws_request_id = "bench-request"


def user(uid: str) -> dict[str, str]:
    return {"kind": "user", "subject": uid, "keyCourses": "", "keyRights": ""}


def invoke(name: str, path: dict[str, str] | None = None, *, caller: str | None = None,
           query: dict[str, list[str]] | None = None, body: Any = None,
           headers: dict[str, str] | None = None) -> tuple[int, Any]:
    r = route(name)
    event = proxy_event(r, path or {}, query=query, body=body, headers=headers,
                        authorizer=user(caller) if caller else None)
    response = importlib.import_module(r.import_path).lambda_handler(event, Context())
    return int(response["statusCode"]), json.loads(response.get("body") or "null")
