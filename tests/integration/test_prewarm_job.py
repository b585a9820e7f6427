"""The pre-warm job (functions/jobs/prewarm.py) on moto: exam window entries written with the exam, found by one
Query per hour bucket, sized from the course's enrollments, applied through the port (a fake here; the Lambda
adapter against botocore's Stubber), console events, and its DynamoDB calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from functions.core import prewarm
from functions.data import keys
from functions.data.exam_windows import ExamWindowRepository
from functions.data.provisioned_concurrency import LambdaProvisionedConcurrency
from functions.data.store import Store
from functions.data.writers import seed
from functions.jobs import prewarm as job
from functions.platform.settings import PrewarmSettings
from infra.local.scheduler import LambdaContext, scheduled_event
from tests.factories import course, enroll, exam, user
from tests.unit.test_prewarm import FakeConcurrency

OPEN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
CONFIG = PrewarmSettings(functions={"examspark_start_session": "fn-start", "examspark_set_responses": "fn-submit"},
                         cap=400, durations_s=dict.fromkeys(prewarm.ROUTES, 0.2))


@pytest.fixture
def school(table: str) -> None:
    course("course-1")
    for i in range(30):
        user(f"s{i:02d}")
        enroll("course-1", f"s{i:02d}", "student")


def test_the_exam_writes_its_open_and_close_entries_and_a_moved_time_leaves_the_old_one_ignored(school):
    e = exam("exam-1", "course-1", [], opens_at=OPEN, closes_at=OPEN + timedelta(hours=2))
    store = Store()
    entry = store.get(keys.exam_window_key("open", OPEN, "exam-1"))
    assert entry and entry["examId"] == "exam-1" and entry[keys.TTL_ATTRIBUTE] == int(OPEN.timestamp()) + 86400
    assert store.get(keys.exam_window_key("close", OPEN + timedelta(hours=2), "exam-1"))
    windows = ExamWindowRepository()
    assert windows.moments(OPEN - timedelta(minutes=1), OPEN + timedelta(minutes=1)) == [
        (prewarm.Moment("exam-1", "open", OPEN), "course-1")]
    moved = e.model_copy(update={"opens_at": OPEN + timedelta(days=1), "version": 2})
    seed("exam", moved)
    assert store.get(keys.exam_window_key("open", OPEN, "exam-1"))  # left behind: expires, and is ignored
    assert windows.moments(OPEN - timedelta(minutes=1), OPEN + timedelta(minutes=1)) == []
    seed("exam", moved.model_copy(update={"active": False, "version": 3}))
    assert windows.moments(OPEN + timedelta(days=1), OPEN + timedelta(days=1)) == []  # inactive: nothing


def test_a_pass_provisions_before_the_open_and_releases_after(school, dynamo_calls):
    exam("exam-1", "course-1", [], opens_at=OPEN, closes_at=OPEN + timedelta(hours=2))
    port = FakeConcurrency({})
    dynamo_calls.reset()
    before = job.run(OPEN - timedelta(minutes=12), ExamWindowRepository(), port, CONFIG)
    # 30 students over 60 s x 0.2 s x 1.5 -> 1 environment each on the start routes; begin has no function here.
    assert before["wanted"] == {"examspark_start_session": 1, "learningstudio_begin_exam": 1,
                                "examspark_set_responses": 0}
    assert port.calls == [("provision", "fn-start", 1)]
    # Range 08:38..09:03: buckets 08 and 09 (one Query each), the exams, the course's enrollment count.
    assert dynamo_calls.counts == {"Query": 3, "BatchGetItem": 1}
    job.run(OPEN, ExamWindowRepository(), port, CONFIG)
    assert len(port.calls) == 1  # unchanged: nothing to do
    after = job.run(OPEN + timedelta(minutes=11), ExamWindowRepository(), port, CONFIG)
    assert after["changed"] == {"examspark_start_session": 0} and port.calls[-1] == ("release", "fn-start", 0)
    closing = job.run(OPEN + timedelta(hours=2, minutes=-5), ExamWindowRepository(), port, CONFIG)
    assert closing["changed"] == {"examspark_set_responses": 1}
    dynamo_calls.reset()
    quiet = job.run(OPEN + timedelta(hours=5, minutes=20), ExamWindowRepository(), port, CONFIG)
    assert quiet["exams"] == [] and quiet["changed"] == {"examspark_set_responses": 0}
    assert dynamo_calls.counts == {"Query": 1}  # 14:10..14:35: one bucket, empty: no exam read, nothing counted


def test_console_events(school, monkeypatch):
    exam("exam-1", "course-1", [], opens_at=OPEN, closes_at=OPEN + timedelta(hours=2))
    dry = job.lambda_handler({"now": "2026-12-04T08:55:00", "dryRun": True}, LambdaContext())
    assert dry["exams"] == ["exam-1"] and dry["wanted"]["examspark_start_session"] == 1 and dry["changed"] == {}
    refused = job.lambda_handler({"now": "soon", "dryRun": True}, LambdaContext())
    assert refused["statusCode"] == 400 and "now must be an ISO 8601 time" in refused["summary"]
    port = FakeConcurrency({"fn-start": 5})
    monkeypatch.setattr("functions.data.provisioned_concurrency.LambdaProvisionedConcurrency", lambda: port)
    monkeypatch.setenv("EXAMDESK_PREWARM_FUNCTIONS", '{"examspark_start_session": "fn-start"}')
    for event in (scheduled_event(), {}):  # now: no exam near, so what was set is released
        result = job.lambda_handler(event, LambdaContext())
        assert result["exams"] == []
    assert port.calls == [("release", "fn-start", 0)]


def test_the_lambda_adapter_calls_the_alias_and_reads_none_as_zero():
    client = boto3.client("lambda", region_name="us-east-1")
    stub = Stubber(client)
    alias = {"FunctionName": "fn-start", "Qualifier": "live"}
    stub.add_client_error("get_provisioned_concurrency_config", "ProvisionedConcurrencyConfigNotFoundException",
                          expected_params=alias)
    stub.add_response("put_provisioned_concurrency_config", {"RequestedProvisionedConcurrentExecutions": 7},
                      {**alias, "ProvisionedConcurrentExecutions": 7})
    stub.add_response("get_provisioned_concurrency_config", {"RequestedProvisionedConcurrentExecutions": 7}, alias)
    stub.add_response("delete_provisioned_concurrency_config", {}, alias)
    stub.add_client_error("put_provisioned_concurrency_config", "TooManyRequestsException")
    port: Any = LambdaProvisionedConcurrency(client)
    with stub:
        assert port.current("fn-start") == 0
        port.provision("fn-start", 7)
        assert port.current("fn-start") == 7
        port.release("fn-start")
        with pytest.raises(Exception, match="Lambda refused put_provisioned_concurrency_config"):
            port.provision("fn-start", 9)
    stub.assert_no_pending_responses()
