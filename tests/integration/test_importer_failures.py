"""A failure the importer cannot get past, on moto against the fake providers: recorded on the assignment
(progress and the import route show it), retried with backoff a bounded number of times, then parked out of
the work queue; an operator re-queues it (console event); the ImportFailed / ImportParked metrics; results
too large for a DynamoDB item. Over HTTP on DynamoDB Local: tests/e2e/test_powerpath_limits_http.py."""

# ruff: noqa: F811 - fixtures are imported from powerpath_helpers and injected by name
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from functions.jobs import import_results
from infra.local.scheduler import LambdaContext
from tests.integration.powerpath_helpers import (  # noqa: F401 - fixtures
    fakes,
    import_now,
    make,
    progress,
    school,
    stored,
)

LATER = timedelta(minutes=6)  # past the first poll (5 min) of a fresh Edulastic assignment
ONE = {"student": "student-course-1", "lesson": "placement-edu"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The clock of every service the root builds (the importer and the routes), moved by the test."""
    from functions import wiring

    now = Clock()
    monkeypatch.setattr(wiring, "utcnow", now)
    return now


@pytest.fixture
def metrics(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    from functions.platform.observability import metrics as shared

    recorded: list[tuple[str, float]] = []
    monkeypatch.setattr(shared, "add_metric", lambda name, unit, value: recorded.append((name, value)))
    return recorded


@pytest.fixture
def three_tries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from functions.providers import config

    monkeypatch.setenv(config.IMPORTER_MAX_FAILURES, "3")
    config.provider_settings.cache_clear()
    yield
    config.provider_settings.cache_clear()


def alarmed(recorded: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(name, value) for name, value in recorded if name in ("ImportFailed", "ImportParked")]


def test_a_failure_that_never_clears_is_parked_then_requeued_by_an_operator(school, clock, metrics, three_tries,
                                                                               dynamo_calls):
    edulastic = school["fakes"].edulastic
    aid = make().body["assignmentId"]
    edulastic.work(aid, [True, True, True])
    edulastic.faults[aid] = "error"
    clock.now += LATER
    for wait, parked in ((timedelta(0), 0), (timedelta(minutes=5), 0), (timedelta(minutes=10), 1)):
        clock.now += wait  # the backoff: 5, then 10 minutes
        metrics.clear()
        result = import_results.lambda_handler({}, LambdaContext())
        assert (result["found"], result["failed"], result["parked"]) == (1, 1, parked), result
        assert alarmed(metrics) == [("ImportFailed", 1), ("ImportParked", parked)]
    assert result["parked_list"] == ["student-course-1/placement-edu#1: edulastic answered HTTP 500: assignment "
                                     f"{aid} cannot be read right now"]
    assert "parked for an operator: 1" in result["summary"]
    item = stored()
    assert "gsi4pk" not in item and "gsi4sk" not in item and item["parked_at"]  # out of the work queue
    fetched = edulastic.result_fetches[aid]  # 3 imports (2 tries each: EXAMDESK_PROVIDER_ATTEMPTS)
    status = progress().body["importStatus"]
    assert status["failures"] == 3 and status["nextTryAt"] is None and status["parkedAt"] is not None
    assert "HTTP 500" in status["lastError"]

    clock.now += timedelta(days=3)  # no pass tries it again, however long
    assert import_results.lambda_handler({"all": True}, LambdaContext())["found"] == 0
    dynamo_calls.reset()
    answer = import_now()  # the import route answers it as it is: no provider call, the failure shown
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "Query": 1}  # lesson, caller, enrollment; latest
    assert answer.status == 200 and answer.body["finalized"] is False
    assert answer.body["importStatus"]["parkedAt"] == status["parkedAt"]
    assert edulastic.result_fetches[aid] == fetched == 6

    console = import_results.lambda_handler(ONE, LambdaContext())  # the operator's "import it now"
    assert console["outcome"] == "parked" and "parked after 3 failures" in console["summary"]
    assert '{"requeue": true, "student": "student-course-1"' in console["summary"]
    del edulastic.faults[aid]  # fixed at the provider; the operator re-queues it
    dynamo_calls.reset()
    requeued = import_results.lambda_handler({**ONE, "requeue": True}, LambdaContext())
    assert requeued["outcome"] == "requeued" and requeued["attempt"] == 1, requeued
    # lesson, latest attempt; the assignment put back (version-checked) with its audit event
    assert dict(dynamo_calls.counts) == {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}
    item = stored()
    assert item["gsi4pk"].startswith("pending#") and item["failures"] == 0 and "parked_at" not in item
    result = import_results.lambda_handler({}, LambdaContext())
    assert (result["found"], result["finalized"]) == (1, 1)
    again = import_results.lambda_handler({**ONE, "requeue": True}, LambdaContext())
    assert again["outcome"] == "refused" and again["status"] == 409 and "not parked" in again["error"]


def test_the_import_route_records_its_failures_and_parks_at_the_last(school, clock, metrics, three_tries):
    edulastic = school["fakes"].edulastic
    aid = make().body["assignmentId"]
    edulastic.faults[aid] = "malformed"
    for n in (1, 2, 3):
        metrics.clear()
        answer = import_now()
        assert answer.status == 502 and answer.body["error"]["code"] == "provider_failed"
        assert progress().body["importStatus"]["failures"] == n
        assert alarmed(metrics) == [("ImportFailed", 1)] + ([("ImportParked", 1)] if n == 3 else [])
    assert "parked until an operator re-queues it" in answer.body["error"]["message"]
    fetched = edulastic.result_fetches[aid]
    assert import_now().status == 200  # parked: answered as it is from now on, no provider call
    assert edulastic.result_fetches[aid] == fetched


def test_results_too_large_for_an_item_are_a_failure_of_their_assignment_only(school, clock, dynamo_calls):
    from functions.data.outcome_batches import ITEM_BYTES
    from tests.factories import enroll, user

    edulastic = school["fakes"].edulastic
    for sid in ("s1", "s2"):
        user(sid)
        enroll("course-1", sid, "student")
    huge, fine = make(student="s1").body["assignmentId"], make(student="s2").body["assignmentId"]
    for aid in (huge, fine):
        edulastic.work(aid, [True, True, True])
    edulastic.assignments[huge]["questions"][0]["feedback"] = "x" * ITEM_BYTES  # 400 KB of provider results
    clock.now += LATER
    dynamo_calls.reset()
    result = import_results.lambda_handler({}, LambdaContext())
    assert (result["found"], result["finalized"], result["failed"]) == (2, 1, 1), result
    # the oversize outcome is never sent: one transaction for the other, one for its failure record
    assert dynamo_calls.counts["TransactWriteItems"] == 2
    item = stored("s1")
    assert item["failures"] == 1 and not item["finalized"] and "gsi4pk" in item
    assert "a DynamoDB item holds at most 409,600" in item["last_error"]
    assert stored("s2")["finalized"]
    clock.now += timedelta(minutes=5)
    answer = import_now(student="s1")  # the route: the same failure, recorded, answered 502
    assert answer.status == 502 and "could not be stored" in answer.body["error"]["message"]
    assert stored("s1")["failures"] == 2


def test_requeue_refusals(school):
    aid = make().body["assignmentId"]
    assert aid
    unknown = import_results.lambda_handler({"requeue": True, "student": "student-course-1", "lesson": "nope"},
                                            LambdaContext())
    assert unknown["outcome"] == "refused" and unknown["status"] == 404
    none_yet = import_results.lambda_handler({"requeue": True, "student": "student-course-1",
                                              "lesson": "unit-edu"}, LambdaContext())
    assert none_yet["status"] == 404
    half = import_results.lambda_handler({"requeue": True, "lesson": "placement-edu"}, LambdaContext())
    assert half["outcome"] == "refused" and half["status"] == 400
    pending = import_results.lambda_handler({**ONE, "requeue": True}, LambdaContext())
    assert pending["status"] == 409 and "in the work queue" in pending["error"]


def test_the_metrics_reach_cloudwatch_in_the_examdesk_namespace(school, clock, capsys, three_tries, monkeypatch):
    """The metric names another engineer alarms on, as Powertools prints them (CloudWatch embedded format)."""
    import json

    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # tests/conftest.py turns them off

    aid = make().body["assignmentId"]
    school["fakes"].edulastic.faults[aid] = "error"
    clock.now += LATER
    capsys.readouterr()
    import_results.lambda_handler({}, LambdaContext())
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    emitted = {m["Name"]: blob[m["Name"]] for blob in blobs
               for group in blob["_aws"]["CloudWatchMetrics"] if group["Namespace"] == "examdesk"
               for m in group["Metrics"]}
    assert emitted["ImportFailed"] in (1, [1]) and emitted["ImportParked"] in (0, [0])
