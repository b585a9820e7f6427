"""The same act gets the same verdict through every door (moto), generated from the act catalogue.

For EVERY act the catalogue (functions/core/acts.py ``shared_acts``) offers through more than one dialect, for
every principal and exam state: each door runs on the same world (restored from one snapshot before every
write); the verdict (done, or its refusal class 403 / 404 / 409) must be the same through every door, and so
must the student's resulting work (live sessions, their attempts and maturity; removals; extension).
docs/rulebook.md. A shared act without door adapters here fails ``test_every_shared_act_is_generated``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from functions.core import acts
from functions.core.models import Course, Role
from functions.core.rights import Right
from functions.data import dynamo, keys
from functions.data.exams import ExamRepository
from functions.data.extensions import ExtensionRepository
from functions.data.sessions import SessionRepository
from functions.data.writers import seed
from functions.routes import ROUTES
from tests.conftest import Answer, call, principal_context
from tests.factories import classroom, enroll, exam, user
from tests.integration.audit_helpers import events
from tests.integration.openedx_helpers import num

COURSE, OTHER_COURSE = "course-1", "course-2"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
QUIZ = "quiz-eq"
TABLE = "examdesk-test"
PRINCIPALS = ("own", "other_student", "ta", "instructor", "custom_with", "custom_without", "other_instructor",
              "key_in_scope", "key_out_of_scope")
STATES = ("before_window", "inside", "after_end", "attempt_complete", "attempts_used", "course_inactive")


@dataclass
class World:
    """What a door's request names: filled in while the world is built."""

    sid: str = ""
    reset_id: str = ""
    event_id: str = ""


@dataclass(frozen=True)
class Door:
    route: str
    path: Callable[[World], dict[str, str]]
    body: Callable[[World], Any] = field(default=lambda w: None)
    # The act found the student's work already there and changed nothing (a start of an existing session):
    # ExamSpark returns it (200), LearningStudio's begin names it (400, its spec); one outcome, "exists".
    exists: Callable[[Answer, World], bool] = field(default=lambda a, w: False)


def es_start_exists(answer: Answer, w: World) -> bool:
    return answer.status == 200 and answer.body["examSession"]["id"] == w.sid


def ls_begin_exists(answer: Answer, w: World) -> bool:
    return answer.status == 400 and "already has an instance" in str(answer.body)


USER_EXAM = lambda w: {"userId": STUDENT, "courseId": COURSE, "examId": QUIZ}  # noqa: E731
GRANT = {"allowance_type": "additional_time_granted", "value": "30"}

DOORS: dict[str, tuple[Door, ...]] = {
    "start": (
        Door("examspark_start_session", lambda w: {"examConfigId": QUIZ}, lambda w: {"user_id": STUDENT},
             es_start_exists),
        Door("learningstudio_begin_exam", USER_EXAM, exists=ls_begin_exists)),
    "retake": (Door("examspark_retake", lambda w: {"sessionId": w.sid}),
               Door("learningstudio_retake_exam", USER_EXAM)),
    "remove_work": (
        Door("learningstudio_reset_exam", USER_EXAM),
        Door("openedx_reset_attempt", lambda w: {"course_id": COURSE, "exam_id": num(QUIZ), "username": STUDENT})),
    "restore_work": (
        Door("restore_audit_event", lambda w: {"courseId": COURSE, "eventId": w.event_id}),
        Door("learningstudio_restore_exam", lambda w: {"courseId": COURSE, "examId": QUIZ, "resetId": w.reset_id})),
    "grant": (
        Door("openedx_bulk_create_allowances", lambda w: {"course_id": COURSE},
             lambda w: {"exam_ids": [int(num(QUIZ))], "user_ids": [STUDENT], **GRANT}),
        Door("openedx_grant_allowance", lambda w: {"course_id": COURSE, "exam_id": num(QUIZ)},
             lambda w: {"user_ids": [STUDENT], **GRANT}),
        Door("canvas_course_extensions", lambda w: {"course_id": COURSE},
             lambda w: {"quiz_extensions": [{"user_id": STUDENT, "extra_time": 30}]}),
        Door("canvas_quiz_extensions", lambda w: {"course_id": COURSE, "quiz_id": QUIZ},
             lambda w: {"quiz_extensions": [{"user_id": STUDENT, "extra_time": 30}]})),
    "read_course": (
        Door("get_course", lambda w: {"courseId": COURSE}),
        Door("list_exams", lambda w: {"courseId": COURSE}),
        Door("get_exam", lambda w: {"examId": QUIZ}),
        Door("canvas_get_course", lambda w: {"course_id": COURSE}),
        Door("canvas_get_quiz", lambda w: {"course_id": COURSE, "quiz_id": QUIZ}),
        Door("canvas_list_quizzes", lambda w: {"course_id": COURSE})),
}
SHARED = acts.shared_acts({r.name: r.dialect for r in ROUTES})
READS = {"read_course"}  # nothing changes: one world serves every door


def test_every_shared_act_is_generated():
    """Every act offered by more than one dialect has an adapter for each of its routes, and only those."""
    assert set(SHARED) == set(DOORS)
    for act, doors in DOORS.items():
        assert sorted(d.route for d in doors) == sorted(SHARED[act])


def test_every_route_performs_an_act_of_the_catalogue():
    """A route whose act is not in the catalogue fails here (and in tests/unit/test_acts.py)."""
    assert {r.name for r in ROUTES} == set(acts.ROUTE_ACTS)
    assert set(acts.ROUTE_ACTS.values()) <= set(acts.ACTS)


def rights_for(act: str) -> tuple[list[str], list[str]]:
    """A custom role with the act's right, and one without it (a member holding another right)."""
    allowing = acts.rights(act)
    assert allowing, f"{act} names no course right"
    with_right = sorted({Right.VIEW_COURSE.value, allowing[0].value})
    other = next(r for r in (Right.VIEW_COURSE, Right.GRANT_EXTENSIONS, Right.AUTHOR) if r not in allowing)
    return with_right, [other.value]


def build(act: str, state: str) -> World:
    """course-1 (classroom + custom roles), course-2, the quiz, and the student's work in ``state``."""
    w = World()
    room = classroom(COURSE)
    classroom(OTHER_COURSE)
    with_right, without = rights_for(act)
    seed("role", Role(id="with", name="With", rights=with_right))
    seed("role", Role(id="without", name="Without", rights=without))
    for uid, role in (("custom-with", "with"), ("custom-without", "without")):
        user(uid)
        enroll(COURSE, uid, role)
    exam(QUIZ, COURSE, room["items"], type="timed", time_limit_minutes=60, retakable=True, max_attempts=2)
    as_student = {"as_user": STUDENT}
    # A start is tried on no work (it creates) except where the state is about the work (it exists).
    if act != "start" or state in ("attempt_complete", "attempts_used"):
        started = call("examspark_start_session", {"examConfigId": QUIZ}, body={"user_id": STUDENT}, **as_student)
        assert started.status == 200, started.body
        w.sid = started.body["examSession"]["id"]
        answer = {"submitForScoring": True, "responses": []}
        if state in ("attempt_complete", "attempts_used", "course_inactive", "before_window", "after_end"):
            assert call("examspark_set_responses", {"sessionId": w.sid}, body=answer, **as_student).status == 200
        if state == "attempts_used":
            assert call("examspark_retake", {"sessionId": w.sid}, **as_student).status == 200
            assert call("examspark_set_responses", {"sessionId": w.sid}, body=answer, **as_student).status == 200
    if act == "restore_work":  # the work removed by the course's administrator, to be restored
        removed = call("learningstudio_reset_exam", USER_EXAM(w), as_user=INSTRUCTOR)
        assert removed.status == 200, removed.body
        w.reset_id = removed.body["reset"]["id"]
        w.event_id = events(COURSE, action="session.remove")[0]["eventId"]
    now = datetime.now(UTC)
    if state == "before_window":
        change_exam(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    if state == "after_end":
        change_exam(closes_at=now - timedelta(minutes=1))
    if state == "course_inactive":
        active = Course(id=COURSE, title=f"Course {COURSE}")
        seed("course", active.model_copy(update={"active": False}), before=active)
    return w


def change_exam(**fields: Any) -> None:
    repo = ExamRepository()
    found = repo.get_exam(QUIZ)
    assert found is not None
    seed("exam", found.model_copy(update={**fields, "version": found.version + 1}))


def snapshot() -> list[dict[str, Any]]:
    client = dynamo.client()
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=TABLE):
        items.extend(page["Items"])
    return items


def restore(items: list[dict[str, Any]]) -> None:
    """The table exactly as ``items``: what one door did is gone before the next door runs."""
    client = dynamo.client()
    client.delete_table(TableName=TABLE)
    client.create_table(**keys.table_definition(TABLE))
    for start in range(0, len(items), 25):
        client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": i}}
                                                      for i in items[start:start + 25]]})


def caller(principal: str, act: str) -> dict[str, Any]:
    users = {"own": STUDENT, "other_student": OTHER, "ta": TA, "instructor": INSTRUCTOR,
             "custom_with": "custom-with", "custom_without": "custom-without",
             "other_instructor": f"instructor-{OTHER_COURSE}"}
    if principal in users:
        return {"as_user": users[principal]}
    if principal == "key_in_scope":
        return {"as_user": None, "authorizer": principal_context("key", "k", courses=COURSE,
                                                                 rights=",".join(rights_for(act)[0]))}
    return {"as_user": None, "authorizer": principal_context("key", "k", courses=OTHER_COURSE,
                                                             rights=",".join(r.value for r in Right))}


def verdict(door: Door, answer: Answer, w: World) -> str:
    if door.exists(answer, w):
        return "exists"
    return "done" if 200 <= answer.status < 300 else str(answer.status)


def resulting_work() -> tuple[Any, ...]:
    """The student's work as every door stores it: live sessions (attempts, maturity), open removals, extension."""
    sessions = SessionRepository().student_sessions(COURSE, STUDENT, QUIZ)
    removals = SessionRepository().list_removals(COURSE, QUIZ, 100, None)[0]
    extension = ExtensionRepository().get_extension(QUIZ, STUDENT)
    return (tuple(sorted((s.id, len(s.attempts), s.maturity.value) for s in sessions)),
            tuple(sorted(r.session.id for r in removals if r.restored_at is None)),
            (extension.extra_time_minutes, extension.extra_attempts) if extension else None)


CASES = [(act, state) for act in DOORS for state in STATES]
SIZE = sum(len(DOORS[act]) for act, _ in CASES) * len(PRINCIPALS)  # door calls in all (docs/rulebook.md)


def test_the_rulebook_states_this_tests_size():
    doors = sum(len(d) for d in DOORS.values())
    stated = (f"{doors} doors x {len(PRINCIPALS)} principals", f"x {len(STATES)} exam states",
              f"= {SIZE} door calls in {len(CASES)} tests")
    text = " ".join((Path(__file__).resolve().parents[2] / "docs" / "rulebook.md").read_text().split())
    assert all(part in text for part in stated), stated


@pytest.mark.parametrize("act,state", CASES)
def test_the_same_verdict_and_state_through_every_door(table, act, state):
    """Every principal through every door of ``act`` in ``state``: one verdict, one resulting state."""
    w = build(act, state)
    items = snapshot()
    disagreements = []
    for principal in PRINCIPALS:
        outcomes = []
        for n, door in enumerate(DOORS[act]):
            if act not in READS and n:
                restore(items)
            answer = call(door.route, door.path(w), body=door.body(w), **caller(principal, act))
            assert answer.status < 500, (door.route, answer.body)
            outcomes.append((door.route, verdict(door, answer, w), resulting_work(), answer.body))
        if len({v for _, v, _, _ in outcomes}) != 1 or len({s for _, _, s, _ in outcomes}) != 1:
            disagreements.append(f"{principal}: " + "; ".join(
                f"{r}={v}" + ("" if v in ("done", "exists") else f" {str(b)[:90]}") + f" -> {s}"
                for r, v, s, b in outcomes))
        if act not in READS:
            restore(items)
    assert not disagreements, f"{act} in {state}:\n" + "\n".join(disagreements)
