"""Shared fixtures: environment, moto table, a route caller built from the registry, DynamoDB call counting."""

from __future__ import annotations

import importlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytest_plugins = ["tests.e2e.harness", "tests.dynamodb_actions"]  # the local runner fixture `api`; IAM actions watched

TEST_SECRET = "test-secret-not-for-production-0123456789"

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("EXAMDESK_JWT_SECRET", TEST_SECRET)
os.environ.setdefault("EXAMDESK_CREDENTIAL_CACHE_SECONDS", "0")  # each test's table is new: keep no credential
os.environ["EXAMDESK_TABLE_NAME"] = "examdesk-test"


@pytest.fixture
def table() -> Iterator[str]:
    """A fresh moto table per test, created from the key module."""
    from moto import mock_aws

    from functions.data import dynamo, keys

    with mock_aws():
        dynamo.client.cache_clear()
        dynamo.client().create_table(**keys.table_definition("examdesk-test"))
        yield "examdesk-test"
    dynamo.client.cache_clear()


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class DynamoCalls:
    """Counts DynamoDB API calls made through the shared client (operation name -> count)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, event_name: str, **_: Any) -> None:
        self.counts[event_name.rsplit(".", 1)[-1]] += 1

    def reset(self) -> None:
        self.counts.clear()

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@pytest.fixture
def dynamo_calls(table: str) -> Iterator[DynamoCalls]:
    from functions.data import dynamo

    calls = DynamoCalls()
    dynamo.client().meta.events.register("before-call.dynamodb.*", calls)
    yield calls
    dynamo.client().meta.events.unregister("before-call.dynamodb.*", calls)


def principal_context(kind: str, subject: str, courses: str = "", rights: str = "") -> dict[str, str]:
    return {"kind": kind, "subject": subject, "keyCourses": courses, "keyRights": rights}


def call(route_name: str, path: dict[str, str] | None = None, *, as_user: str | None = None,
         authorizer: dict[str, str] | None = None, query: dict[str, list[str]] | None = None,
         body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    """Invoke a route's real lambda_handler with an API Gateway proxy event built from the registry."""
    from functions.platform.events import proxy_event
    from functions.routes import route

    r = route(route_name)
    if authorizer is None and as_user is not None:
        authorizer = principal_context("user", as_user)
    event = proxy_event(r, path or {}, query=query, body=body, headers=headers, authorizer=authorizer)
    module = importlib.import_module(r.import_path)
    response = module.lambda_handler(event, LambdaContext())
    raw = response.get("body") or "null"
    headers = dict(response.get("headers") or {})
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers.setdefault(name, ", ".join(values))
    return Answer(response["statusCode"], json.loads(raw), headers)


class LambdaContext:
    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:test"
    aws_request_id = "test-request"
