"""Open edX services on the in-memory world (tests/memory.py): refusals before any read, the reset's one unit
(all of a student's sessions, statistics summed once, one audit event), and a grant that loses a race retries
once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core.changes import SessionRemoved, stats_deltas
from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, Enrollment, Exam, Extension, Session, User
from functions.core.numeric_ids import Kind, number
from functions.core.rights import Principal, Right
from functions.core.services.allowances import AllowanceService
from functions.core.services.attempt_reports import ExamAttemptService
from functions.core.services.course_exams import CourseScope
from functions.core.services.work_removal import MAX_REMOVED
from tests.memory import Learners, Memory

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
EXAM = Exam(id="exam-1", course_id="c1", title="Final", type="proctored", time_limit_minutes=60)
STUDENT = User(id="u1", username="ann", email="ann@x.edu", name="Ann")


def world() -> Memory:
    """The course 'c1' with its instructor 'boss', the student Ann and the proctored exam."""
    memory = Memory()
    memory.enroll("c1", "boss", "instructor")
    memory.user(STUDENT.id, username=STUDENT.username, email=STUDENT.email, name=STUDENT.name)
    memory.enroll("c1", STUDENT.id, "student")
    memory.exam(EXAM)
    return memory


class Store:
    """The allowance store (AllowanceService still writes through it: it moves to the unit of work on its own
    branch); ``conflicts`` makes that many writes lose a race."""

    def __init__(self, conflicts: int = 0) -> None:
        self.conflicts = conflicts
        self.loads = 0
        self.written: list[list[dict[str, Any]]] = []
        self.extension: Extension | None = None

    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]:
        return {EXAM.id: EXAM} if EXAM.id in exam_ids else {}

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str]) -> tuple[dict, dict]:
        self.loads += 1
        stored = {(EXAM.id, "u1"): self.extension} if self.extension else {}
        return {"u1": Enrollment(course_id="c1", user_id="u1", role="student")}, stored

    def save_ops(self, before: Extension | None, after: Extension, *, by: str, at: datetime) -> list[dict]:
        return [{"put": after}]

    def count_ops(self, deltas: dict[str, int]) -> list[dict]:
        return [{"count": exam_id, "add": n} for exam_id, n in sorted(deltas.items())]

    def delete_ops(self, before: Extension, *, by: str, at: datetime) -> list[dict]:
        return [{"delete": before}]

    def write(self, operations: list[dict[str, Any]]) -> None:
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentUpdate("lost a race")
        self.written.append(operations)

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]:
        return []


def scope(memory: Memory, caller: str = "boss") -> CourseScope:
    return CourseScope(memory.access(Principal("user", caller)), memory, memory, NOW)


def session(n: int) -> Session:
    attempt = Attempt(number=1, started_at=NOW - timedelta(minutes=5), ends_at=NOW + timedelta(minutes=55))
    return Session(id=f"s{n}", exam_id=EXAM.id, course_id="c1", user_id="u1", attempts=[attempt])


def attempts_service(memory: Memory, caller: str = "boss") -> ExamAttemptService:
    return ExamAttemptService(scope(memory, caller), lists=memory, learners=Learners(memory),  # type: ignore[arg-type]
                              unit=memory.unit(Principal("user", caller), NOW), work=memory)


def with_sessions(count: int) -> Memory:
    memory = world()
    for n in range(count):
        memory.session(session(n))
    return memory


def test_refusals_read_nothing_they_do_not_need():
    memory = world()
    with pytest.raises(Forbidden):
        scope(memory).require("c" * 300, Right.VIEW_COURSE, "see it")
    assert sum(memory.reads.values()) == 0
    with pytest.raises(NotFound):
        scope(memory).exam("c1", "not-a-number")
    with pytest.raises(NotFound):
        scope(memory).exam("c2", str(number(Kind.EXAM, EXAM.id)))  # another course's path


def test_reset_removes_every_session_in_one_transaction_with_statistics_summed_once():
    memory = with_sessions(MAX_REMOVED)
    removed = attempts_service(memory).reset("c1", str(number(Kind.EXAM, EXAM.id)), "ann")
    (work,) = memory.works
    assert removed == MAX_REMOVED and len(memory.all_changes(SessionRemoved)) == MAX_REMOVED
    assert memory.sessions == {} and len(memory.removals) == MAX_REMOVED
    assert [(d.exam_id, d.delta) for d in stats_deltas(work.changes)] == [
        (EXAM.id, {"sessions": -MAX_REMOVED, "attempts": -MAX_REMOVED})]
    assert memory.stats == {EXAM.id: {"sessions": -MAX_REMOVED, "attempts": -MAX_REMOVED}}
    # each removal (2), the forgotten attempt count, the statistics and the audit event: one transaction
    assert memory.sizes == [2 * MAX_REMOVED + 3] and memory.sizes[0] <= 100
    assert [(e.action, len(e.restorable)) for e in memory.events] == [("session.remove", MAX_REMOVED)]


def test_a_reset_too_large_to_restore_in_one_go_removes_nothing():
    memory = with_sessions(MAX_REMOVED + 1)
    with pytest.raises(Conflict, match=f"at most {MAX_REMOVED}"):
        attempts_service(memory).reset("c1", str(number(Kind.EXAM, EXAM.id)), "ann")
    assert memory.committed == [] and len(memory.sessions) == MAX_REMOVED + 1


def test_reset_refusals():
    exam_ref = str(number(Kind.EXAM, EXAM.id))
    memory = with_sessions(1)
    with pytest.raises(NotFound, match="'nobody' has no attempts"):  # as for a user who exists (issue 17)
        attempts_service(memory).reset("c1", exam_ref, "nobody")
    with pytest.raises(NotFound, match="no attempts"):
        attempts_service(with_sessions(0)).reset("c1", exam_ref, "ann")
    with pytest.raises(Forbidden):
        attempts_service(memory, caller="u1").reset("c1", exam_ref, "ann")
    assert memory.committed == [] and list(memory.sessions) == ["s0"]


def allowance_service(store: Store) -> AllowanceService:
    memory = world()
    return AllowanceService(scope(memory), memory, memory, Learners(memory), lists=None,  # type: ignore[arg-type]
                            store=store)  # type: ignore[arg-type]


def test_a_grant_that_loses_a_race_reads_again_and_retries_once():
    store = Store(conflicts=1)
    outcomes = allowance_service(store).grant("c1", str(number(Kind.EXAM, EXAM.id)), ["ann"],
                                              "additional_time_granted", "30")
    assert [o.success for o in outcomes] == [True] and store.loads == 2 and len(store.written) == 1
    put = store.written[0][0]["put"]
    assert put.extra_time_minutes == 30 and put.updated_by == "boss" and put.created_at == NOW


def test_a_grant_that_keeps_losing_is_a_409_and_writes_nothing():
    store = Store(conflicts=2)
    with pytest.raises(ConcurrentUpdate):
        allowance_service(store).grant("c1", str(number(Kind.EXAM, EXAM.id)), ["ann"], "time_multiplier",
                                       "1.5")
    assert store.written == []


def test_removing_the_last_allowance_deletes_the_extension_and_a_partial_one_keeps_it():
    store = Store()
    store.extension = Extension(course_id="c1", exam_id=EXAM.id, user_id="u1", extra_time_minutes=30,
                                version=1)
    service = allowance_service(store)
    ref = str(number(Kind.EXAM, EXAM.id))
    assert [o.success for o in service.remove("c1", ref, ["ann"], "additional_time_granted")] == [True]
    assert "delete" in store.written[-1][0]
    store.extension = store.extension.model_copy(update={"review_policy_exception": "scribe"})
    service.remove("c1", ref, ["ann@x.edu"], "additional_time_granted")
    kept = store.written[-1][0]["put"]
    assert kept.extra_time_minutes == 0 and kept.review_policy_exception == "scribe"
