"""Open edX services on the in-memory stores and unit of work (tests/memory.py): refusals before any read, the
reset's one unit (all of a student's sessions), and a grant that loses a race to a concurrent writer reads again
and retries once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.changes import ExtensionRemoved, ExtensionSaved, SessionRemoved, Work, stats_deltas
from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, Exam, Extension, Session
from functions.core.numeric_ids import Kind, number
from functions.core.rights import Principal, Right
from functions.core.services.allowances import AllowanceService
from functions.core.services.attempt_reports import ExamAttemptService
from functions.core.services.course_exams import CourseScope
from functions.core.services.work_removal import MAX_REMOVED
from tests.memory import Memory
from tests.memory_views import Learners

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
EXAM = Exam(id="exam-1", course_id="c1", title="Final", type="proctored", time_limit_minutes=60)
EXAM_REF = str(number(Kind.EXAM, EXAM.id))


def world(*sessions: Session) -> Memory:
    """The instructor ``boss`` and the student ``u1`` (Ann) in c1, its proctored exam, the student's sessions."""
    memory = Memory()
    memory.enroll("c1", "boss", "instructor")
    memory.user("u1", username="ann", email="ann@x.edu", name="Ann")
    memory.enroll("c1", "u1", "student")
    memory.exam(EXAM)
    for s in sessions:
        memory.session(s)
    return memory


def scope(memory: Memory, caller: str = "boss") -> CourseScope:
    return CourseScope(memory.access(Principal("user", caller)), memory, memory, NOW)


def session(n: int) -> Session:
    attempt = Attempt(number=1, started_at=NOW - timedelta(minutes=5), ends_at=NOW + timedelta(minutes=55))
    return Session(id=f"s{n}", exam_id=EXAM.id, course_id="c1", user_id="u1", attempts=[attempt])


def attempts_service(memory: Memory, caller: str = "boss") -> ExamAttemptService:
    return ExamAttemptService(scope(memory, caller), lists=memory,  # type: ignore[arg-type]
                              learners=Learners(memory), unit=memory.unit(Principal("user", caller), NOW),
                              work=memory)


def test_refusals_read_nothing_they_do_not_need():
    memory = world()
    with pytest.raises(Forbidden):
        scope(memory).require("c" * 300, Right.VIEW_COURSE, "see it")
    assert sum(memory.reads.values()) == 0
    with pytest.raises(NotFound):
        scope(memory).exam("c1", "not-a-number")
    with pytest.raises(NotFound):
        scope(memory).exam("c2", EXAM_REF)  # another course's path


def test_reset_removes_every_session_in_one_unit():
    memory = world(*[session(n) for n in range(MAX_REMOVED)])
    removed = attempts_service(memory).reset("c1", EXAM_REF, "ann")
    assert removed == MAX_REMOVED and [len(w.changes) for w in memory.works] == [MAX_REMOVED]
    assert all(isinstance(c, SessionRemoved) for c in memory.works[0].changes)
    assert stats_deltas(memory.works[0].changes)[0].delta == {"sessions": -MAX_REMOVED, "attempts": -MAX_REMOVED}
    assert memory.sessions == {} and len(memory.removals) == MAX_REMOVED  # each kept, restorable
    (event,) = memory.events
    assert event.course_id == "c1" and len(event.restorable) == MAX_REMOVED


def test_a_reset_too_large_to_restore_in_one_go_removes_nothing():
    memory = world(*[session(n) for n in range(MAX_REMOVED + 1)])
    with pytest.raises(Conflict, match=f"at most {MAX_REMOVED}"):
        attempts_service(memory).reset("c1", EXAM_REF, "ann")
    assert memory.committed == [] and len(memory.sessions) == MAX_REMOVED + 1


def test_reset_refusals():
    with pytest.raises(NotFound, match="'nobody' has no attempts"):  # as for a user who exists (issue 17)
        attempts_service(memory := world(session(1))).reset("c1", EXAM_REF, "nobody")
    assert memory.committed == []
    with pytest.raises(NotFound, match="no attempts"):
        attempts_service(memory := world()).reset("c1", EXAM_REF, "ann")
    assert memory.committed == []
    with pytest.raises(Forbidden):
        attempts_service(memory := world(session(1)), caller="u1").reset("c1", EXAM_REF, "ann")
    assert memory.committed == [] and list(memory.sessions) == ["s1"]


def allowance_service(memory: Memory) -> AllowanceService:
    return AllowanceService(scope(memory), memory, memory, Learners(memory), lists=memory,  # type: ignore[arg-type]
                            store=memory, unit=memory.unit(Principal("user", "boss"), NOW))


def rival_grant(memory: Memory, minutes: int) -> None:
    """A concurrent writer (another instructor) grants ``u1`` extra time just before the service commits."""
    before = memory.extensions.get((EXAM.id, "u1"))
    after = Extension(course_id="c1", exam_id=EXAM.id, user_id="u1", extra_time_minutes=minutes,
                      version=before.version + 1 if before else 1)
    memory.unit(Principal("user", "rival"), NOW).commit(Work("allowance.grant", "c1", [ExtensionSaved(before, after)]))


def test_a_grant_that_loses_a_race_reads_again_and_retries_once():
    memory = world()
    memory.before_commit.append(lambda: rival_grant(memory, 15))
    outcomes = allowance_service(memory).grant("c1", EXAM_REF, ["ann"], "additional_time_granted", "30")
    assert [o.success for o in outcomes] == [True] and memory.reads["load"] == 2 and memory.conflicts == 1
    assert [e.actor_id for e in memory.events] == ["rival", "boss"]
    (saved,) = memory.works[-1].changes
    assert isinstance(saved, ExtensionSaved) and saved.before is not None and saved.before.extra_time_minutes == 15
    put = memory.extensions[(EXAM.id, "u1")]  # written over what the rival wrote, read again
    assert put == saved.after and put.version == 2
    assert put.extra_time_minutes == 30 and put.updated_by == "boss"
    assert memory.allowance_rows == {EXAM.id: 1}


def test_a_grant_that_keeps_losing_is_a_409_and_writes_nothing():
    memory = world()
    memory.before_commit.extend([lambda: rival_grant(memory, 15), lambda: rival_grant(memory, 20)])
    with pytest.raises(ConcurrentUpdate):
        allowance_service(memory).grant("c1", EXAM_REF, ["ann"], "time_multiplier", "1.5")
    assert memory.conflicts == 2 and [e.actor_id for e in memory.events] == ["rival", "rival"]
    stored = memory.extensions[(EXAM.id, "u1")]
    assert (stored.extra_time_minutes, stored.version, stored.time_multiplier) == (20, 2, None)


def test_removing_the_last_allowance_deletes_the_extension_and_a_partial_one_keeps_it():
    memory = world()
    granted = memory.extension(Extension(course_id="c1", exam_id=EXAM.id, user_id="u1", extra_time_minutes=30,
                                         version=1))
    memory.allowance_rows[EXAM.id] = 1
    service = allowance_service(memory)
    assert [o.success for o in service.remove("c1", EXAM_REF, ["ann"], "additional_time_granted")] == [True]
    assert memory.works[-1].changes == [ExtensionRemoved(granted)]
    assert memory.extensions == {} and memory.allowance_rows == {EXAM.id: 0}
    assert [h.deleted for h in memory.extension_history] == [True]
    memory.extension(granted.model_copy(update={"review_policy_exception": "scribe"}))
    memory.allowance_rows[EXAM.id] = 2  # the time and the review policy exception: a row each
    service.remove("c1", EXAM_REF, ["ann@x.edu"], "additional_time_granted")
    (kept,) = memory.works[-1].changes
    assert isinstance(kept, ExtensionSaved) and kept.after.extra_time_minutes == 0
    assert kept.after.review_policy_exception == "scribe"
    assert memory.extensions[(EXAM.id, "u1")] == kept.after and memory.allowance_rows == {EXAM.id: 1}
