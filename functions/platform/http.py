"""RouteApp: what every route module is built on.

A route module declares its route by registry name and one function; RouteApp gives it the Powertools
resolver (validation from type hints), the dialect's error mapping, the caller's Principal (the credentials are
verified here, in the route's own process: functions/platform/auth.py), observability, and a ``lambda_handler``
that also accepts a plain console test event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.router import Router
from aws_lambda_powertools.logging import correlation_paths

from functions.core.errors import DomainError, Unauthenticated, Unavailable
from functions.core.rights import Principal
from functions.data import keys
from functions.platform import auth, console, request_limits
from functions.platform.coldstart import resume_gc
from functions.platform.errors import documented_errors, domain_error_body, error_body, proxy_error, validation_message
from functions.platform.gateway import GATEWAY_RESPONSES, gateway_body
from functions.platform.observability import count_answer, logger, metrics, tracer
from functions.platform.principal import from_context, to_context
from functions.routes import route as registry_route

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_ERRORS = (400, 401, 403, 404)
JSON = "application/json"


class DecodingResolver(APIGatewayRestResolver):
    """API Gateway (REST, Lambda proxy) hands ``path`` and ``pathParameters`` on as the client sent them, still
    percent-encoded (a client sends ``course-v1%3AedX%2BDemoX%2BDemo_Course`` for Open edX's
    ``course-v1:edX+DemoX+Demo_Course``); query strings arrive decoded. The resolver takes path parameters from
    ``path``: each is decoded exactly once here, so every route sees the value the client meant.

    A value whose decoding would hold a key separator ('#', '|': ``functions/data/keys.py``, page tokens) is
    left as sent: no id of ours holds one, and decoded it could splice into another key's parts (a course
    ``a#b`` in ``session#<course>#``). Left encoded it names nothing, and the route answers as for any unknown id."""

    def _convert_matches_into_route_keys(self, match: re.Match) -> dict[str, str]:
        return {name: _decoded(value) for name, value in match.groupdict().items()}


def _decoded(value: str) -> str:
    decoded = unquote(value)
    return value if keys.SEPARATORS & set(decoded) else decoded


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body, default=str), headers=headers)


class RouteApp:
    def __init__(self, name: str, *, errors: tuple[int, ...] = DEFAULT_ERRORS, status_code: int = 200) -> None:
        self.route = registry_route(name)
        self.dialect = self.route.dialect
        self.router = Router()
        self.errors = tuple(sorted(set(errors) | request_limits.added_errors(self.route)))
        self.status_code = status_code
        self.lambda_handler = self._instrumented()

    def __call__(self, fn: F) -> F:
        """Register ``fn`` as this route's operation (path and method come from the registry)."""
        self.router.route(
            self.route.powertools_path,
            self.route.method,
            operation_id=self.route.name,
            summary=self.route.summary,
            description=(fn.__doc__ or "").strip() or None,
            tags=[self.dialect],
            responses=self.documented_responses(),  # type: ignore[arg-type]
            status_code=self.status_code,
        )(fn)
        resume_gc()  # the route module's last line: everything it needs is loaded
        return fn

    def documented_responses(self) -> dict[int, dict[str, Any]]:
        # Powertools drops its own success entry once `responses` is given: document it here (routes answer
        # JSON built by their render modules, so its schema is left open).
        success = {"description": "Success", "content": {JSON: {"schema": {}}}}
        return {self.status_code: success, **documented_errors(self.dialect, self.errors)}

    @cached_property
    def resolver(self) -> APIGatewayRestResolver:
        resolver = DecodingResolver(enable_validation=True)
        install_error_handlers(resolver, self.dialect)
        resolver.include_router(self.router)
        return resolver

    @property
    def principal(self) -> Principal:
        request_context = self.resolver.current_event.raw_event.get("requestContext") or {}
        return from_context(request_context.get("authorizer"))

    @property
    def writes(self) -> bool:
        """Write routes may write the table; read routes have read-only access (a read shows expiry only)."""
        return self.route.access == "write"

    @property
    def request_id(self) -> str:
        return str(self.resolver.current_event.request_context.request_id)

    @property
    def headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in (self.resolver.current_event.headers or {}).items()}

    def _instrumented(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        route_name = self.route.name

        @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics(raise_on_empty_metrics=False)
        def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            logger.append_keys(route=route_name)
            if console.is_console_event(event):
                return console.handle(self.route, event, lambda proxy: self._respond(proxy, context))
            response = self._respond(event, context)
            count_answer(route_name, response["statusCode"])
            return response

        return lambda_handler

    def _respond(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """The caller's credentials, the request limits (so the idempotency layer and the route see only requests
        within them), then the route, under its Idempotency-Key when one is sent (POST/DELETE writes)."""
        if not self.route.public:
            event, refused = authenticated(event, self.dialect)
            if refused is not None:
                return refused
        refused = request_limits.refusal(event, self.dialect)
        if refused is not None:
            return refused
        if self.dialect in LAST_VALUE_DIALECTS:
            event = last_value_wins(event)
        if not self.route.takes_idempotency_key:
            return self.resolver.resolve(event, context)
        # Imported here: read routes and PUT/PATCH writes never load it (cold start, docs/performance.md).
        from functions.platform import idempotency

        key = idempotency.header_value(event)
        if key is None:
            return self.resolver.resolve(event, context)
        return idempotency.handle(self.route, event, context, key, lambda: self.resolver.resolve(event, context))


def authenticated(event: dict[str, Any], dialect: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The event with its caller in ``requestContext.authorizer`` (where the principal, idempotency and the audit
    read it), or the refusal: 401 in the shape API Gateway's own 401 has (``gateway.py``: the same body the REQUEST
    authorizer's refusals had, naming no reason), or the dialect's 503 with Retry-After when the store or the
    token issuer cannot be read. Refused before the store is asked when the header is malformed or oversized.

    An event that already names a principal there was built by whoever invoked the function with IAM rights to do
    so (a console test event's ``actAs``, a test): API Gateway sets none, as the API has no authorizer."""
    request_context = event.get("requestContext") or {}
    context = request_context.get("authorizer")
    if isinstance(context, dict) and context.get("kind") and context.get("subject"):
        return event, None
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    try:
        principal = auth.authenticate(headers.get("authorization"))
    except Unauthenticated as error:
        logger.info("credentials refused", extra={"reason": error.message})
        status, code, message = GATEWAY_RESPONSES["UNAUTHORIZED"]
        return event, {"statusCode": status, "headers": {"Content-Type": JSON},
                       "body": json.dumps(gateway_body(status, code, message)), "isBase64Encoded": False}
    except Unavailable as error:
        logger.warning("credentials could not be checked", extra={"reason": error.message})
        return event, proxy_error(dialect, error.status, error.code, error.message,
                                  headers={"Retry-After": str(Unavailable.retry_after_seconds)})
    caller = {**to_context(principal), "principalId": principal.subject}
    return {**event, "requestContext": {**request_context, "authorizer": caller}}, None


# Dialects whose peers' frameworks (Canvas: Rails; Open edX: Django) read a repeated query parameter as its last
# value. canvasapi relies on it: its PaginatedList sends ``per_page=<the caller's>&per_page=100``.
LAST_VALUE_DIALECTS = frozenset({"canvas", "openedx"})


def last_value_wins(event: dict[str, Any]) -> dict[str, Any]:
    """A query parameter given twice (not a ``name[]`` list) takes its last value."""
    multi = event.get("multiValueQueryStringParameters") or {}
    repeated = {name: [values[-1]] for name, values in multi.items()
                if isinstance(values, list) and len(values) > 1 and not name.endswith("[]")}
    if not repeated:
        return event
    single = {**(event.get("queryStringParameters") or {}), **{name: v[0] for name, v in repeated.items()}}
    return {**event, "multiValueQueryStringParameters": {**multi, **repeated}, "queryStringParameters": single}


def install_error_handlers(resolver: APIGatewayRestResolver, dialect: str) -> None:
    @resolver.exception_handler(DomainError)
    def domain_error(error: DomainError) -> Response:
        headers = {"Retry-After": str(Unavailable.retry_after_seconds)} if isinstance(error, Unavailable) else None
        logger.info("request refused", extra={"status": error.status, "code": error.code, "reason": error.message})
        return json_response(error.status, domain_error_body(dialect, error), headers)

    @resolver.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response:
        message, field = validation_message(list(error.errors()))
        return json_response(400, error_body(dialect, 400, "invalid_input", message, field))

    @resolver.exception_handler(RequestUnsupportedContentType)
    def unsupported_media(_: RequestUnsupportedContentType) -> Response:
        content_type = resolver.current_event.headers.get("content-type", "")
        message = f"unsupported content type {content_type!r}; send application/json"
        return json_response(415, error_body(dialect, 415, "unsupported_media_type", message, "Content-Type"))

    @resolver.not_found
    def no_route(_: Exception) -> Response:
        # API Gateway matched this function's route already: the resolver's path pattern refused a path
        # parameter's raw characters ('"', '\\', '`', controls...), which no id of ours has: no such resource.
        event = resolver.current_event
        message = f"the path {event.path!r} has characters that no {event.http_method} route parameter accepts"
        return json_response(404, error_body(dialect, 404, "not_found", message, "path"))

    @resolver.exception_handler(Exception)
    def unexpected(error: Exception) -> Response:
        # Never a stack trace to the caller: log it with the correlation id and answer with that id.
        logger.exception("unhandled error")
        request_id = resolver.current_event.request_context.request_id
        message = f"internal error; quote request id {request_id} when reporting it"
        return json_response(500, error_body(dialect, 500, "internal_error", message))

    @resolver.exception_handler(ValueError)
    def malformed_multipart(error: ValueError) -> Response:
        # Powertools parses a multipart body itself and raises a bare ValueError on a malformed one (no
        # boundary): the caller's unsupported content type (415, as for any other), not a 500. Others are ours.
        content_type = str(resolver.current_event.headers.get("content-type", "") or "")
        if not content_type.lower().startswith("multipart/"):
            return unexpected(error)
        message = f"unsupported content type {content_type!r}; send application/json"
        return json_response(415, error_body(dialect, 415, "unsupported_media_type", message, "Content-Type"))
