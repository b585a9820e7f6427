"""An attempt's responses and results live in its own part items, not in the session item (moto): what each
write stores, that history copies and removal records keep naming parts that are as they were, the limit on a
session's attempts, and the reads the routes that show responses make (docs/data-model.md, "Sessions and
attempts")."""

from __future__ import annotations

import pytest

from functions.core import work
from functions.core.models import Attempt
from functions.data import keys
from functions.data.sessions import SessionRepository
from functions.data.store import Store
from tests.conftest import call
from tests.factories import classroom, exam
from tests.integration.examspark_helpers import (
    COURSE,
    STUDENT,
    TA,
    choice,
    history,
    respond,
    start,
    store_session,
    stored,
    submit_all,
)

MULTI = "exam-parts"


@pytest.fixture
def room(table):
    room = classroom()
    exam(MULTI, COURSE, room["items"], retakable=True, max_attempts=3)
    return room


def raw(session_id: str) -> dict:
    item = Store().get(keys.session_key(session_id), consistent=True)
    assert item is not None
    return item


def parts(session_id: str) -> list[dict]:
    return Store().query_page(session_id, f"{keys.SESSION_SK}#part#", limit=100).items


def act(route: str, sid: str, as_user: str = STUDENT):
    return call(f"examspark_{route}", {"sessionId": sid}, as_user=as_user)


def test_the_session_item_holds_summaries_and_the_parts_hold_responses_and_results(room):
    sid = start(MULTI)
    assert parts(sid) == []  # a new attempt has nothing to store yet
    assert respond(sid, [choice(room["items"][0], 2)]).status == 200
    item = raw(sid)
    attempt = item["attempts"][0]
    assert "responses" not in attempt and "item_scores" not in attempt and attempt["detached"] is True
    assert attempt["answered"] == 1
    [part] = parts(sid)
    assert part["sk"] == f"exam-session#part#{attempt['record']}#0"
    assert part["responses"] == {room["items"][0]: {f"{room['items'][0]}-q": [2]}}
    submit_all(sid, room["items"], right=2)
    after = raw(sid)["attempts"][0]
    assert after["record"] != attempt["record"]  # the submit is kept in history: its parts under a new record
    kept = history(sid)[0]  # the state before the submit, with the parts it had
    assert kept.current is not None and kept.current.responses == {room["items"][0]: {f"{room['items'][0]}-q": [2]}}
    assert kept.current.item_scores == {}
    scored = stored(sid).current
    assert scored is not None and scored.points is not None and scored.points.actual == 2
    assert set(scored.objective_scores) and set(scored.item_scores) == set(room["items"])


def test_a_reopen_carries_the_responses_into_the_continuation_and_keeps_the_reopened_attempts_parts(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    reopened = act("reopen", sid, as_user=TA)
    assert reopened.status == 200, reopened.body
    session = stored(sid)
    first, continuation = session.attempts
    assert continuation.responses and first.record != continuation.record
    earlier = SessionRepository().with_current(session.model_copy(update={"attempts": [first]}))
    assert earlier.current is not None and earlier.current.responses == continuation.responses
    assert earlier.current.item_scores  # the reopened attempt's results stay as they were


def test_a_session_holds_at_most_the_documented_attempts_and_a_reopen_past_them_is_a_409(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    session = stored(sid)
    done = session.attempts[0]
    session.attempts = [done.model_copy(update={"number": n, "superseded": n < work.MAX_ATTEMPT_RECORDS,
                                                "reopens": 1 if n > 1 else None})
                        for n in range(1, work.MAX_ATTEMPT_RECORDS + 1)]
    store_session(session)
    before = raw(sid)
    refused = act("reopen", sid, as_user=TA)
    assert refused.status == 409 and f"at most {work.MAX_ATTEMPT_RECORDS} attempts" in refused.body["error"]["message"]
    assert raw(sid) == before


def test_a_removal_and_its_restore_bring_back_every_attempt_with_its_responses_and_results(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=2)
    assert act("retake", sid).status == 200
    assert respond(sid, [choice(room["items"][1], 1)]).status == 200
    before = stored(sid)
    first = SessionRepository().with_current(before.model_copy(update={"attempts": before.attempts[:1]}))
    removed = call("learningstudio_reset_exam", {"userId": STUDENT, "courseId": COURSE, "examId": MULTI},
                   as_user=f"instructor-{COURSE}")
    assert removed.status == 200, removed.body
    assert removed.body["reset"]["savedAnswers"] == 4  # 3 answered in the first attempt, 1 in the second
    assert SessionRepository().get_session(sid, consistent=True) is None
    restored = call("learningstudio_restore_exam", {"courseId": COURSE, "examId": MULTI,
                                                    "resetId": removed.body["reset"]["id"]},
                    as_user=f"instructor-{COURSE}")
    assert restored.status == 200, restored.body
    after = stored(sid)
    assert [a.model_dump() for a in after.attempts] == [a.model_dump() for a in before.attempts]
    again = SessionRepository().with_current(after.model_copy(update={"attempts": after.attempts[:1]}))
    assert again.current == first.current  # the first attempt's responses and results too


def test_showing_responses_reads_the_current_attempts_parts_once(room, dynamo_calls):
    sid = start(MULTI)
    assert respond(sid, [choice(room["items"][0], 2)]).status == 200
    dynamo_calls.reset()
    plain = call("examspark_get_session", {"sessionId": sid}, as_user=STUDENT)
    assert plain.status == 200 and "responses" not in plain.body["examSession"]
    assert dict(dynamo_calls.counts) == {"GetItem": 4}
    dynamo_calls.reset()
    shown = call("examspark_get_session", {"sessionId": sid}, as_user=STUDENT, query={"include[]": ["responses"]})
    assert shown.body["examSession"]["responses"][room["items"][0]]["questions"][0]["response"] == {
        "options": [{"index": 2}]}
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "BatchGetItem": 1}
    dynamo_calls.reset()
    again = call("examspark_start_session", {"examConfigId": MULTI}, as_user=STUDENT, body={"user_id": STUDENT},
                 query={"include[]": ["responses"]})
    assert again.status == 200 and again.body["examSession"]["responses"][room["items"][0]]
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "BatchGetItem": 1}


def test_an_attempt_is_its_summary_in_every_list(room):
    """Lists read session items only: the LearningStudio list shows every attempt without reading parts."""
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    assert act("retake", sid).status == 200
    listed = call("learningstudio_list_user_exams", {"userId": STUDENT, "courseId": COURSE}, as_user=STUDENT)
    assert listed.status == 200, listed.body
    assert [a["status"] for a in listed.body["exams"][0]["attempts"]] == ["submitted", "inProgress"]
    assert isinstance(stored(sid).attempts[0], Attempt)


def test_a_session_stored_before_the_split_keeps_every_attempts_responses_on_its_next_write(room):
    """An item with every attempt inline (as written before attempts had parts): read as it is, and its next
    write stores each attempt's responses and results in parts."""
    from functions.data.store import to_item

    sid = start(MULTI)
    submit_all(sid, room["items"], right=2)
    assert act("retake", sid).status == 200
    session = stored(sid)
    session.attempts[0] = SessionRepository().with_current(
        session.model_copy(update={"attempts": session.attempts[:1]})).attempts[0]
    old_style = to_item(session.model_copy(update={"attempt_parts": False}), keys.session_key(sid))
    old_style["attempts"] = [{k: v for k, v in a.items() if k not in ("record", "detached", "answered")}
                             for a in old_style["attempts"]]
    for part in parts(sid):
        Store().transact([{"Delete": {"Key": {"id": {"S": sid}, "sk": {"S": part["sk"]}}}}])
    Store().put({**raw(sid), **old_style})
    legacy = SessionRepository().get_session(sid, consistent=True)
    assert legacy is not None and legacy.attempts[0].responses and not legacy.attempt_parts
    assert respond(sid, [choice(room["items"][0], 1)]).status == 200
    after = stored(sid)
    assert after.attempt_parts and after.attempts[0].detached
    first = SessionRepository().with_current(after.model_copy(update={"attempts": after.attempts[:1]}))
    assert first.current is not None and first.current.item_scores and first.current.responses == \
        session.attempts[0].responses
    assert after.current is not None and after.current.responses == {
        room["items"][0]: {f"{room['items'][0]}-q": [1]}}
