"""The DynamoDB client (created lazily: moto must start first and OpenAPI generation imports every route
with an empty environment), value conversion, and the translation of AWS errors to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as EndpointUnreachable

from functions.core.errors import ConcurrentUpdate, Conflict, Unavailable
from functions.platform.settings import settings

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionInProgressException",
}
# The codes a cancelled transaction gives per item (CancellationReasons) are spelt differently.
TRANSIENT_REASONS = {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded",
                     "InternalServerError", "ServiceUnavailable"}
# A cancelled transaction's reason for an operation whose condition did not hold.
CONDITION_FAILED = "ConditionalCheckFailed"
# Another request was writing the same item at the same moment: a lost race, safe to retry (409).
RACES = {CONDITION_FAILED, "TransactionConflict"}

# Botocore's own retries: "standard" mode (exponential backoff with jitter, retry quota) retries throttling,
# 5xx and connection errors; 3 attempts in all keep a throttled request under ~3 s of backoff before it becomes
# a clean 503 with Retry-After (a Lambda behind API Gateway has 29 s). docs/architecture.md, Failure handling.
MAX_ATTEMPTS = 3  # in all, the first call included (botocore's "max_attempts" would count retries only)


# The importer's worker threads (3 x EXAMDESK_IMPORTER_CONCURRENCY, at most 64) share this client: with botocore's
# default pool of 10, every call beyond 10 at once opened a new connection and threw it away afterwards.
# Connections are opened on demand, so a route (one request at a time) still holds one.
MAX_POOL_CONNECTIONS = 64


@lru_cache(maxsize=1)
def client() -> Any:
    import boto3  # imported here: keeps cold starts of functions that never reach the table cheaper

    s = settings()
    # Few, fast retries: a Lambda behind API Gateway has 29 s; a throttled request becomes a clean 503.
    # No client-side parameter validation: every request is built by this code and DynamoDB validates it again
    # anyway; botocore's walk over each value was half the CPU of a batch write (docs/performance.md).
    config = Config(retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"}, connect_timeout=2, read_timeout=5,
                    max_pool_connections=MAX_POOL_CONNECTIONS, parameter_validation=False)
    return boto3.client("dynamodb", endpoint_url=s.dynamodb_endpoint, config=config)


def table_name() -> str:
    return settings().table_name


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_from_dynamo(v) for v in value]
    return value


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in _to_dynamo(item).items()}


def serialize_value(value: Any) -> Any:
    return _serializer.serialize(_to_dynamo(value))


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


@contextmanager
def translated_errors(conflict_message: str = "the object changed while you were changing it; retry") -> Iterator[None]:
    """Map DynamoDB failures to domain errors: a lost race (a failed condition, a conflicting transaction) is a
    409 ``concurrent_update``; throttling, 5xx and connection failures (after botocore's retries) are a 503."""
    try:
        yield
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in ("ConditionalCheckFailedException", "TransactionConflictException"):
            raise ConcurrentUpdate(conflict_message) from None
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if any(r in RACES for r in reasons):
                failed = frozenset(i for i, r in enumerate(reasons) if r == CONDITION_FAILED)
                raise ConcurrentUpdate(conflict_message, failed=failed) from None
            if any(r in TRANSIENT_REASONS for r in reasons):
                raise Unavailable("the store is busy; retry shortly") from None
            raise Conflict(f"the change was refused by the store ({', '.join(filter(None, reasons))})") from None
        if code in TRANSIENT:
            raise Unavailable("the store is busy; retry shortly") from None
        raise
    except (EndpointUnreachable, HTTPClientError):
        raise Unavailable("the store could not be reached; retry shortly") from None
