"""The IAM actions each deployed function really calls on the table, watched while the tests run.

Every DynamoDB call a route's ``lambda_handler`` (its credential check included) or the importer makes (through
any botocore client) is turned into the IAM action it needs: ``Query@gsi2`` for a query on an index (granted on that
index's ARN), and a transaction's parts as their own actions (a TransactWriteItems needs PutItem, UpdateItem,
DeleteItem, ConditionCheckItem per part; TransactGetItems needs GetItem). IAM has no transaction actions.

- Always: after each test, every action a function made must be listed for it in infra/dynamodb_actions.json,
  the data CDK grants from (infra/constructs/permissions.py). A call the deployed role would refuse fails here.
- ``EXAMDESK_RECORD_ACTIONS=1`` (``make record-actions``): the file is rewritten from what the run saw, so a
  grant nobody uses disappears (tests/infra/test_permissions.py compares the template with it). Under xdist
  each worker writes what it saw beside the file and the controlling process joins them when all are done.
- The same run (or ``EXAMDESK_RECORD_REQUESTS=1`` alone, for a partial run) also records each route's requests
  by key shape into infra/dynamodb_requests.json, the scale model's input (tests/dynamodb_requests.py).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from functions.routes import ROUTES
from tests import dynamodb_requests

IDEMPOTENCY_ACTIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem"})

ACTIONS_FILE = Path(__file__).resolve().parents[1] / "infra" / "dynamodb_actions.json"
RECORD = os.environ.get("EXAMDESK_RECORD_ACTIONS") == "1"
IMPORTER = "import-results"
SWEEP = "close-overlaps"
PREWARM = "prewarm"
BACKFILL = "backfill-lists"
_TRANSACT_PARTS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                   "ConditionCheck": "ConditionCheckItem"}

# A process-wide label, not a context variable: the importer's worker threads call DynamoDB for their pass.
_current: list[str] = []
seen: dict[str, set[str]] = {}
unlisted: list[tuple[str, str]] = []


def iam_actions(operation: str, params: dict[str, Any]) -> set[str]:
    if operation == "TransactWriteItems":
        return {_TRANSACT_PARTS[kind] for item in params.get("TransactItems", []) for kind in item}
    if operation == "TransactGetItems":
        return {"GetItem"}
    if operation in ("Query", "Scan") and params.get("IndexName"):
        return {f"{operation}@{params['IndexName']}"}
    return {operation}


def committed() -> dict[str, set[str]]:
    if not ACTIONS_FILE.exists():
        return {}
    return {name: set(actions) for name, actions in json.loads(ACTIONS_FILE.read_text()).items()}


def labelled(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outermost = not _current
        _current.append(name)
        if outermost and dynamodb_requests.RECORD:
            dynamodb_requests.recorder.begin()
        result = None
        try:
            result = fn(*args, **kwargs)
            return result
        finally:
            _current.pop()
            if outermost and dynamodb_requests.RECORD:
                dynamodb_requests.recorder.end(name, result)

    return wrapper


def _install() -> None:
    from botocore.client import BaseClient

    from functions.jobs import backfill_lists, close_overlaps, import_results, prewarm
    from functions.platform import http

    allowed = committed()
    make_api_call = BaseClient._make_api_call

    def watched(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if _current and self.meta.service_model.service_name == "dynamodb":
            name = _current[0]  # the outermost handler
            for action in iam_actions(operation, params):
                seen.setdefault(name, set()).add(action)
                if not RECORD and action not in allowed.get(name, set()):
                    unlisted.append((name, action))
            if dynamodb_requests.RECORD:
                return dynamodb_requests.recorder.call(self, operation, params, make_api_call)
        return make_api_call(self, operation, params)

    BaseClient._make_api_call = watched  # type: ignore[method-assign]
    instrumented = http.RouteApp._instrumented

    def route_instrumented(self: Any) -> Any:
        return labelled(self.route.name, instrumented(self))

    http.RouteApp._instrumented = route_instrumented  # type: ignore[method-assign]
    import_results.lambda_handler = labelled(IMPORTER, import_results.lambda_handler)  # type: ignore[assignment]
    close_overlaps.lambda_handler = labelled(SWEEP, close_overlaps.lambda_handler)  # type: ignore[assignment]
    prewarm.lambda_handler = labelled(PREWARM, prewarm.lambda_handler)  # type: ignore[assignment]
    backfill_lists.lambda_handler = labelled(BACKFILL, backfill_lists.lambda_handler)  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    _install()  # before any test module imports a route module (its RouteApp builds lambda_handler then)


@pytest.fixture(autouse=True)
def _dynamodb_actions_are_granted() -> Iterator[None]:
    unlisted.clear()
    yield
    found = sorted(set(unlisted))
    unlisted.clear()
    assert not found, (
        f"DynamoDB actions not granted in infra/dynamodb_actions.json: {found}; the deployed role would refuse "
        "them. Run `make record-actions` and commit the file."
    )


def _partial(worker: str) -> Path:
    return ACTIONS_FILE.with_name(f".{ACTIONS_FILE.stem}.{worker}.json")


def _write(path: Path, actions: dict[str, set[str]]) -> None:
    path.write_text(json.dumps({k: sorted(v) for k, v in sorted(actions.items())}, indent=1) + "\n")


def pytest_sessionfinish(session: pytest.Session) -> None:
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    if dynamodb_requests.RECORD:
        dynamodb_requests.finish(worker)
    if not RECORD:
        return
    if worker is not None:  # an xdist worker: what it saw, for the controller to join
        _write(_partial(worker), seen)
        return
    joined = {name: set(actions) for name, actions in seen.items()}
    for part in sorted(ACTIONS_FILE.parent.glob(f".{ACTIONS_FILE.stem}.*.json")):
        for name, actions in json.loads(part.read_text()).items():
            joined.setdefault(name, set()).update(actions)
        part.unlink()
    for name in (r.name for r in ROUTES if r.takes_idempotency_key):
        # Powertools' idempotency store (functions/platform/idempotency.py) records a 2xx answer under the key
        # (a put, then an update with the answer; a delete when the write fails): granted whether or not a
        # test happened to send the header to this route.
        joined.setdefault(name, set()).update(IDEMPOTENCY_ACTIONS)
    if joined:
        _write(ACTIONS_FILE, joined)
