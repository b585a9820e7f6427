"""Reliability fixtures: one DynamoDB Local (in memory) for this folder, the test process pointed at it (so
tests seed with tests/factories.py and read the table back directly), and local runners on it.

Why several runners: a runner serves each route one request at a time (like one Lambda instance; Powertools
keeps the current event on the class, so one process cannot run a handler in two threads). Real contention is
what several Lambda instances of one route produce: here, several runner processes on the same table.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import pytest

from infra.local.dynamodb_local import DynamoDBLocal, ensure_table
from infra.local.spawn import start_runner
from tests.e2e.harness import SECRET, Api

TABLE = "examdesk-reliability"
RUNNERS = 3


def _clear_caches() -> None:
    from functions.data import dynamo
    from functions.platform.settings import settings

    settings.cache_clear()
    dynamo.client.cache_clear()


@pytest.fixture(scope="package")
def local_db() -> Iterator[DynamoDBLocal]:
    """DynamoDB Local with the table; while it lives, this process's client and settings point at it."""
    db = DynamoDBLocal().start(timeout=120)  # a loaded machine starts Java slowly
    saved = {k: os.environ.get(k) for k in ("EXAMDESK_DYNAMODB_ENDPOINT", "EXAMDESK_TABLE_NAME")}
    os.environ.update({"EXAMDESK_DYNAMODB_ENDPOINT": db.endpoint, "EXAMDESK_TABLE_NAME": TABLE})
    _clear_caches()
    try:
        from functions.data.dynamo import client

        ensure_table(client(), TABLE)
        yield db
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _clear_caches()
        db.stop()


@pytest.fixture(scope="package")
def runners(local_db: DynamoDBLocal) -> Iterator[list[Api]]:
    """RUNNERS local runners (API Gateway + every route's real handler) on the same table: up to RUNNERS
    requests of one route run at once, as with that many Lambda instances."""
    env = {**os.environ, "EXAMDESK_JWT_SECRET": SECRET, "EXAMDESK_TABLE_NAME": TABLE,
           "POWERTOOLS_LOG_LEVEL": "ERROR"}
    env.pop("EXAMDESK_DYNAMODB_ENDPOINT", None)
    started: list[tuple[subprocess.Popen[bytes], int]] = []
    try:
        with ThreadPoolExecutor(RUNNERS) as starting:  # each imports every route: start them side by side
            launches = [starting.submit(start_runner, local_db.endpoint, "--quiet", "--importer-interval", "0",
                                        env=env) for _ in range(RUNNERS)]
            for launch in launches:
                with suppress(Exception):  # a runner that failed to start raises below, after the others
                    started.append(launch.result())
            for launch in launches:
                launch.result()
        yield [Api(f"http://127.0.0.1:{port}") for _, port in started]
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def own_table(local_db: DynamoDBLocal, request: pytest.FixtureRequest) -> Iterator[str]:
    """A table of the module's own on the same DynamoDB Local (small, so whole-table comparisons stay cheap)."""
    name = f"{TABLE}-{request.module.__name__.rsplit('.', 1)[-1].replace('_', '-')}"
    os.environ["EXAMDESK_TABLE_NAME"] = name
    _clear_caches()
    from functions.data.dynamo import client

    ensure_table(client(), name)
    try:
        yield name
    finally:
        os.environ["EXAMDESK_TABLE_NAME"] = TABLE
        _clear_caches()


def scan_all() -> list[dict[str, Any]]:
    """Every item of the current table (deserialized), for before/after comparisons."""
    from functions.data.dynamo import client, deserialize, table_name

    items: list[dict[str, Any]] = []
    args: dict[str, Any] = {"TableName": table_name(), "ConsistentRead": True}
    while True:
        page = client().scan(**args)
        items += [deserialize(i) for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return items
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]
