"""API Gateway REST proxy events, built in one place for the local runner, tests and console invocations."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from functions.routes import Route


def proxy_event(
    route: Route,
    path_params: dict[str, str],
    *,
    query: dict[str, list[str]] | None = None,
    body: str | dict | list | None = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    path = route.path
    for name, value in path_params.items():
        path = path.replace("{" + name + "}", value)
    query = query or {}
    raw_body = body if body is None or isinstance(body, str) else json.dumps(body)
    headers = {"Content-Type": "application/json", **(headers or {})}
    request_id = request_id or str(uuid.uuid4())
    return {
        "resource": route.path,
        "path": path,
        "httpMethod": route.method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": route.method,
            "path": f"/local{path}",
            "stage": "local",
            "requestId": request_id,
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": authorizer,
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }
