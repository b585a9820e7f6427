"""``Idempotency-Key`` on write routes (POST and DELETE): Powertools idempotency, persisted in the one table.

Powertools' idempotency utility is imported inside ``handle``, i.e. only when a request carries the header:
no other request (and no cold start) pays for loading it. A record is one item
``{id: idempotency#<route>#<caller>#<sha256(key)>, sk: idempotency}`` (``functions/data/keys.py``) holding the
status, the first answer, a hash of the request (method, path, query, body) and its expiry in the table's TTL
attribute.

- The first request with a key: a conditional PutItem (IN_PROGRESS), the route, then an UpdateItem storing
  the answer (2xx only). A refused answer (4xx, 5xx) is not kept: a DeleteItem removes the record, so a retry
  runs again (a 409 or 503 is meant to be retried; a 404 may not be one later).
- A retry with the same key and request: that PutItem fails and returns the stored item; the first answer is
  replayed (same status and body, plus ``Idempotent-Replayed: true``) and the route does not run.
- The same key with a different request: 422. While the first is still running: 409 with Retry-After.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from functions.core.errors import Unauthenticated
from functions.data import dynamo, keys
from functions.platform.errors import proxy_error
from functions.platform.observability import logger
from functions.platform.principal import from_context
from functions.routes import Route

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # visible ASCII, no spaces: UUIDs, ULIDs and the like
EXPIRES_AFTER_SECONDS = 24 * 60 * 60  # a key is remembered for a day (DynamoDB TTL then deletes the record)
FUNCTION_TIMEOUT_MS = 10_000  # infra/constructs/function.py: an IN_PROGRESS record outlives no invocation
RETRY_AFTER_SECONDS = 1

_KEY = re.compile(KEY_PATTERN)

Handler = Callable[[], dict[str, Any]]


def header_value(event: dict[str, Any]) -> str | None:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER.lower():
            return str(value)
    return None


@lru_cache(maxsize=1)
def _store_class() -> type:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    class SingleTableStore(DynamoDBPersistenceLayer):
        """Powertools' DynamoDB layer with our key shape: the hashed key in ``id`` and a constant ``sk``.
        (Powertools' own composite layout puts every record of a function in one partition: a hot key.)"""

        def _get_key(self, idempotency_key: str) -> dict:
            return {name: {"S": value} for name, value in keys.idempotency_key(idempotency_key).items()}

    return SingleTableStore


class _Refused(Exception):
    """Raised inside the idempotent function for an answer that must not be kept (so Powertools deletes the
    IN_PROGRESS record); carries the answer out to the caller."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(response.get("statusCode"))
        self.response = response


class _Budget:
    """A Lambda context's remaining time where the caller's context has none (tests, the local runner)."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return FUNCTION_TIMEOUT_MS


def handle(route: Route, event: dict[str, Any], context: Any, key: str, resolve: Handler) -> dict[str, Any]:
    """The route's answer for ``event`` under ``key``: the stored one, or a fresh one (stored when 2xx)."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyInconsistentStateError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    if not _KEY.match(key):
        message = f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters (no spaces)"
        return proxy_error(route.dialect, 400, "invalid_input", message, HEADER)
    caller = _caller(route, event)
    if caller is None:
        return resolve()  # no principal: the route itself answers 401, nothing to remember
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
        hash_function="sha256",
        raise_on_no_idempotency_key=True,
        response_hook=_replayed,
    )
    budget: Any = context if hasattr(context, "get_remaining_time_in_millis") else _Budget()
    config.register_lambda_context(budget)
    store = _store_class()(
        table_name=dynamo.table_name(),
        key_attr=keys.PK,
        sort_key_attr=keys.SK,
        expiry_attr=keys.TTL_ATTRIBUTE,
        boto3_client=dynamo.client(),
    )

    @idempotent_function(data_keyword_argument="data", persistence_store=store, config=config,
                         key_prefix=keys.idempotency_prefix(route.name, caller))
    def run(data: dict[str, Any]) -> dict[str, Any]:
        response = answered["response"] = resolve()
        if not 200 <= int(response["statusCode"]) < 300:
            raise _Refused(response)
        return response

    dialect = route.dialect
    answered: dict[str, dict[str, Any]] = {}
    try:
        return dict(run(data={"key": key, "request": _request(event)}))
    except _Refused as refused:
        return refused.response
    except IdempotencyValidationError:
        message = (f"{HEADER} {key[:80]!r} was already used with a different request to this route (method, "
                   "path, query or body differ); send a new key for a new request")
        return proxy_error(dialect, 422, "idempotency_key_reused", message, HEADER)
    except IdempotencyAlreadyInProgressError:
        message = (f"a request with {HEADER} {key[:80]!r} is still in progress; retry after "
                   f"{RETRY_AFTER_SECONDS} s to get its answer")
        return proxy_error(dialect, 409, "idempotency_in_progress", message, HEADER,
                           {"Retry-After": str(RETRY_AFTER_SECONDS)})
    except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError):
        logger.warning("idempotency store unavailable", exc_info=True)
        if "response" in answered:  # the route ran (and wrote): its answer stands; only the replay is lost
            return answered["response"]
        message = "the store is busy; retry shortly"
        return proxy_error(dialect, 503, "unavailable", message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _caller(route: Route, event: dict[str, Any]) -> str | None:
    """Whom the key belongs to: the authorizer's principal, or for a public (signed) route the signature."""
    if route.public:
        headers = {k.lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        signed = sorted((k, v) for k, v in headers.items() if k == "authorization" or k.endswith("-signature"))
        if not signed:
            return "anonymous"
        return "signed:" + hashlib.sha256(json.dumps(signed).encode()).hexdigest()[:32]
    try:
        principal = from_context((event.get("requestContext") or {}).get("authorizer"))
    except Unauthenticated:
        return None
    return f"{principal.kind}:{principal.subject}"


def _request(event: dict[str, Any]) -> dict[str, Any]:
    """What must be the same for a retry: method, path, query and body (JSON compared by value)."""
    body: Any = event.get("body")
    if body and event.get("isBase64Encoded"):
        with contextlib.suppress(binascii.Error, ValueError):
            body = base64.b64decode(str(body)).decode("utf-8", "replace")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    query = event.get("multiValueQueryStringParameters") or {
        k: [v] for k, v in (event.get("queryStringParameters") or {}).items()}
    return {"method": event.get("httpMethod"), "path": event.get("path"), "query": query, "body": body}


def _replayed(response: dict[str, Any], idempotent_data: Any) -> dict[str, Any]:
    multi = response.get("multiValueHeaders")
    if isinstance(multi, dict):
        multi[REPLAYED_HEADER] = ["true"]
    else:
        response["headers"] = {**(response.get("headers") or {}), REPLAYED_HEADER: "true"}
    return response

