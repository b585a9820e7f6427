"""Plain console test events: an operator invokes a route's function from the AWS console.

Accepted shape (every key optional): ``{"<pathParam>": "...", "query": {"include[]": ["results"]},
"body": {...}, "actAs": {"kind": "user", "subject": "<user id>"}}``. Without ``actAs`` the caller is the
operator (already authorized by IAM to invoke the function). The answer says what was done.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from functions.platform.events import proxy_event
from functions.platform.principal import OPERATOR, to_context
from functions.routes import Route


def is_console_event(event: Any) -> bool:
    return isinstance(event, dict) and "httpMethod" not in event and "requestContext" not in event


def to_proxy_event(route: Route, event: dict[str, Any]) -> dict[str, Any]:
    path_source = event.get("pathParameters") or event
    # Percent-encoded as a client sends them (the route decodes each once): an id holding '/' or '%' stays whole.
    path_params = {name: quote(str(path_source.get(name, "")), safe="") for name in route.path_params}
    query = {k: v if isinstance(v, list) else [str(v)] for k, v in (event.get("query") or {}).items()}
    authorizer = event.get("actAs") or to_context(OPERATOR)
    return proxy_event(route, path_params, query=query, body=event.get("body"), authorizer=authorizer)


def summarize(route: Route, proxy: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    status = response["statusCode"]
    try:
        body = json.loads(response.get("body") or "null")
    except ValueError:
        body = response.get("body")
    outcome = "succeeded" if status < 400 else "was refused"
    return {
        "route": route.name,
        "request": f"{route.method} {proxy['path']}",
        "statusCode": status,
        "summary": f"{route.summary}: {route.method} {proxy['path']} {outcome} with HTTP {status}",
        "body": body,
    }
