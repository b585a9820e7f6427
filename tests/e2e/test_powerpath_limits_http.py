"""MasteryTrack write-backs replayed, reordered and oversize, the largest one imported, and an import failure
parked and re-queued: over HTTP against a local runner of its own on DynamoDB Local (AWS's own engine, which
enforces the 400 KB item limit moto does not), with its fake providers and its importer every second.

The runner is this module's own: it parks an assignment after 3 failures (EXAMDESK_IMPORTER_MAX_FAILURES)
instead of 10, so the test sees it within seconds, and no other module's runner is affected."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from functions.providers.masterytrack import MAX_WRITEBACK_BYTES, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.e2e.harness import Api, eventually, local_runner
from tests.fixtures.writebacks import largest_writeback

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

TABLE, WEBHOOK_SECRET = "examdesk-e2e-limits", "e2e-limits-webhook-secret"
RUN = uuid.uuid4().hex[:8]
COURSE, TEACHER, STUDENT = f"lim-{RUN}", f"lim-teacher-{RUN}", f"lim-student-{RUN}"
TEST_OUT, UNIT = f"lim-testout-{RUN}", f"lim-unit-{RUN}"
WEBHOOK = "/powerpath/webhooks/masterytrack"


class Local:
    def __init__(self, api: Api, endpoint: str) -> None:
        self.api, self.endpoint = api, endpoint


@pytest.fixture(scope="module")
def local() -> Iterator[Local]:
    with local_runner(TABLE, EXAMDESK_IMPORTER_INTERVAL_SECONDS="1", EXAMDESK_IMPORTER_MAX_FAILURES="3",
                      EXAMDESK_MASTERYTRACK_WEBHOOK_SECRET=WEBHOOK_SECRET) as (api, endpoint):
        yield Local(api, endpoint)


def ok(answer: requests.Response, *statuses: int) -> Any:
    assert answer.status_code in (statuses or (200,)), answer.text
    return answer.json()


@pytest.fixture(scope="module")
def school(local: Local) -> Api:
    api = local.api
    ok(api.request("POST", "/authoring/courses", as_user="ada", json={"id": COURSE, "title": COURSE}), 201)
    for uid, role in ((TEACHER, "instructor"), (STUDENT, "student")):
        ok(api.request("POST", "/authoring/users", as_user="ada",
                       json={"id": uid, "username": uid, "email": f"{uid}@example.edu", "name": uid}), 201)
        ok(api.request("PUT", f"/authoring/courses/{COURSE}/enrollments/{uid}", as_user="ada", json={"role": role}))
    for lesson, kind, provider, test in ((TEST_OUT, "test-out", "mastery-track", None),
                                         (UNIT, "unit-test", "edulastic", "edu-unit-3q")):
        body = {"sourcedId": lesson, "courseId": COURSE, "title": lesson, "lessonType": kind,
                "toolProvider": provider, "subject": "Science", "grade": 9, **({"testId": test} if test else {})}
        ok(api.request("POST", "/powerpath/lessons", as_user=TEACHER, json=body), 201)
    return api


def assign(api: Api, lesson: str) -> dict[str, Any]:
    return ok(api.request("POST", "/powerpath/makeExternalTestAssignment", as_user=STUDENT,
                          json={"student": STUDENT, "lesson": lesson, "skipCourseEnrollment": True}))


def progress(api: Api, lesson: str) -> dict[str, Any]:
    return ok(api.request("GET", f"/powerpath/getAssessmentProgress?student={STUDENT}&lesson={lesson}",
                          as_user=STUDENT))


def signed(raw: bytes, at: datetime) -> tuple[bytes, dict[str, str]]:
    timestamp = str(int(at.timestamp()))
    return raw, {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(WEBHOOK_SECRET, raw, timestamp),
                 "Content-Type": "application/json"}


def post(api: Api, request: tuple[bytes, dict[str, str]]) -> requests.Response:
    raw, headers = request
    return api.request("POST", WEBHOOK, data=raw, headers=headers)


def test_write_backs_replayed_reordered_and_oversize_over_http(school):
    api, now = school, datetime.now(UTC)
    assignment_id = assign(api, TEST_OUT)["assignmentId"]
    result_id = f"{STUDENT}|{TEST_OUT}|1"

    def payload(score: float, scored: datetime, status: str = "partially graded") -> bytes:
        return json.dumps({
            "assessmentResultSourcedId": result_id, "assessmentLineItemSourcedId": TEST_OUT,
            "assignmentId": assignment_id, "studentEmail": f"{STUDENT}@example.edu", "scoreStatus": status,
            "score": score, "scoreDate": scored.isoformat(),
            "questions": [{"id": "q1", "index": 0, "correct": score > 50, "score": 1 if score > 50 else 0}]}
        ).encode()

    first = signed(payload(40, now - timedelta(minutes=3)), now - timedelta(seconds=40))
    second = signed(payload(60, now - timedelta(minutes=2)), now - timedelta(seconds=30))
    assert ok(post(api, first)) == {"received": True, "assessmentResultSourcedId": result_id,
                                         "writebacks": 1, "stored": True, "ignored": None}
    assert ok(post(api, second))["writebacks"] == 2
    replay = ok(post(api, second))  # the same signed request again
    assert (replay["stored"], replay["ignored"], replay["writebacks"]) == (False, "duplicate", 2)
    late = ok(post(api, first))  # the older one, delivered late (or replayed by whoever captured it)
    assert (late["stored"], late["ignored"], late["writebacks"]) == (False, "older", 2)
    resent = ok(post(api, signed(payload(40, now - timedelta(minutes=3)), datetime.now(UTC))))
    assert resent["ignored"] == "older"  # signed again just now: its scoreDate still orders it

    imported = eventually(lambda: (body := progress(api, TEST_OUT))["score"] is not None and body,
                          "the scheduled pass imports the newer write-back")
    assert imported["score"] == 60 and imported["scoreStatus"] == "partially graded"
    time.sleep(2.5)  # more passes: nothing brings the older result back
    assert progress(api, TEST_OUT)["score"] == 60

    scored = now - timedelta(minutes=1)
    over = largest_writeback(result_id, TEST_OUT, assignment_id, f"{STUDENT}@example.edu",
                             MAX_WRITEBACK_BYTES + 1, scored.isoformat())
    refused = post(api, signed(over, now))
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "too_large"
    assert progress(api, TEST_OUT)["score"] == 60  # nothing stored

    # the largest accepted write-back, in the shape stored largest, is imported and finalized on DynamoDB
    # Local: its assignment item (the write-back as received, 500 questions as imported) fits in 400 KB
    largest = largest_writeback(result_id, TEST_OUT, assignment_id, f"{STUDENT}@example.edu",
                                MAX_WRITEBACK_BYTES, scored.isoformat())
    assert ok(post(api, signed(largest, now)))["stored"] is True
    final = eventually(lambda: (body := progress(api, TEST_OUT))["finalized"] and body,
                       "the largest write-back is imported and finalized")
    assert final["score"] == 100 and final["totalQuestions"] == 500 and final["importStatus"]["failures"] == 0
    after = post(api, second)  # a finalized result takes no more write-backs
    assert after.status_code == 409 and "already finalized" in after.json()["error"]["message"]


def test_an_import_failure_is_parked_then_requeued_over_http(school, local, monkeypatch):
    api = school
    assignment = assign(api, UNIT)
    provider = "{0.scheme}://{0.netloc}".format(urlsplit(assignment["testUrl"]))
    ok(requests.post(f"{provider}/_control/mode", json={"mode": "error", "status": 500}, timeout=5))
    try:
        ok(requests.post(f"{assignment['testUrl']}/answers", json={"answers": [True, True, False]}, timeout=15))

        def parked() -> dict[str, Any] | None:
            body = progress(api, UNIT)
            return body if body["importStatus"]["parkedAt"] else None

        body = eventually(parked, "three failed passes park the assignment")
        status = body["importStatus"]
        assert status["failures"] == 3 and status["nextTryAt"] is None and "HTTP 500" in status["lastError"]
        assert body["finalized"] is False
        answer = ok(api.request("GET", f"/powerpath/importExternalTestAssignmentResults?student={STUDENT}"
                                       f"&lesson={UNIT}", as_user=STUDENT))
        assert answer["finalized"] is False and answer["importStatus"]["parkedAt"] == status["parkedAt"]
    finally:
        ok(requests.post(f"{provider}/_control/mode", json={"mode": "ok"}, timeout=5))
    time.sleep(3)  # the provider is fine again, but no pass tries a parked assignment
    assert progress(api, UNIT)["importStatus"]["failures"] == 3

    # the operator's console event (the importer function, here in this process on the same table)
    from functions.data import dynamo
    from functions.jobs import import_results
    from functions.platform import settings
    from infra.local.scheduler import LambdaContext

    monkeypatch.setenv("EXAMDESK_DYNAMODB_ENDPOINT", local.endpoint)
    monkeypatch.setenv("EXAMDESK_TABLE_NAME", TABLE)
    settings.settings.cache_clear()
    dynamo.client.cache_clear()
    try:
        done = import_results.lambda_handler({"requeue": True, "student": STUDENT, "lesson": UNIT}, LambdaContext())
    finally:
        settings.settings.cache_clear()
        dynamo.client.cache_clear()
    assert done["outcome"] == "requeued", done
    final = eventually(lambda: (body := progress(api, UNIT))["finalized"] and body,
                       "the runner's next pass imports the re-queued assignment")
    assert final["score"] == 66.67 and final["importStatus"]["failures"] == 0
    assert final["importStatus"]["parkedAt"] is None
