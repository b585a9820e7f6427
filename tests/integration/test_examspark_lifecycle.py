"""Retake, reset and reopen on moto: the rules, the session score policy, history, statistics, rights, calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.models import Maturity, ScoringPolicy
from functions.data.exams import ExamRepository
from functions.data.writers import seed
from tests.conftest import call
from tests.factories import classroom, course, enroll, exam, user
from tests.integration.examspark_helpers import (
    COURSE,
    INSTRUCTOR,
    OTHER,
    STUDENT,
    TA,
    choice,
    grant,
    history,
    key,
    respond,
    start,
    stats,
    store_session,
    stored,
    submit_all,
)

MULTI = "exam-multi"


@pytest.fixture
def room(table):
    room = classroom()
    exam(MULTI, COURSE, room["items"], retakable=True, max_attempts=2, time_limit_minutes=60)
    return room


def act(route, sid, *, as_user=STUDENT, authorizer=None):
    return call(f"examspark_{route}", {"sessionId": sid}, as_user=as_user, authorizer=authorizer,
                query={"include[]": ["responses", "results"]})


# --- retake ------------------------------------------------------------------------------------
@pytest.mark.parametrize("policy,expected", [("HIGHEST", 100), ("LATEST", 0), ("AVERAGE", 50)])
def test_retake_starts_a_new_attempt_and_the_score_follows_the_policy(room, policy, expected):
    exam_ = ExamRepository().get_exam(MULTI)
    assert exam_ is not None
    seed("exam", exam_.model_copy(update={"scoring_policy": ScoringPolicy(policy), "version": 2}))
    sid = start(MULTI)
    submit_all(sid, room["items"], right=3)
    drawn = stored(sid).item_ids
    retaken = act("retake", sid)
    assert retaken.status == 200, retaken.body
    body = retaken.body["examSession"]
    assert (body["attempt"], body["maturity"], body["scoreActual"]) == (2, "IN_PROGRESS", 100)
    assert body["results"] is None and all(r == {} for r in body["responses"].values())
    assert body["endsAt"] > body["startedAt"]
    assert stored(sid).item_ids == drawn and len(stored(sid).attempts) == 2  # same question set
    second = submit_all(sid, room["items"], right=0)
    assert second.body["examSession"]["scoreActual"] == expected
    assert stats(MULTI)["scored"] == 1 and stats(MULTI)["scoreSum"] == expected
    assert stats(MULTI)[f"h:{expected:g}"] == 1 and stats(MULTI).get("h:100", 0) == (1 if expected == 100 else 0)


def test_retake_of_an_attempt_past_its_end_completes_it_first(room, dynamo_calls):
    """docs/data-model.md, ExamSpark variants: +1 BatchGetItem (the items and parts to score the timed-out
    attempt) + 1 TransactWriteItems (its completion) on the retake's own calls."""
    sid = start(MULTI)
    session = stored(sid)
    assert session.current is not None
    session.current.ends_at = datetime.now(UTC) - timedelta(minutes=1)
    store_session(session)
    dynamo_calls.reset()
    answer = call("examspark_retake", {"sessionId": sid}, as_user=STUDENT)
    assert answer.status == 200, answer.body
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "Query": 1, "BatchGetItem": 1, "TransactWriteItems": 2}
    assert answer.body["examSession"]["attempt"] == 2
    assert [a.complete for a in stored(sid).attempts] == [True, False]


def test_retake_refusals_say_why(room):
    plain = start()  # classroom's exam does not allow retakes
    submit_all(plain, room["items"], right=1)
    refused = act("retake", plain)
    assert refused.status == 409 and "does not allow retakes" in refused.body["error"]["message"]
    sid = start(MULTI)
    running = act("retake", sid)
    assert running.status == 409 and "attempt 1 is not complete" in running.body["error"]["message"]
    submit_all(sid, room["items"], right=1)
    assert act("retake", sid).status == 200
    submit_all(sid, room["items"], right=2)
    used = act("retake", sid)
    assert used.status == 409 and "all 2 attempts are used (2 allowed by the exam, 0 extra" in \
        used.body["error"]["message"]
    grant(MULTI, STUDENT, extra_attempts=1)  # the student's extension counts
    third = act("retake", sid)
    assert third.status == 200 and third.body["examSession"]["attempt"] == 3


def test_retake_needs_the_exam_open(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    exam_ = ExamRepository().get_exam(MULTI)
    assert exam_ is not None
    closed = datetime.now(UTC) - timedelta(minutes=1)
    seed("exam", exam_.model_copy(update={"closes_at": closed, "version": 2}))
    refused = act("retake", sid)
    assert refused.status == 409 and "not open for a new attempt" in refused.body["error"]["message"]


def test_retake_rights(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    assert act("retake", sid, as_user=None).status == 401
    assert act("retake", sid, as_user=OTHER).status == 404
    assert act("retake", sid, as_user=None, authorizer=key(rights="course:view")).status == 403
    assert act("retake", sid, as_user=None, authorizer=key(courses="elsewhere")).status == 404
    assert act("retake", sid, as_user=TA).status == 200  # on the student's behalf: attempt:manage
    assert act("retake", "no-such-session").status == 404


# --- reset -------------------------------------------------------------------------------------
def test_reset_empties_the_current_attempt_and_keeps_the_old_state_in_history(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=2)
    before = stored(sid)
    assert stats(MULTI)["scored"] == 1
    answer = act("reset", sid, as_user=TA)
    assert answer.status == 200, answer.body
    body = answer.body["examSession"]
    assert (body["attempt"], body["maturity"], body["scoreActual"], body["results"]) == (1, "IN_PROGRESS", None,
                                                                                        None)
    assert all(r == {} for r in body["responses"].values())
    after = stored(sid)
    assert after.item_ids == before.item_ids and after.current is not None
    assert after.current.reset_by == TA and after.current.reset_at and after.current.started_at > \
        before.current.started_at  # type: ignore[union-attr]
    kept = history(sid)[0]  # newest first: the state the reset replaced
    assert kept.history_note is not None and (kept.history_note.reason, kept.history_note.by) == ("reset", TA)
    assert kept.current == before.current and kept.score_actual == 66.67
    assert stats(MULTI).get("scored") == 0 and stats(MULTI).get("h:66.67") == 0


def test_reset_of_a_retake_keeps_the_earlier_attempts_score(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=3)
    act("retake", sid)
    submit_all(sid, room["items"], right=1)
    reset = act("reset", sid, as_user=INSTRUCTOR)
    assert reset.body["examSession"]["attempt"] == 2 and reset.body["examSession"]["scoreActual"] == 100
    assert stats(MULTI)["scoreSum"] == 100


def test_reset_rights(room):
    sid = start(MULTI)
    assert act("reset", sid, as_user=None).status == 401
    own = act("reset", sid)
    assert own.status == 403 and "attempt:manage" in own.body["error"]["message"]
    assert act("reset", sid, as_user=OTHER).status == 404
    course("course-2")
    user("teacher-2")
    enroll("course-2", "teacher-2", "instructor")
    assert act("reset", sid, as_user="teacher-2").status == 404
    assert act("reset", sid, as_user=None, authorizer=key(rights="course:view")).status == 403
    assert act("reset", sid, as_user=None, authorizer=key()).status == 200


# --- reopen ------------------------------------------------------------------------------------
def test_reopen_keeps_responses_and_removes_the_score_until_resubmitted(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=2)
    answer = act("reopen", sid, as_user=TA)
    assert answer.status == 200, answer.body
    body = answer.body["examSession"]
    assert (body["maturity"], body["scoreActual"], body["results"], body["submittedAt"]) == (
        "IN_PROGRESS", None, None, None)
    assert sum(1 for r in body["responses"].values() if r) == 3
    assert stats(MULTI)["scored"] == 0
    assert history(sid)[0].history_note.reason == "reopen"  # type: ignore[union-attr]
    assert respond(sid, [choice(room["items"][2], 2)], True).body["examSession"]["scoreActual"] == 100
    assert stats(MULTI)["scored"] == 1 and stats(MULTI)["h:100"] == 1


def test_reopen_refusals_say_why(room):
    sid = start(MULTI)
    running = act("reopen", sid, as_user=TA)
    assert running.status == 409 and "already IN_PROGRESS" in running.body["error"]["message"]
    submit_all(sid, room["items"], right=1)
    session = stored(sid)
    assert session.current is not None
    session.current.started_at -= timedelta(minutes=90)
    session.current.ends_at = session.current.started_at + timedelta(minutes=60)
    store_session(session)
    late = act("reopen", sid, as_user=TA)
    assert late.status == 409 and "time ran out" in late.body["error"]["message"]
    assert session.current.ends_at.isoformat() in late.body["error"]["message"]
    grant(MULTI, STUDENT, extra_time_minutes=60)  # an extension lengthens the attempt: now it may reopen
    extended = act("reopen", sid, as_user=TA)
    assert extended.status == 200, extended.body
    assert extended.body["examSession"]["limitedBy"] == "extension"
    assert stored(sid).current.ends_at == session.current.started_at + timedelta(minutes=120)  # type: ignore


def test_reopen_only_while_the_exam_is_open_unless_unlocked(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    exam_ = ExamRepository().get_exam(MULTI)
    assert exam_ is not None
    seed("exam", exam_.model_copy(update={"closes_at": datetime.now(UTC) - timedelta(seconds=1),
                                                        "version": 2}))
    closed = act("reopen", sid, as_user=TA)
    assert closed.status == 409 and "is closed" in closed.body["error"]["message"]
    grant(MULTI, STUDENT, manually_unlocked=True)
    assert act("reopen", sid, as_user=TA).status == 200
    assert stored(sid).maturity is Maturity.IN_PROGRESS


def test_reopen_rights(room):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    assert act("reopen", sid, as_user=None).status == 401
    assert act("reopen", sid).status == 403
    assert act("reopen", sid, as_user=OTHER).status == 404
    assert act("reopen", sid, as_user=None, authorizer=key(courses="elsewhere")).status == 404
    assert act("reopen", "no-such-session", as_user=TA).status == 404


# --- cost --------------------------------------------------------------------------------------
# session, user + enrollment (rights), exam, the student's extension; one transaction. A retake also reads the
# course (active?) and Queries the student's sessions on the exam (attempts count per student and exam); a reopen
# reads the attempt's responses (its own items) for the continuation.
@pytest.mark.parametrize("route,as_user,extra", [("retake", STUDENT, {"GetItem": 1, "Query": 1}),
                                                 ("reset", TA, {}),
                                                 ("reopen", TA, {"BatchGetItem": 1})])  # + its responses
def test_dynamodb_calls(room, dynamo_calls, route, as_user, extra):
    sid = start(MULTI)
    submit_all(sid, room["items"], right=1)
    dynamo_calls.reset()
    assert act(route, sid, as_user=as_user).status == 200
    expected = {"GetItem": 5, "TransactWriteItems": 1}
    for name, n in extra.items():
        expected[name] = expected.get(name, 0) + n
    assert dict(dynamo_calls.counts) == expected
