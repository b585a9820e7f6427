"""Plain console test events: an operator invokes a route's function from the AWS console.

Accepted shape (every key optional): ``{"<pathParam>": "...", "query": {"include[]": ["results"]},
"body": {...}, "operator": "<who is invoking>", "actAs": {"kind": "user", "subject": "<user id>"}}``.

- Without ``actAs`` the caller is the operator (already authorized by IAM to invoke the function), recorded
  as ``operator`` / the ``operator`` field's value (``console-operator`` when not given).
- With ``actAs`` the request runs with that principal's rights, and ``operator`` is required: the audit event
  records both who acted (``operator``) and as whom (the actor). Lambda does not tell a function who invoked
  it; CloudTrail's Invoke data events (when enabled) hold the IAM identity to check the name against.

The answer says what was done.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from functions.platform.events import proxy_event
from functions.platform.principal import OPERATOR, to_context
from functions.routes import Route

OPERATOR_FIELD = "operator"
# An IAM user or role session name, an email, or an ARN: what names the person at the console.
OPERATOR_NAME = re.compile(r"^[A-Za-z0-9._@+=,:/-]{1,128}$")


class ConsoleEventRefused(ValueError):
    pass


def is_console_event(event: Any) -> bool:
    return isinstance(event, dict) and "httpMethod" not in event and "requestContext" not in event


def authorizer_context(event: dict[str, Any]) -> dict[str, str]:
    """The principal the request runs as, with the operator named when acting as someone else."""
    operator = event.get(OPERATOR_FIELD)
    if operator is not None and not (isinstance(operator, str) and OPERATOR_NAME.match(operator)):
        raise ConsoleEventRefused(f'"{OPERATOR_FIELD}" must name the operator (letters, digits, ._@+=,:/-; '
                                  "at most 128 characters)")
    act_as = event.get("actAs")
    if act_as is None:
        context = to_context(OPERATOR)
        if operator:
            context["subject"] = operator
        return context
    if not isinstance(act_as, dict) or not act_as.get("kind") or not act_as.get("subject"):
        raise ConsoleEventRefused('"actAs" must be {"kind": ..., "subject": ...}')
    if not operator:
        raise ConsoleEventRefused(f'acting as someone else needs "{OPERATOR_FIELD}": the name of the operator, '
                                  "recorded with every change")
    return {**{k: str(v) for k, v in act_as.items()}, OPERATOR_FIELD: operator}


def to_proxy_event(route: Route, event: dict[str, Any]) -> dict[str, Any]:
    path_source = event.get("pathParameters") or event
    # Percent-encoded as a client sends them (the route decodes each once): an id holding '/' or '%' stays whole.
    path_params = {name: quote(str(path_source.get(name, "")), safe="") for name in route.path_params}
    query = {k: v if isinstance(v, list) else [str(v)] for k, v in (event.get("query") or {}).items()}
    return proxy_event(route, path_params, query=query, body=event.get("body"), authorizer=authorizer_context(event))


def handle(route: Route, event: dict[str, Any], resolve: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """Run a console event through the route, or refuse it (400) before anything runs."""
    try:
        proxy = to_proxy_event(route, event)
    except ConsoleEventRefused as refused:
        return {"route": route.name, "statusCode": 400, "error": str(refused),
                "summary": f"{route.summary}: refused before running: {refused}"}
    return summarize(route, proxy, resolve(proxy))


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
