"""The rulebook's security rules through every door (moto): attempts belong to (student, exam), one disclosure
rule, inactive courses and exams closed to students, one right and one window for removing a student's work.
docs/rulebook.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.models import Course, Role
from functions.core.services.work_removal import MAX_REMOVED
from functions.data.exams import ExamRepository
from functions.data.sessions import SessionRepository
from functions.data.writers import seed
from tests.conftest import call
from tests.factories import classroom, enroll, exam, user
from tests.integration.examspark_helpers import choice, grant, key, respond, stored
from tests.integration.openedx_helpers import edx, num

COURSE = "course-1"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
REGISTRAR, GRADER = "registrar-1", "grader-1"  # custom roles with / without course:admin
QUIZ, RETRY = "quiz-once", "quiz-retry"


@pytest.fixture
def room(table):
    room = classroom(COURSE)
    exam(QUIZ, COURSE, room["items"], type="timed", time_limit_minutes=60, max_attempts=1)
    exam(RETRY, COURSE, room["items"], type="timed", time_limit_minutes=60, max_attempts=3, retakable=True)
    seed("role", Role(id="registrar", name="Registrar", rights=["course:view", "course:admin"]))
    seed("role", Role(id="grader", name="Grader", rights=["course:view", "attempt:manage"]))
    for uid, role in ((REGISTRAR, "registrar"), (GRADER, "grader")):
        user(uid)
        enroll(COURSE, uid, role)
    return room


def start(exam_id: str, *, as_user: str = STUDENT, context: str = "", results: bool = False):
    return call("examspark_start_session", {"examConfigId": exam_id}, as_user=as_user,
                body={"user_id": STUDENT, "context_id": context},
                query={"include[]": ["results"]} if results else None)


def submit(sid: str, items: list[str], right: int = 3, as_user: str = STUDENT):
    answer = respond(sid, [choice(i, 2 if n < right else 0) for n, i in enumerate(items)], True, as_user=as_user)
    assert answer.status == 200, answer.body
    return answer


def retake(sid: str, as_user: str = STUDENT):
    return call("examspark_retake", {"sessionId": sid}, as_user=as_user)


def results(sid: str, as_user: str = STUDENT):
    return call("examspark_get_results", {"sessionId": sid}, as_user=as_user)


def keys_of(answer) -> list:
    return [q["keys"] for i in answer.body["results"]["items"] for q in i["questions"]]


def change_exam(exam_id: str, **fields) -> None:
    repo = ExamRepository()
    found = repo.get_exam(exam_id)
    assert found is not None
    seed("exam", found.model_copy(update={**fields, "version": found.version + 1}))


def ls(route: str, exam_id: str, *, as_user: str, user_id: str = STUDENT):
    return call(f"learningstudio_{route}", {"userId": user_id, "courseId": COURSE, "examId": exam_id},
                as_user=as_user)


def edx_reset(exam_id: str, *, as_user: str):
    return edx("reset_attempt", exam_id=exam_id, as_user=as_user, path={"username": STUDENT})


def live_sessions(exam_id: str) -> list:
    return SessionRepository().student_sessions(COURSE, STUDENT, exam_id)


# --- attempts belong to (student, exam) ---------------------------------------------------------------
def test_a_student_cannot_walk_around_max_attempts_with_new_contexts(room):
    first = start(QUIZ, context="a")
    submit(first.body["examSession"]["id"], room["items"], right=0)
    again = start(QUIZ, context="b", results=True)
    # the same (complete) session: the student's context is ignored, no new attempt is minted
    assert again.status == 200 and again.body["examSession"]["id"] == first.body["examSession"]["id"]
    assert again.body["examSession"]["maturity"] == "COMPLETE" and again.body["examSession"]["attemptsUsed"] == 1
    for context in ("c", "d", "e"):
        start(QUIZ, context=context)
    assert len(live_sessions(QUIZ)) == 1


def test_attempts_count_across_every_session_and_door(room):
    launched = start(RETRY, as_user=INSTRUCTOR, context="lms-section-2")  # a trusted launch: its own session
    assert launched.status == 200 and launched.body["examSession"]["examSessionData"]["lti"]["contextId"]
    submit(launched.body["examSession"]["id"], room["items"], as_user=INSTRUCTOR)
    own = start(RETRY).body["examSession"]["id"]  # attempt 2, in the student's own session
    submit(own, room["items"])
    assert retake(own).status == 200  # attempt 3
    submit(own, room["items"])
    used = retake(own)
    assert used.status == 409 and "all 3 attempts are used" in used.body["error"]["message"]
    refused = start(RETRY, as_user=INSTRUCTOR, context="lms-section-3")
    assert refused.status == 409 and "all 3 attempts are used" in refused.body["error"]["message"]
    begun = ls("begin_exam", RETRY, as_user=STUDENT)
    assert begun.status == 400  # the instance exists (the student's own session)
    grant(RETRY, STUDENT, extra_attempts=1)
    assert retake(own).status == 200
    assert len(live_sessions(RETRY)) == 2


# --- one disclosure rule --------------------------------------------------------------------------------
def test_hidden_scores_stay_hidden_when_a_completed_session_is_started_again(room):
    change_exam(QUIZ, show_score_on_complete=False)
    sid = start(QUIZ).body["examSession"]["id"]
    done = submit(sid, room["items"])
    assert done.body["examSession"]["scoreActual"] is None and done.body["examSession"]["results"] is None
    again = start(QUIZ, results=True)
    assert again.body["examSession"]["scoreActual"] is None and again.body["examSession"]["results"] is None
    assert results(sid).status == 403
    staff = call("examspark_get_session", {"sessionId": sid}, as_user=TA, query={"include[]": ["results"]})
    assert staff.body["examSession"]["scoreActual"] == 100 and staff.body["examSession"]["results"]


def test_answer_keys_only_once_no_further_attempt_can_start(room, dynamo_calls):
    sid = start(RETRY).body["examSession"]["id"]
    submit(sid, room["items"], right=1)
    dynamo_calls.reset()
    first = results(sid)
    assert first.status == 200 and first.body["examSession"]["keysShown"] is False
    assert all(k == [] for k in keys_of(first)) and first.body["results"]["points"]["actual"] == 1
    # session, user, enrollment, exam; items, objectives; and (docs/data-model.md) the student's extension
    # and sessions on the exam: they decide whether a further attempt is possible
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "BatchGetItem": 2, "Query": 1}
    assert all(k for k in keys_of(results(sid, as_user=TA)))  # staff see the keys at any time
    assert all(k for k in keys_of(call("examspark_get_results", {"sessionId": sid}, as_user=None,
                                       authorizer=key())))
    for _ in range(2):
        assert retake(sid).status == 200
        submit(sid, room["items"], right=1)
    last = results(sid)
    assert last.body["examSession"]["keysShown"] is True and all(k for k in keys_of(last))


def test_keys_follow_every_attempt_only_when_the_exam_says_so(room):
    change_exam(RETRY, show_keys_after_each_attempt=True)
    sid = start(RETRY).body["examSession"]["id"]
    submit(sid, room["items"], right=1)
    assert results(sid).body["examSession"]["keysShown"] is True


def test_keys_once_the_window_closes_even_with_attempts_left(room):
    sid = start(RETRY).body["examSession"]["id"]
    submit(sid, room["items"], right=1)
    change_exam(RETRY, closes_at=datetime.now(UTC) - timedelta(minutes=1))
    assert results(sid).body["examSession"]["keysShown"] is True


# --- inactive courses and exams are closed to students -----------------------------------------------
def test_an_inactive_course_is_closed_to_its_students_through_every_door(room):
    sid = start(RETRY).body["examSession"]["id"]
    active = Course(id=COURSE, title="Course course-1")
    seed("course", active.model_copy(update={"active": False}), before=active)
    assert call("get_course", {"courseId": COURSE}, as_user=STUDENT).status == 404
    assert call("list_exams", {"courseId": COURSE}, as_user=STUDENT).status == 404
    assert call("get_exam", {"examId": QUIZ}, as_user=STUDENT).status == 404
    assert call("learningstudio_list_user_exams", {"userId": STUDENT, "courseId": COURSE},
                as_user=STUDENT).status == 404
    assert start(RETRY).status == 404 and start(QUIZ).status == 404
    assert ls("begin_exam", QUIZ, as_user=STUDENT).status == 404
    answered = respond(sid, [choice(room["items"][0], 2)])
    assert answered.status == 404 and stored(sid).current.responses == {}
    # staff still see the course and its work; moving a student's work forward is refused with the reason
    assert call("list_exams", {"courseId": COURSE}, as_user=INSTRUCTOR).status == 200
    assert call("learningstudio_list_user_exams", {"userId": STUDENT, "courseId": COURSE},
                as_user=INSTRUCTOR).status == 200
    on_behalf = start(QUIZ, as_user=INSTRUCTOR)
    assert on_behalf.status == 409 and "not active" in on_behalf.body["error"]["message"]


def test_an_inactive_exam_takes_no_start_and_no_answer(room):
    sid = start(RETRY).body["examSession"]["id"]
    change_exam(RETRY, active=False)
    assert start(RETRY).status == 409
    assert respond(sid, [choice(room["items"][0], 2)]).status == 409
    assert stored(sid).current.responses == {}


# --- removing a student's work: one right, one window, whole ------------------------------------------
@pytest.mark.parametrize("door", ["learningstudio", "openedx"])
def test_removal_needs_course_admin_through_every_door(room, door):
    start(QUIZ)

    def remove(as_user: str):
        return ls("reset_exam", QUIZ, as_user=as_user) if door == "learningstudio" else edx_reset(num(QUIZ),
                                                                                                as_user=as_user)

    for caller in (TA, GRADER, STUDENT):
        assert remove(caller).status == 403, caller
    assert len(live_sessions(QUIZ)) == 1
    assert remove(REGISTRAR).status == 200  # a custom role holding course:admin widens the rule
    assert live_sessions(QUIZ) == []


@pytest.mark.parametrize("door", ["learningstudio", "openedx"])
def test_no_removal_after_the_exams_end_through_any_door(room, door):
    start(QUIZ)
    change_exam(QUIZ, closes_at=datetime.now(UTC) - timedelta(minutes=1))
    answer = ls("reset_exam", QUIZ, as_user=INSTRUCTOR) if door == "learningstudio" else edx_reset(
        num(QUIZ), as_user=INSTRUCTOR)
    assert answer.status == 409 and len(live_sessions(QUIZ)) == 1


def test_the_learningstudio_reset_removes_work_from_every_door_in_one_restorable_event(room):
    trusted = start(RETRY, as_user=INSTRUCTOR, context="lms").body["examSession"]["id"]
    own = ls("begin_exam", RETRY, as_user=STUDENT).body["exam"]["instanceId"]
    listed = call("learningstudio_list_user_exams", {"userId": STUDENT, "courseId": COURSE}, as_user=INSTRUCTOR)
    (entry,) = [e for e in listed.body["exams"] if e["id"] == RETRY]  # one instance per exam
    assert entry["instanceId"] == own and set(entry["sessionIds"]) == {trusted, own}
    reset = ls("reset_exam", RETRY, as_user=INSTRUCTOR)
    assert reset.status == 200, reset.body
    assert reset.body["reset"]["exam"]["instanceId"] == own and len(reset.body["resets"]) == 2
    assert live_sessions(RETRY) == []
    events = call("list_audit_events", {"courseId": COURSE}, as_user=INSTRUCTOR,
                  query={"action": ["session.remove"]}).body
    event_id = events["items"][0]["id"]
    restored = call("restore_audit_event", {"courseId": COURSE, "eventId": event_id}, as_user=INSTRUCTOR)
    assert restored.status == 200, restored.body
    assert {s.id for s in live_sessions(RETRY)} == {trusted, own}


def test_sessions_per_student_fit_one_removal_and_one_restore():
    from functions.core.work import MAX_SESSIONS

    assert MAX_SESSIONS <= MAX_REMOVED and 2 * MAX_REMOVED + 2 <= 100


# --- one state machine: a reopen never moves a complete attempt back -----------------------------------
def test_a_reopen_is_a_new_attempt_to_open_edx_and_not_another_attempt_of_the_student(room):
    sid = start(QUIZ).body["examSession"]["id"]
    submit(sid, room["items"], right=1)
    statuses = [r["status"] for r in edx("list_exam_attempts", exam_id=QUIZ).body]
    assert statuses == ["submitted"]
    reopened = call("examspark_reopen", {"sessionId": sid}, as_user=TA)
    assert reopened.status == 200, reopened.body
    body = reopened.body["examSession"]
    assert (body["maturity"], body["scoreActual"], body["attemptsUsed"]) == ("IN_PROGRESS", None, 1)
    rows = sorted(edx("list_exam_attempts", exam_id=QUIZ).body, key=lambda r: r["start_time"])
    assert [r["status"] for r in rows] == ["submitted", "started"]  # the submitted one never goes back
    done = submit(sid, room["items"], right=3)
    assert done.body["examSession"]["scoreActual"] == 100  # the continuation's score, not the reopened one's


# --- reset means what it says --------------------------------------------------------------------------
def test_reset_after_a_retake_recomputes_the_score_everywhere(room):
    sid = start(RETRY).body["examSession"]["id"]
    submit(sid, room["items"], right=1)
    assert retake(sid).status == 200
    submit(sid, room["items"], right=3)
    reset = call("examspark_reset", {"sessionId": sid}, as_user=TA)
    assert reset.status == 200 and reset.body["examSession"]["scoreActual"] == 33.33
    listed = call("examspark_list_sessions", as_user=TA, body={"filter": {"examConfigIds": {"include": [RETRY]}}})
    assert listed.status == 200, listed.body
    assert [i["examSession"]["scoreActual"] for i in listed.body["items"]] == [33.33]
    assert {k: v["value"] for k, v in listed.body["aggregations"].items()} == {
        "minScore": 33.33, "avgScore": 33.33, "maxScore": 33.33}
