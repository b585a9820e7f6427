"""The local runner's HTTP front: API Gateway's part, played on 127.0.0.1.

For each request it finds the route in the registry, builds a REST proxy event and calls that route's real
``lambda_handler``, which verifies the credentials itself (there is no authorizer: functions/platform/auth.py).
Like a Lambda instance, each route handles one request at a time (Powertools resolvers hold the current event).
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import re
import threading
import time
import traceback
import uuid
from collections import deque
from typing import Any
from urllib.parse import parse_qs, urlsplit

from functions.platform import rate_limits
from functions.platform.events import proxy_event
from functions.platform.gateway import GATEWAY_HEADERS, GATEWAY_RESPONSES, gateway_body
from functions.routes import ROUTES, Route
from infra.local import oauth, openapi
from infra.local.httpd import Handler, Server

MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
# The web ACL's per-caller limits, mirrored when set: a scale factor of the deployed limits ("1": as deployed;
# `make run` sets it). Unset: none (the e2e tests and the benchmark send thousands of requests with one token).
RATE_LIMITS_ENV = "EXAMDESK_LOCAL_RATE_LIMITS"


class CallerCounts:
    """The web ACL's per-caller rules (functions/platform/rate_limits.py) on a sliding window of the same length,
    per (rule, Authorization value): over its limit a caller gets the same 429 body and Retry-After as deployed.
    Exact where WAF estimates (docs/operations.md, "Throttling")."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.seen: dict[tuple[str, str], deque[float]] = {}
        self.lock = threading.Lock()

    @classmethod
    def from_env(cls) -> CallerCounts | None:
        value = os.environ.get(RATE_LIMITS_ENV, "")
        return cls(float(value)) if value else None

    def refusal(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str] | None:
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        limit = rate_limits.limit_for(path, authorization)
        if limit is None or authorization is None:
            return None
        allowed, now = max(1, int(limit.limit * self.scale)), time.monotonic()
        with self.lock:
            seen = self.seen.setdefault((limit.name, authorization), deque())
            while seen and seen[0] <= now - rate_limits.WINDOW_SECONDS:
                seen.popleft()
            if len(seen) >= allowed:
                headers = {"Content-Type": "application/json", "Retry-After": str(rate_limits.RETRY_AFTER_SECONDS)}
                return 429, headers, json.dumps(rate_limits.throttled_body(limit.dialect))
            seen.append(now)
        return None


def _literal_first(route: Route) -> list[bool]:
    # API Gateway prefers a literal segment over a {param} at the same position: /exams/attempts beats /exams/{id}.
    return [segment.startswith("{") for segment in route.path.split("/")]


class RouteTable:
    def __init__(self, routes: tuple[Route, ...] = ROUTES) -> None:
        self.entries = [(r, re.compile("^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(r.path)) + "$"))
                        for r in sorted(routes, key=_literal_first)]
        self.locks = {r.name: threading.Lock() for r in routes}

    def resource(self, path: str) -> list[tuple[Route, dict[str, str]]]:
        """The routes of the resource this path names (the most literal one, as API Gateway's resource tree
        picks it), each with its path parameters as the client sent them: API Gateway (REST, Lambda proxy)
        passes ``path`` and ``pathParameters`` on still percent-encoded; the routes decode them once
        (functions/platform/http.py, DecodingResolver)."""
        found: list[tuple[Route, dict[str, str]]] = []
        for route, pattern in self.entries:
            matched = pattern.match(path)
            if matched and (not found or _literal_first(route) == _literal_first(found[0][0])):
                found.append((route, matched.groupdict()))
        return found

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        return next(((r, params) for r, params in self.resource(path) if r.method == method), None)

    def allowed(self, path: str) -> list[str]:
        return sorted({route.method for route, _ in self.resource(path)})


class LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = f"examdesk-{name}"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:examdesk-{name}"
        self.aws_request_id = str(uuid.uuid4())


def gateway_answer(kind: str) -> tuple[int, dict[str, str], str]:
    status, code, message = GATEWAY_RESPONSES[kind]
    headers = {"Content-Type": "application/json", **GATEWAY_HEADERS.get(kind, {})}
    return status, headers, json.dumps(gateway_body(status, code, message))


@functools.lru_cache(maxsize=1)
def _openapi_document() -> str:
    return openapi.render()


_DOCS_HEADERS = {"Content-Security-Policy": openapi.CONTENT_SECURITY_POLICY, "Cache-Control": "max-age=3600"}


@functools.lru_cache(maxsize=len(openapi.ASSETS))
def _docs_asset(path: str) -> tuple[str, str]:
    return openapi.docs_asset(path)


def dispatch(table: RouteTable, method: str, raw_path: str, headers: dict[str, str], body: bytes,
             limits: CallerCounts | None = None) -> tuple[int, dict[str, str], str]:
    url = urlsplit(raw_path)
    refused = limits.refusal(url.path, headers) if limits else None  # the web ACL runs before API Gateway
    if refused is not None:
        return refused
    if method == "GET" and url.path == "/openapi.json":
        return 200, {"Content-Type": "application/json"}, _openapi_document()
    if method == "GET" and url.path in ("/", "/docs"):
        return 200, {"Content-Type": "text/html; charset=utf-8", **_DOCS_HEADERS}, openapi.SWAGGER_UI
    if method == "GET" and url.path in openapi.ASSETS:
        text, content_type = _docs_asset(url.path)
        return 200, {"Content-Type": content_type, **_DOCS_HEADERS}, text
    # Cognito's part (infra/local/oauth.py): the token endpoint and the client-token issuer's keys.
    if url.path == oauth.TOKEN_PATH:
        return oauth.token_endpoint(method, headers, body)
    if url.path == oauth.JWKS_PATH:
        return oauth.jwks_endpoint(method)
    matched = table.match(method, url.path)
    if matched is None:
        allowed = table.allowed(url.path)
        if allowed:  # the resource exists, the method does not: 405 naming those it has (RFC 9110 15.5.6)
            message = f"{method} is not allowed here; allowed: {', '.join(allowed)}"
            return 405, {"Content-Type": "application/json", "Allow": ", ".join(allowed)}, json.dumps(
                gateway_body(405, "method_not_allowed", message))
        return gateway_answer("MISSING_AUTHENTICATION_TOKEN")
    route, path_params = matched
    if len(body) > MAX_BODY:
        return gateway_answer("REQUEST_TOO_LARGE")
    query = parse_qs(url.query, keep_blank_values=True)
    event = proxy_event(route, path_params, query=query, body=body.decode("utf-8", "replace") or None,
                        headers=headers)
    module: Any = importlib.import_module(route.import_path)
    with table.locks[route.name]:
        response = module.lambda_handler(event, LambdaContext(route.name))
    out_headers = {**(response.get("headers") or {})}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        out_headers[name] = ", ".join(values)
    return int(response["statusCode"]), out_headers, response.get("body") or ""


def make_server(host: str = "127.0.0.1", port: int = 8000, quiet: bool = False) -> Server:
    table = RouteTable()
    limits = CallerCounts.from_env()

    class RouteHandler(Handler):

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                status, headers, text = gateway_answer("REQUEST_TOO_LARGE")
                self.close_connection = True
            else:
                body = self.rfile.read(length) if length else b""
                try:
                    status, headers, text = dispatch(table, self.command, self.path, dict(self.headers.items()),
                                                     body, limits)
                except Exception:  # a crashed function: API Gateway answers 502, the trace goes to the log
                    traceback.print_exc()
                    status, headers = 502, {"Content-Type": "application/json"}
                    text = json.dumps(gateway_body(502, "bad_gateway", "the function failed"))
            payload = text.encode()
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def __getattr__(self, name: str) -> Any:
            # http.server answers a method it has no do_<METHOD> for (QUERY, TRACE, any token) with a 501 HTML
            # page; every method is served here: a route's, or a 405 with Allow, or the gateway's 404.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            if not quiet:
                super().log_message(format, *args)

    return Server((host, port), RouteHandler)
