"""POST /api/exam-session/{sessionId}/responses on moto: saving, submitting, validation, time, rights, races."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.core.models import Maturity
from functions.data.sessions import SessionRepository
from tests.conftest import call
from tests.factories import classroom, course, enroll, user
from tests.integration.examspark_helpers import (
    COURSE,
    EXAM,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    TA,
    choice,
    history,
    item_count,
    key,
    respond,
    start,
    stats,
    store_session,
    stored,
)


@pytest.fixture
def room(table):
    return classroom()


@pytest.fixture
def sid(room):
    return start()


def test_saving_merges_with_what_was_saved(room, sid):
    first, second, third = room["items"]
    assert respond(sid, [choice(first, 1)]).status == 200
    answer = respond(sid, [choice(second, 2)], query={"include[]": ["responses"]})
    assert answer.status == 200, answer.body
    body = answer.body["examSession"]
    assert body["maturity"] == "IN_PROGRESS" and "results" not in body
    assert body["responses"][first]["questions"][0]["response"] == {"options": [{"index": 1}]}
    assert body["responses"][second]["questions"][0]["response"] == {"options": [{"index": 2}]}
    assert body["responses"][third] == {}
    # a question given again replaces its selection; an empty selection clears it
    respond(sid, [choice(first, 2), choice(second)])
    assert stored(sid).current.responses == {first: {f"{first}-q": [2]}}  # type: ignore[union-attr]
    assert stats() == {"id": EXAM, "sk": "exam-stats", "sessions": 1, "attempts": 1}  # saving scores nothing


def test_submit_scores_completes_and_keeps_history(room, sid):
    first, second, third = room["items"]
    answer = respond(sid, [choice(first, 2), choice(second, 2), choice(third, 0)], True)
    assert answer.status == 200, answer.body
    body = answer.body["examSession"]
    assert body["maturity"] == "COMPLETE" and body["scoreActual"] == 66.67 and body["submittedAt"]
    assert body["results"]["points"] == {"actual": 2, "isScorable": True, "min": 0, "max": 3}
    assert body["results"]["objectives"][f"obj-{COURSE}"]["score"]["actual"] == 2
    assert {i["id"]: i["score"]["actual"] for i in body["results"]["items"]} == {first: 1, second: 1, third: 0}
    assert stats()["scored"] == 1 and stats()["scoreSum"] == 66.67 and stats()["h:66.67"] == 1
    kept = history(sid)
    assert len(kept) == 1 and kept[0].maturity is Maturity.IN_PROGRESS
    assert kept[0].history_note and (kept[0].history_note.reason, kept[0].history_note.by) == ("submit", STUDENT)
    again = respond(sid, [choice(first, 0)])
    assert again.status == 409 and "complete" in again.body["error"]["message"]
    assert stored(sid).current.responses[first] == {f"{first}-q": [2]}  # type: ignore[union-attr]


def test_every_problem_is_listed_in_one_400_and_nothing_is_written(room, sid):
    first, second, _ = room["items"]
    before, count = stored(sid), item_count()
    answer = respond(sid, [
        choice(first, 2),  # fine, but not saved because others are wrong
        choice("item-elsewhere", 1),
        choice(second, 1, question="no-such-question"),
        {"itemId": f"item-{COURSE}-2", "questions": [{"id": f"item-{COURSE}-2-q",
                                                       "response": {"options": [{"index": 4}, {"index": 7}]}}]},
        choice(first, 1),
    ], True)
    assert answer.status == 400, answer.body
    message = answer.body["error"]["message"]
    assert answer.body["error"]["field"] == "responses"
    for part in ("item 'item-elsewhere' is not in this session's question set",
                 "question 'no-such-question' does not exist", "has no option index 4 (0..3)",
                 "has no option index 7 (0..3)", f"item '{first}' is given twice"):
        assert part in message, message
    assert stored(sid) == before and item_count() == count


@pytest.mark.parametrize("body,field", [
    ('{"responses": [', "body"),
    ({"submitForScoring": True}, "responses"),
    ({"responses": "all of them"}, "responses"),
    ({"submitForScoring": "yes", "responses": []}, "submitForScoring"),
    ({"responses": [{"itemId": "x", "questions": [{"id": "q", "response": {"options": [{"index": "2"}]}}]}]}, "index"),
    ({"responses": [{"itemId": "x", "questions": [{"id": "q", "response": {"options": [{"index": -1}]}}]}]}, "index"),
    ({"responses": [{"itemId": "x", "questions": []}]}, "questions"),
    ({"responses": [{"questions": [{"id": "q", "response": {"options": []}}]}]}, "itemId"),
    ({"responses": [{"itemId": "x", "questions": [{"id": "q"}]} for _ in range(101)]}, "responses"),
    ([1, 2], None),
])
def test_bad_bodies_are_400_naming_the_field_and_write_nothing(sid, body, field):
    count, before = item_count(), stored(sid)
    answer = call("examspark_set_responses", {"sessionId": sid}, as_user=STUDENT, body=body)
    assert answer.status == 400, answer.body
    if field:
        assert field in answer.body["error"]["message"], answer.body
    assert item_count() == count and stored(sid) == before


def test_after_the_end_time_responses_are_refused_and_the_attempt_completes_with_what_was_saved(room, sid):
    first = room["items"][0]
    respond(sid, [choice(first, 2)])
    session = stored(sid)
    assert session.current is not None
    session.current.started_at -= timedelta(minutes=90)
    session.current.ends_at = session.current.started_at + timedelta(minutes=60)
    store_session(session)
    late = respond(sid, [choice(room["items"][1], 2)], True)
    assert late.status == 409
    assert session.current.ends_at.isoformat() in late.body["error"]["message"]
    after = stored(sid)
    assert after.maturity is Maturity.COMPLETE and after.current is not None
    assert after.current.submitted_at == session.current.ends_at
    assert after.current.responses == {first: {f"{first}-q": [2]}}  # the late answer is not in
    assert after.score_actual == 33.33 and stats()["scored"] == 1 and stats()["h:33.33"] == 1


def test_rights(room, sid):
    body = [choice(room["items"][0], 2)]
    assert respond(sid, body, as_user=None).status == 401
    denied = respond(sid, body, as_user=OTHER)
    assert denied.status == 404 and sid not in str(denied.body)
    course("course-2")
    user("teacher-2")
    enroll("course-2", "teacher-2", "instructor")
    assert respond(sid, body, as_user="teacher-2").status == 404
    assert respond(sid, body, as_user=None, authorizer=key(courses="course-2")).status == 404
    viewer = respond(sid, body, as_user=None, authorizer=key(rights="course:view"))
    assert viewer.status == 403 and "attempt:manage" in viewer.body["error"]["message"]
    assert respond(sid, body, as_user=TA).status == 200  # on the student's behalf
    assert respond(sid, body, as_user=INSTRUCTOR).status == 200
    assert respond(sid, body, as_user=None, authorizer=key()).status == 200
    assert respond("no-such-session", body).status == 404


def test_dynamodb_calls(room, sid, dynamo_calls):
    dynamo_calls.reset()
    respond(sid, [choice(room["items"][0], 2)])
    # session, user + enrollment (rights), exam, course (active?); the drawn items; the conditional write
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "BatchGetItem": 1, "TransactWriteItems": 1}
    dynamo_calls.reset()
    respond(sid, [choice(room["items"][1], 2)], True, as_user=None, authorizer=key())
    # an integration key's rights cost nothing; submit = session + history copy + statistics, one transaction
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "TransactWriteItems": 1}


class OtherWriter:
    """Saves another answer between our read and our write (as a concurrent request would), ``times`` times."""

    def __init__(self, monkeypatch, answers, times=1):
        from functions.core.responses import ItemAnswer, QuestionAnswer
        from functions.data.unit_of_work import DynamoUnitOfWork

        self.original = DynamoUnitOfWork.commit
        self.pending = [ItemAnswer(item, (QuestionAnswer(f"{item}-q", (index,)),)) for item, index in answers][:times]
        monkeypatch.setattr(DynamoUnitOfWork, "commit", lambda unit, work: self(unit, work))

    def __call__(self, unit, work):
        from functions.core.changes import SessionChanged, Work

        if self.pending:
            answer = self.pending.pop(0)
            repo = SessionRepository()
            [session] = work.sessions()
            read = repo.with_current(repo.get_session(session.id, consistent=True), consistent=True)
            current = read.model_copy(deep=True)
            current.current.responses.setdefault(answer.item_id, {})[answer.questions[0].question_id] = [
                answer.questions[0].indexes[0]]
            current.version += 1
            self.original(unit, Work("session.save", current.course_id, [SessionChanged(read, current, "save")]))
        return self.original(unit, work)


def test_a_lost_race_is_reread_and_reapplied_so_neither_update_is_lost(room, sid, monkeypatch, dynamo_calls):
    first, second, _ = room["items"]
    OtherWriter(monkeypatch, [(second, 1)])
    dynamo_calls.reset()
    answer = respond(sid, [choice(first, 2)])
    assert answer.status == 200, answer.body
    # docs/data-model.md: the route's 5 GetItem + 1 BatchGetItem + 1 TransactWriteItems (refused), then +1 GetItem
    # + 1 BatchGetItem (consistent re-read) + 1 TransactWriteItems; and the other writer's own 1 + 1 + 1 inside it
    assert dict(dynamo_calls.counts) == {"GetItem": 5 + 1 + 1, "BatchGetItem": 1 + 1 + 1,
                                         "TransactWriteItems": 1 + 1 + 1}
    assert stored(sid).current.responses == {  # type: ignore[union-attr]
        first: {f"{first}-q": [2]}, second: {f"{second}-q": [1]}}
    assert stored(sid).version == 3


def test_losing_twice_is_a_409_that_keeps_the_winners_updates(room, sid, monkeypatch):
    first, second, third = room["items"]
    OtherWriter(monkeypatch, [(second, 1), (third, 3)], times=2)
    answer = respond(sid, [choice(first, 2)], True)
    assert answer.status == 409 and answer.body["error"]["code"] == "concurrent_update"
    after = stored(sid)
    assert after.current.responses == {  # type: ignore[union-attr]
        second: {f"{second}-q": [1]}, third: {f"{third}-q": [3]}}
    assert after.maturity is Maturity.IN_PROGRESS and stats().get("scored", 0) == 0 and history(sid) == []
