"""The MasteryTrack write-back route on moto: the HMAC signature (a bad or missing one is a 401 and stores
nothing), bad bodies, unknown or foreign results, finalized ones, and what a stored write-back does; replays,
reordering and oversize bodies (the same on DynamoDB Local over HTTP: tests/e2e/test_powerpath_limits_http.py)."""

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
                           "writebacks": 1, "stored": True, "ignored": None}
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


def test_a_replayed_write_back_changes_nothing(school, assigned, dynamo_calls):
    raw, headers = school["fakes"].mastery.writeback(assigned, [True, False])
    assert writeback(raw, headers).body["stored"] is True
    before = stored(lesson_id="testout-mt")
    dynamo_calls.reset()
    replay = writeback(raw, headers)
    assert replay.status == 200, replay.body
    assert replay.body == {"received": True, "assessmentResultSourcedId": "student-course-1|testout-mt|1",
                                "writebacks": 1, "stored": False, "ignored": "duplicate"}
    assert dict(dynamo_calls.counts) == {"UpdateItem": 1, "GetItem": 1}  # refused by its condition, then why
    assert stored(lesson_id="testout-mt") == before
    # MasteryTrack sending the same result again, signed anew a few seconds later, is the same content
    later = datetime.now(UTC) + timedelta(seconds=5)
    resent = writeback(*signed(json.loads(raw), at=later))
    assert resent.body["ignored"] == "duplicate" and stored(lesson_id="testout-mt") == before


def test_an_older_write_back_never_replaces_a_newer_one(school, assigned):
    now = datetime.now(UTC)
    older = good(assigned, score=40, scoreDate=(now - timedelta(minutes=2)).isoformat())
    newer = good(assigned, score=90, scoreDate=(now - timedelta(minutes=1)).isoformat())
    older_request = signed(older, at=now - timedelta(seconds=30))
    assert writeback(*signed(newer, at=now - timedelta(seconds=20))).body["stored"] is True
    late = writeback(*older_request)  # delivered late, or replayed by someone who captured it
    assert late.status == 200 and late.body["ignored"] == "older" and late.body["writebacks"] == 1
    resigned = writeback(*signed(older))  # sent again, signed now: its scoreDate still says it is older
    assert resigned.body["ignored"] == "older"
    item = stored(lesson_id="testout-mt")
    assert item["writeback"]["score"] == 90 and item["writeback_seq"] == 1
    imported = import_now(lesson_id="testout-mt")
    assert imported.body["finalized"] is True
    from tests.integration.powerpath_helpers import progress

    assert progress(lesson_id="testout-mt").body["score"] == 90


def test_date_last_modified_orders_them_before_score_date(school, assigned):
    """OneRoster's version time of a result: a re-grade keeps its scoreDate but is modified later."""
    now = datetime.now(UTC)
    scored = (now - timedelta(hours=1)).isoformat()
    partial = good(assigned, score=40, scoreStatus="partially graded", scoreDate=scored,
                   dateLastModified=(now - timedelta(minutes=2)).isoformat())
    graded = good(assigned, score=80, scoreDate=scored, dateLastModified=(now - timedelta(minutes=1)).isoformat())
    partial_request = signed(partial, at=now - timedelta(seconds=5))  # signed after the re-grade was
    assert writeback(*signed(graded, at=now - timedelta(seconds=50))).body["stored"] is True
    assert writeback(*partial_request).body["ignored"] == "older"
    assert stored(lesson_id="testout-mt")["writeback"]["score"] == 80


def test_without_a_score_date_the_signing_time_orders_them(school, assigned):
    now = datetime.now(UTC)
    first, second = good(assigned, score=10), good(assigned, score=20)
    second_request = signed(second, at=now - timedelta(seconds=10))
    assert writeback(*signed(first, at=now - timedelta(seconds=20))).body["stored"] is True
    assert writeback(*second_request).body["stored"] is True
    assert writeback(*signed(first, at=now - timedelta(seconds=20))).body["ignored"] == "older"
    same_time = writeback(*signed(good(assigned, score=30), at=now - timedelta(seconds=10)))
    assert same_time.status == 409 and same_time.body["error"]["field"] == "scoreDate"  # cannot be ordered
    assert stored(lesson_id="testout-mt")["writeback"]["score"] == 20


@pytest.mark.parametrize("field", ["scoreDate", "dateLastModified"])
@pytest.mark.parametrize("value", ["2026-03-01T12:00:00", "yesterday", "1999-12-31T23:00:00Z", "future"])
def test_a_time_that_cannot_order_write_backs_is_400(school, assigned, field, value):
    if value == "future":
        value = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    answer = writeback(*signed(good(assigned, **{field: value})))
    assert answer.status == 400 and answer.body["error"]["field"] == field, answer.body
    assert stored(lesson_id="testout-mt")["writeback_seq"] == 0


def padded(assigned: str, size: int) -> dict:
    """A valid write-back of exactly ``size`` bytes of JSON (padding in the first question's feedback)."""
    payload = good(assigned)
    payload["questions"] = [{"id": f"q{i}", "index": i, "correct": True, "score": 1, "feedback": ""}
                            for i in range(100)]
    base = len(json.dumps(payload).encode())
    for question in payload["questions"]:
        room = min(5000, size - base)
        question["feedback"] = "x" * room
        base += room
    assert len(json.dumps(payload).encode()) == size
    return payload


def test_an_oversize_write_back_is_413_before_anything_is_read_or_stored(school, assigned, dynamo_calls):
    from functions.providers.masterytrack import MAX_WRITEBACK_BYTES

    at_limit = padded(assigned, MAX_WRITEBACK_BYTES)
    over = padded(assigned, MAX_WRITEBACK_BYTES + 1)
    dynamo_calls.reset()
    refused = writeback(*signed(over))
    assert refused.status == 413, refused.body
    assert refused.body["error"]["code"] == "too_large" and "131,072" in refused.body["error"]["message"]
    assert dynamo_calls.total == 0 and stored(lesson_id="testout-mt")["writeback_seq"] == 0
    unsigned = writeback(json.dumps(over).encode(), {})  # the size is checked before the signature
    assert unsigned.status == 413
    assert writeback(*signed(at_limit)).body["stored"] is True
    assert import_now(lesson_id="testout-mt").body["finalized"] is True


def test_a_write_back_gives_a_parked_assignment_a_fresh_set_of_tries(school, assigned):
    from functions.data import keys
    from functions.data.store import Store

    key = keys.external_test_key("student-course-1", "testout-mt", 1)
    item = Store().get(key, consistent=True)
    item.pop("gsi4pk"), item.pop("gsi4sk")
    Store().put({**item, "failures": 10, "parked_at": datetime.now(UTC).isoformat(), "last_error": "stuck"})
    answer = writeback(*signed(good(assigned)))
    assert answer.status == 200 and answer.body["stored"] is True
    after = stored(lesson_id="testout-mt")
    assert "parked_at" not in after and after["failures"] == 0 and after["gsi4pk"].startswith("pending#")
