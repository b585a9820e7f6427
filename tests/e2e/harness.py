"""End-to-end harness: HTTP against the local runner (a separate process) on DynamoDB Local (in memory).

Loaded once as a plugin by tests/conftest.py, so e2e and contract tests share one session-scoped runner
per xdist worker (they all carry xdist_group("e2e"), so that is one runner in all).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.dynamodb_local import DynamoDBLocal
from infra.local.spawn import start_runner

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-secret-0123456789-abcdefghijklmnop"

class Api:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()

    def token(self, user_id: str, ttl: int = 3600) -> str:
        import jwt

        now = int(time.time())
        claims = {"sub": user_id, "iss": "examdesk", "aud": "examdesk-api", "iat": now, "exp": now + ttl}
        return jwt.encode(claims, SECRET, algorithm="HS256")

    def request(self, method: str, path: str, *, as_user: str | None = None, auth: str | None = None,
                **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if as_user:
            headers["Authorization"] = f"Bearer {self.token(as_user)}"
        elif auth:
            headers["Authorization"] = auth
        return self.http.request(method, self.base + path, headers=headers, timeout=30, **kwargs)


@contextmanager
def local_runner(table_name: str, **env_overrides: str) -> Iterator[tuple[Api, str]]:
    """DynamoDB Local (in memory) and the local runner with the demo data on it, stopped on exit: the API and
    DynamoDB Local's endpoint. ``env_overrides`` are the runner's extra settings (EXAMDESK_...)."""
    db = DynamoDBLocal().start()
    env = {**os.environ, "EXAMDESK_JWT_SECRET": SECRET, "EXAMDESK_TABLE_NAME": table_name,
           "POWERTOOLS_LOG_LEVEL": "ERROR", **env_overrides}
    for name in ("EXAMDESK_DYNAMODB_ENDPOINT", "EXAMDESK_EDULASTIC_URL", "EXAMDESK_MASTERYTRACK_URL"):
        if name not in env_overrides:
            env.pop(name, None)
    try:
        runner, port = start_runner(db.endpoint, "--demo", "--quiet", env=env)
    except BaseException:
        db.stop()
        raise
    try:
        yield Api(f"http://127.0.0.1:{port}"), db.endpoint
    finally:
        runner.terminate()
        runner.wait(timeout=10)
        db.stop()


@contextmanager
def local_api(table_name: str) -> Iterator[Api]:
    """The local runner on its own DynamoDB Local (``local_runner``), as an Api."""
    with local_runner(table_name) as (api, _):
        yield api


def eventually(check: Callable[[], Any], what: str, timeout: float = 60) -> Any:
    """``check()``'s first truthy answer, polled every half second (the local importer runs on a schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


@pytest.fixture(scope="session")
def api() -> Iterator[Api]:
    with local_api("examdesk-e2e") as running:
        yield running


@contextmanager
def data_layer_on(endpoint: str, table_name: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The in-process data layer pointed at a DynamoDB Local table (created if absent), for tests that call
    services directly; the cached settings and client are dropped before and after."""
    from functions.data import dynamo
    from functions.platform import settings
    from infra.local.dynamodb_local import ensure_table

    monkeypatch.setenv("EXAMDESK_DYNAMODB_ENDPOINT", endpoint)
    monkeypatch.setenv("EXAMDESK_TABLE_NAME", table_name)
    settings.settings.cache_clear()
    dynamo.client.cache_clear()
    ensure_table(dynamo.client(), table_name)
    try:
        yield
    finally:
        settings.settings.cache_clear()  # the next test reads the environment monkeypatch restores
        dynamo.client.cache_clear()
