"""LearningStudio rules (core/services/exam_instances.py) on in-memory repositories: pure, at any instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, InvalidInput, NotFound
from functions.core.models import Attempt, Exam, Extension, Session
from functions.core.responses import ItemAnswer, QuestionAnswer
from functions.core.rights import Principal
from functions.core.services.attempts import AttemptService
from functions.core.services.exam_instances import (
    AttemptState,
    CourseExams,
    UserExamService,
    attempt_state,
    instance,
)
from functions.core.services.sessions import SessionService, session_id_for
from tests.memory import Memory, choice_item

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COURSE, OTHER_COURSE = "c", "c2"
STUDENT, PEER, TA, ADMIN, NOADMIN, OUTSIDER = "stu", "peer", "ta", "registrar", "grader", "out"
POOL = [f"i{n}" for n in range(8)]


class World:
    """Two courses, their people (a Course Administrator role, a grader without it) and three exams in one
    Memory; the LearningStudio service for any caller at any instant (``now``)."""

    def __init__(self) -> None:
        self.memory = memory = Memory()
        memory.role("registrar", ["course:admin"], "Registrar")
        memory.role("grader", ["course:view", "attempt:manage"], "Grader")
        for user, role in ((STUDENT, "student"), (PEER, "student"), (TA, "teaching_assistant"),
                           (ADMIN, "registrar"), (NOADMIN, "grader")):
            memory.enroll(COURSE, user, role)
        memory.enroll(OTHER_COURSE, OUTSIDER, "instructor")
        memory.item(*(choice_item(i, COURSE, key=1, options=3) for i in POOL))
        window = {"opens_at": T0 - timedelta(days=1), "closes_at": T0 + timedelta(days=1)}
        memory.exam(Exam(id="e", course_id=COURSE, title="E", item_pool=POOL, draw_count=3, retakable=True,
                         max_attempts=2, **window))
        memory.exam(Exam(id="once", course_id=COURSE, title="Once", item_pool=POOL, draw_count=3, **window))
        memory.exam(Exam(id="x", course_id=OTHER_COURSE, title="X", item_pool=POOL, **window))
        self.now = T0

    @property
    def stats(self) -> dict[str, float]:
        return self.memory.stats.get("e", {})

    @property
    def writes(self) -> int:
        """Units committed."""
        return len(self.memory.committed)

    def service(self, as_user: str = STUDENT, *, kind: str = "user", rights: str = "") -> UserExamService:
        principal = Principal(kind=kind, subject=as_user, key_courses=frozenset({COURSE}),
                              key_rights=frozenset(r for r in rights.split(",") if r))
        m = self.memory
        sessions = SessionService(people=m, exams=m, sessions=m, unit=m.unit(principal, self.now),
                                  access=m.access(principal), now=self.now)
        return UserExamService(service=sessions, store=m)

    def unlock(self, exam_id: str, user_id: str = STUDENT) -> None:
        self.memory.extension(Extension(course_id=COURSE, exam_id=exam_id, user_id=user_id, manually_unlocked=True))


@pytest.fixture
def world() -> World:
    return World()


def complete(world: World, exam_id: str = "e", user: str = STUDENT) -> None:
    session = world.memory.sessions[session_id_for(exam_id, user)]
    answers = [ItemAnswer(i, (QuestionAnswer(f"{i}q", (1,)),)) for i in session.item_ids]
    AttemptService(world.service(user).service).set_responses(session.id, answers, True)


def stored(session: Session) -> Session:
    """As the store keeps it (its attempts' answers in parts of their own, data/sessions.py)."""
    return session.model_copy(update={"attempt_parts": True})


# --- attempt states ---------------------------------------------------------------------------------
def test_attempt_states_with_lazy_expiry():
    running = Attempt(number=1, started_at=T0, ends_at=T0 + timedelta(minutes=30))
    assert attempt_state(running, T0) is AttemptState.IN_PROGRESS
    assert attempt_state(running, T0 + timedelta(minutes=30)) is AttemptState.TIMED_OUT  # not stored yet
    submitted = running.model_copy(update={"submitted_at": T0 + timedelta(minutes=5)})
    assert attempt_state(submitted, T0 + timedelta(days=9)) is AttemptState.SUBMITTED
    timed_out = running.model_copy(update={"submitted_at": running.ends_at})
    assert attempt_state(timed_out, T0) is AttemptState.TIMED_OUT
    untimed = Attempt(number=1, started_at=T0)
    assert attempt_state(untimed, T0 + timedelta(days=999)) is AttemptState.IN_PROGRESS


def test_course_exams_hides_other_courses_and_reads_once(world):
    exams = CourseExams(world.memory, COURSE)
    assert exams.get_exam("x") is None and exams.get_exam("missing") is None
    world.memory.reads.clear()
    assert exams.get_exam("e") is exams.get_exam("e")
    assert world.memory.reads["get_exam"] == 1


# --- begin ------------------------------------------------------------------------------------------
def test_begin_draws_from_the_pool_and_is_the_session(world):
    found = world.service().begin(STUDENT, COURSE, "e")
    assert found.session.id == session_id_for("e", STUDENT) and found.states == (AttemptState.IN_PROGRESS,)
    assert len(found.session.item_ids) == 3 and not found.completed
    assert world.stats == {"sessions": 1, "attempts": 1}


def test_begin_is_the_start_act_the_student_or_attempt_manage(world):
    """The same rule as ExamSpark's start (docs/rulebook.md): without attempt:manage, nobody begins for
    another student (a course administrator neither: a removal is not a start)."""
    for caller in (ADMIN, PEER):
        with pytest.raises(Forbidden, match="attempt:manage"):
            world.service(caller).begin(STUDENT, COURSE, "e")
    with pytest.raises(Forbidden):
        world.service("k", kind="key", rights="exam:take,course:admin").begin(STUDENT, COURSE, "e")
    assert world.writes == 0
    assert world.service(NOADMIN).begin(STUDENT, COURSE, "e").session.user_id == STUDENT


def test_begin_in_the_wrong_course_is_not_found_and_writes_nothing(world):
    with pytest.raises(NotFound):
        world.service().begin(STUDENT, OTHER_COURSE, "e")
    with pytest.raises(NotFound):
        world.service().begin(STUDENT, COURSE, "x")  # an exam of another course
    assert world.writes == 0


def test_one_instance_per_user(world):
    world.service().begin(STUDENT, COURSE, "e")
    with pytest.raises(InvalidInput, match="already has an instance") as refused:
        world.service().begin(STUDENT, COURSE, "e")
    assert refused.value.field == "examId" and "in progress" in refused.value.message
    complete(world)
    with pytest.raises(InvalidInput, match="completed"):
        world.service().begin(STUDENT, COURSE, "e")


def test_a_non_student_is_named_by_the_paths_field(world):
    with pytest.raises(InvalidInput, match="not a student") as refused:
        world.service(TA).begin(TA, COURSE, "e")
    assert refused.value.field == "userId"


@pytest.mark.parametrize("shift", [timedelta(days=-2), timedelta(days=2)])
def test_begin_only_inside_the_window_unless_unlocked(world, shift):
    world.now = T0 + shift
    with pytest.raises(Conflict, match="not open"):
        world.service().begin(STUDENT, COURSE, "e")
    world.unlock("e")
    assert world.service().begin(STUDENT, COURSE, "e").session.user_id == STUDENT


# --- reset ------------------------------------------------------------------------------------------
def test_reset_keeps_the_whole_instance_and_the_next_begin_draws_anew(world):
    first = world.service().begin(STUDENT, COURSE, "e").session
    world.now += timedelta(minutes=5)
    done = world.service(ADMIN).reset(STUDENT, COURSE, "e", "connection lost")[0]
    assert stored(done.removal.session) == stored(first) and done.removal.removed_by == ADMIN
    assert done.removal.reason == "connection lost" and done.removal.removed_at == world.now
    assert first.id not in world.memory.sessions and world.stats == {"sessions": 0, "attempts": 0}
    again = world.service().begin(STUDENT, COURSE, "e").session
    assert set(again.item_ids) != set(first.item_ids) and again.version > first.version


def test_reset_needs_the_course_administrator_right(world):
    world.service().begin(STUDENT, COURSE, "e")
    for caller, error in ((STUDENT, Forbidden), (TA, Forbidden), (NOADMIN, Forbidden), (OUTSIDER, NotFound)):
        with pytest.raises(error):
            world.service(caller).reset(STUDENT, COURSE, "e", "")
    with pytest.raises(NotFound):  # an administrator of another course, naming it: the exam is not there
        world.service(OUTSIDER).reset(STUDENT, OTHER_COURSE, "e", "")
    assert world.writes == 1  # only the begin
    assert world.service(ADMIN).reset(STUDENT, COURSE, "e", "")[0].removal.reason == "reset"


@pytest.mark.parametrize("shift", [timedelta(days=-2), timedelta(days=2)])
def test_reset_only_inside_the_window(world, shift):
    world.service().begin(STUDENT, COURSE, "e")
    world.now = T0 + shift
    with pytest.raises(Conflict, match="scheduled start") as refused:
        world.service(ADMIN).reset(STUDENT, COURSE, "e", "")
    exam = world.memory.exams["e"]
    assert exam.opens_at and exam.closes_at
    assert exam.opens_at.isoformat() in refused.value.message and exam.closes_at.isoformat() in refused.value.message
    assert world.writes == 1
    world.unlock("e")  # the student could begin again: the reset strands nobody
    assert world.service(ADMIN).reset(STUDENT, COURSE, "e", "")[0].removal.session.user_id == STUDENT


def test_reset_without_an_instance_or_with_a_long_reason(world):
    with pytest.raises(NotFound, match="no instance"):
        world.service(ADMIN).reset(STUDENT, COURSE, "e", "")
    with pytest.raises(InvalidInput) as refused:
        world.service(ADMIN).reset(STUDENT, COURSE, "e", "x" * 501)
    assert refused.value.field == "reason"


# --- restore ----------------------------------------------------------------------------------------
def test_restore_puts_the_instance_back_and_only_for_its_own_exam(world):
    first = world.service().begin(STUDENT, COURSE, "e").session
    removal = world.service(ADMIN).reset(STUDENT, COURSE, "e", "")[0].removal
    with pytest.raises(NotFound):
        world.service(ADMIN).restore(COURSE, "once", first.id, removal.removal_id)
    with pytest.raises(NotFound):
        world.service(OUTSIDER).restore(OTHER_COURSE, "e", first.id, removal.removal_id)
    with pytest.raises(Forbidden):
        world.service(NOADMIN).restore(COURSE, "e", first.id, removal.removal_id)
    world.now += timedelta(minutes=1)
    restored = world.service(ADMIN).restore(COURSE, "e", first.id, removal.removal_id)
    assert restored.session.item_ids == first.item_ids and restored.session.version == first.version + 1
    assert world.memory.removals[(first.id, removal.removal_id)].restored_by == ADMIN
    removed, put_back = world.memory.events[-2:]
    assert (removed.action, put_back.action) == ("session.remove", "session.restore")
    assert [(r.session_id, r.ref) for r in put_back.restorable] == [(first.id, removal.removal_id)]


def test_restore_while_a_newer_instance_lives_is_refused(world):
    first = world.service().begin(STUDENT, COURSE, "e").session
    removal = world.service(ADMIN).reset(STUDENT, COURSE, "e", "")[0].removal
    world.service().begin(STUDENT, COURSE, "e")
    with pytest.raises(ConcurrentUpdate, match="reset that instance first"):
        world.service(ADMIN).restore(COURSE, "e", first.id, removal.removal_id)


# --- retake -----------------------------------------------------------------------------------------
def test_retake_keeps_the_question_set(world):
    first = world.service().begin(STUDENT, COURSE, "e").session
    complete(world)
    again = world.service().retake(STUDENT, COURSE, "e")
    assert again.session.item_ids == first.item_ids and again.states[-1] is AttemptState.IN_PROGRESS
    assert len(again.session.attempts) == 2 and again.session.current and not again.session.current.responses


def test_retake_of_a_not_retakable_exam_points_to_reset(world):
    world.service().begin(STUDENT, COURSE, "once")
    complete(world, "once")
    with pytest.raises(Conflict, match=r"not retakable.*reset"):
        world.service().retake(STUDENT, COURSE, "once")


def test_retake_in_the_wrong_course_is_not_found(world):
    world.service().begin(STUDENT, COURSE, "e")
    complete(world)
    writes = world.writes
    with pytest.raises(NotFound):
        world.service().retake(STUDENT, OTHER_COURSE, "e")
    assert world.writes == writes


# --- list -------------------------------------------------------------------------------------------
def test_list_rights(world):
    world.service().begin(STUDENT, COURSE, "e")
    for caller in (STUDENT, TA, ADMIN, NOADMIN):
        found, _ = world.service(caller).instances(STUDENT, COURSE, 10, None)
        assert [i.session.user_id for i in found] == [STUDENT], caller
    with pytest.raises(Forbidden):
        world.service(PEER).instances(STUDENT, COURSE, 10, None)
    with pytest.raises(NotFound):
        world.service(OUTSIDER).instances(STUDENT, COURSE, 10, None)
    with pytest.raises(NotFound, match="not enrolled"):
        world.service(TA).instances("nobody", COURSE, 10, None)


def test_instance_of_a_completed_session(world):
    world.service().begin(STUDENT, COURSE, "e")
    complete(world)
    shown = instance(world.memory.sessions[session_id_for("e", STUDENT)], world.now)
    assert shown.completed and shown.states == (AttemptState.SUBMITTED,)
