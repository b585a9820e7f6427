"""The MasteryTrack write-back route on moto: the HMAC signature (a bad or missing one is a 401 and stores
nothing), bad bodies, unknown or foreign results, finalized ones, and what a stored write-back does."""

# ruff: noqa: F811 - fixtures are imported from powerpath_helpers and injected by name
from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from functions.data.external_tests import stamp
from functions.providers.masterytrack import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from functions.routes import route
from tests.conftest import LambdaContext
from tests.integration.powerpath_helpers import (  # noqa: F401 - fixtures
    OTHER,
    WEBHOOK_SECRET,
    WRITEBACK,
    fakes,
    import_now,
    make,
    school,
    stored,
    writeback,
)


@pytest.fixture
def assigned(school):
    return make(lesson_id="testout-mt").body["assignmentId"]


def signed(payload: dict, secret: str = WEBHOOK_SECRET, at: datetime | None = None) -> tuple[bytes, dict]:
    raw = json.dumps(payload).encode()
    timestamp = str(int((at or datetime.now(UTC)).timestamp()))
    return raw, {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, raw, timestamp)}


def test_a_signed_write_back_is_stored_and_makes_the_assignment_due_now(school, assigned, dynamo_calls):
    raw, headers = school["fakes"].mastery.writeback(assigned, [True, True])
    dynamo_calls.reset()
    answer = writeback(raw, headers)
    assert answer.status == 200, answer.body
    assert answer.body == {"received": True, "assessmentResultSourcedId": "student-course-1|testout-mt|1",
                           "writebacks": 1}
    assert dict(dynamo_calls.counts) == {"UpdateItem": 1}
    item = stored(lesson_id="testout-mt")
    assert item["writeback_seq"] == 1 and item["writeback"]["scoreStatus"] == "fully graded"
    assert item["gsi4sk"] <= stamp(datetime.now(UTC))  # due now: the next importer pass takes it
    assert writeback(*school["fakes"].mastery.writeback(assigned, [True, False])).body["writebacks"] == 2


@pytest.mark.parametrize("tamper", ["no-headers", "no-signature", "wrong-secret", "body-changed", "stale",
                                    "future", "not-a-time"])
def test_a_bad_or_missing_signature_is_401_and_stores_nothing(school, assigned, dynamo_calls, tamper):
    raw, headers = school["fakes"].mastery.writeback(assigned, [True, True])
    if tamper == "no-headers":
        headers = {}
    elif tamper == "no-signature":
        headers.pop(SIGNATURE_HEADER)
    elif tamper == "wrong-secret":
        raw, headers = school["fakes"].mastery.writeback(assigned, [True, True], secret="guessed")
    elif tamper == "body-changed":
        raw = raw.replace(b'"fully graded"', b'"exempt"')
    elif tamper in ("stale", "future"):
        at = datetime.now(UTC) + timedelta(minutes=-10 if tamper == "stale" else 10)
        raw, headers = school["fakes"].mastery.writeback(assigned, [True, True], at=at)
    else:
        headers[TIMESTAMP_HEADER] = "yesterday"
    dynamo_calls.reset()
    answer = writeback(raw, headers)
    assert answer.status == 401, answer.body
    assert answer.body["status_code"] == 401
    assert dynamo_calls.total == 0
    assert stored(lesson_id="testout-mt")["writeback_seq"] == 0


def good(assigned: str, **changes) -> dict:
    payload = {"assessmentResultSourcedId": "student-course-1|testout-mt|1",
               "assessmentLineItemSourcedId": "testout-mt", "assignmentId": int(assigned),
               "studentEmail": "student-course-1@example.edu", "scoreStatus": "fully graded", "score": 50,
               "questions": [{"id": "q1", "index": 0, "correct": True, "score": 1}]}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


@pytest.mark.parametrize("change,status,field", [
    ({"scoreStatus": "done"}, 400, "scoreStatus"),
    ({"scoreStatus": None}, 400, "scoreStatus"),
    ({"score": 101}, 400, "score"),
    ({"questions": [{"id": "q1"}]}, 400, "questions.0.index"),
    ({"questions": "all right"}, 400, "questions"),
    ({"assessmentResultSourcedId": "not-ours"}, 400, "assessmentResultSourcedId"),
    ({"assessmentResultSourcedId": "ghost|testout-mt|1"}, 404, None),
    ({"assessmentResultSourcedId": "student-course-1|testout-mt|2"}, 404, None),
    ({"assignmentId": 999}, 409, "assignmentId"),
])
def test_signed_but_bad_write_backs_are_refused_and_store_nothing(school, assigned, change, status, field):
    answer = writeback(*signed(good(assigned, **change)))
    assert answer.status == status, answer.body
    if field:
        assert answer.body["error"]["field"] == field
    assert stored(lesson_id="testout-mt")["writeback_seq"] == 0


def test_signed_garbage_is_400(school, assigned):
    raw = b'{"assessmentResultSourcedId": '
    timestamp = str(int(datetime.now(UTC).timestamp()))
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(WEBHOOK_SECRET, raw, timestamp)}
    answer = writeback(raw, headers)
    assert answer.status == 400 and "JSON" in answer.body["error"]["message"]


def test_an_edulastic_result_or_a_finalized_one_cannot_be_written_back(school, assigned):
    make(student=OTHER, as_user=OTHER)
    edulastic = writeback(*signed(good(assigned, assessmentResultSourcedId="other-course-1|placement-edu|1",
                                       assignmentId="edu-as-1")))
    assert edulastic.status == 404
    assert writeback(*signed(good(assigned))).status == 200
    assert import_now(lesson_id="testout-mt").body["finalized"] is True
    late = writeback(*signed(good(assigned, score=100)))
    assert late.status == 409 and "already finalized" in late.body["error"]["message"]


def test_without_a_configured_secret_the_route_is_unavailable(school, assigned, monkeypatch):
    from functions.providers import config

    monkeypatch.delenv(config.MASTERYTRACK_WEBHOOK_SECRET)
    answer = writeback(*signed(good(assigned)))
    assert answer.status == 503 and stored(lesson_id="testout-mt")["writeback_seq"] == 0


def test_console_event_is_still_signature_checked(school, assigned):
    module = importlib.import_module(route(WRITEBACK).import_path)
    answer = module.lambda_handler({"body": good(assigned)}, LambdaContext())
    assert answer["statusCode"] == 401
