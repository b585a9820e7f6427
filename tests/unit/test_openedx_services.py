"""Open edX services with in-memory stores and a recording unit of work: refusals before any read, the reset's
one unit (all of a student's sessions), and a grant that loses a race retries once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.changes import ExtensionRemoved, ExtensionSaved, SessionRemoved, Work, stats_deltas
from functions.core.errors import ConcurrentUpdate, Conflict, Forbidden, NotFound
from functions.core.models import Attempt, Enrollment, Exam, Extension, Session, User
from functions.core.numeric_ids import Kind, number
from functions.core.rights import DEFAULT_ROLES, Access, Principal, Right
from functions.core.services.allowances import AllowanceService
from functions.core.services.attempt_reports import ExamAttemptService
from functions.core.services.course_exams import CourseScope
from functions.core.services.work_removal import MAX_REMOVED

NOW = datetime(2030, 5, 1, 12, 0, tzinfo=UTC)
EXAM = Exam(id="exam-1", course_id="c1", title="Final", type="proctored", time_limit_minutes=60)
STUDENT = User(id="u1", username="ann", email="ann@x.edu", name="Ann")


class Directory:
    def __init__(self) -> None:
        self.reads = 0
        self.users = {"boss": User(id="boss", username="boss", email="b@x.edu", name="B"), "u1": STUDENT}
        self.enrollments = {("c1", "boss"): Enrollment(course_id="c1", user_id="boss", role="instructor"),
                            ("c1", "u1"): Enrollment(course_id="c1", user_id="u1", role="student")}

    def get_user(self, user_id: str) -> User | None:
        self.reads += 1
        return self.users.get(user_id)

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        self.reads += 1
        return self.enrollments.get((course_id, user_id))

    def get_role(self, role_id: str):  # type: ignore[no-untyped-def]
        return DEFAULT_ROLES.get(role_id)

    def get_course(self, course_id: str) -> None:
        return None

    def find_user(self, username_or_email: str) -> None:
        return None


class Exams:
    def get_exam(self, exam_id: str) -> Exam | None:
        return EXAM if exam_id == EXAM.id else None

    def get_items(self, item_ids: list[str]) -> dict:
        return {}


class Aliases:
    def target(self, kind: Kind, value: int) -> str | None:
        return EXAM.id if value == number(Kind.EXAM, EXAM.id) else None

    def targets(self, kind: Kind, values: list[int]) -> dict[int, str]:
        return {v: t for v in values if (t := self.target(kind, v))}


class Learners:
    def users(self, user_ids: list[str]) -> dict[str, User]:
        return {u: STUDENT for u in user_ids if u == STUDENT.id}

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None) -> dict[str, User]:
        return {i: STUDENT for i in identifiers if i in (STUDENT.username, STUDENT.email)}

    def by_username(self, username: str) -> User | None:
        return STUDENT if username == STUDENT.username else None


class Unit:
    """The unit of work: records each committed Work; ``conflicts`` makes that many commits lose a race."""

    def __init__(self, conflicts: int = 0) -> None:
        self.conflicts = conflicts
        self.works: list[Work] = []

    def commit(self, work: Work) -> None:
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentUpdate("lost a race")
        self.works.append(work)


class Store:
    """The allowance store and the student's sessions in memory."""

    def __init__(self, sessions: list[Session]) -> None:
        self.sessions_of = sessions
        self.loads = 0
        self.extension: Extension | None = None

    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]:
        return {EXAM.id: EXAM} if EXAM.id in exam_ids else {}

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str]) -> tuple[dict, dict]:
        self.loads += 1
        stored = {(EXAM.id, "u1"): self.extension} if self.extension else {}
        return {"u1": Enrollment(course_id="c1", user_id="u1", role="student")}, stored

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        return self.sessions_of

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.extension

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]:
        return [s for s in self.sessions_of if s.user_id == user_id and exam_id in (None, s.exam_id)]


def scope(directory: Directory, caller: str = "boss") -> CourseScope:
    return CourseScope(Access(Principal("user", caller), directory), Exams(), Aliases(), NOW)


def session(n: int) -> Session:
    attempt = Attempt(number=1, started_at=NOW - timedelta(minutes=5), ends_at=NOW + timedelta(minutes=55))
    return Session(id=f"s{n}", exam_id=EXAM.id, course_id="c1", user_id="u1", attempts=[attempt])


def attempts_service(store: Store, unit: Unit, directory: Directory | None = None) -> ExamAttemptService:
    return ExamAttemptService(scope(directory or Directory()), lists=store,  # type: ignore[arg-type]
                              learners=Learners(), unit=unit, work=store)  # type: ignore[arg-type]


def test_refusals_read_nothing_they_do_not_need():
    directory = Directory()
    with pytest.raises(Forbidden):
        scope(directory).require("c" * 300, Right.VIEW_COURSE, "see it")
    assert directory.reads == 0
    with pytest.raises(NotFound):
        scope(directory).exam("c1", "not-a-number")
    with pytest.raises(NotFound):
        scope(directory).exam("c2", str(number(Kind.EXAM, EXAM.id)))  # another course's path


def test_reset_removes_every_session_in_one_unit():
    unit = Unit()
    removed = attempts_service(Store([session(n) for n in range(MAX_REMOVED)]), unit).reset(
        "c1", str(number(Kind.EXAM, EXAM.id)), "ann")
    assert removed == MAX_REMOVED and [len(w.changes) for w in unit.works] == [MAX_REMOVED]
    assert all(isinstance(c, SessionRemoved) for c in unit.works[0].changes)
    assert stats_deltas(unit.works[0].changes)[0].delta == {"sessions": -MAX_REMOVED, "attempts": -MAX_REMOVED}


def test_a_reset_too_large_to_restore_in_one_go_removes_nothing():
    unit = Unit()
    with pytest.raises(Conflict, match=f"at most {MAX_REMOVED}"):
        attempts_service(Store([session(n) for n in range(MAX_REMOVED + 1)]), unit).reset(
            "c1", str(number(Kind.EXAM, EXAM.id)), "ann")
    assert unit.works == []


def test_reset_refusals():
    unit = Unit()
    exam_ref = str(number(Kind.EXAM, EXAM.id))
    with pytest.raises(NotFound, match="'nobody' has no attempts"):  # as for a user who exists (issue 17)
        attempts_service(Store([session(1)]), unit).reset("c1", exam_ref, "nobody")
    with pytest.raises(NotFound, match="no attempts"):
        attempts_service(Store([]), unit).reset("c1", exam_ref, "ann")
    with pytest.raises(Forbidden):
        service = ExamAttemptService(scope(Directory(), caller="u1"), Store([session(1)]),  # type: ignore[arg-type]
                                     Learners(), unit=unit, work=Store([session(1)]))  # type: ignore[arg-type]
        service.reset("c1", exam_ref, "ann")
    assert unit.works == []


def allowance_service(store: Store, unit: Unit) -> AllowanceService:
    directory = Directory()
    return AllowanceService(scope(directory), directory, Aliases(), Learners(), lists=None,  # type: ignore[arg-type]
                            store=store, unit=unit)  # type: ignore[arg-type]


def test_a_grant_that_loses_a_race_reads_again_and_retries_once():
    store, unit = Store([]), Unit(conflicts=1)
    outcomes = allowance_service(store, unit).grant("c1", str(number(Kind.EXAM, EXAM.id)), ["ann"],
                                                    "additional_time_granted", "30")
    assert [o.success for o in outcomes] == [True] and store.loads == 2 and len(unit.works) == 1
    (saved,) = unit.works[0].changes
    assert isinstance(saved, ExtensionSaved) and saved.before is None
    put = saved.after
    assert put.extra_time_minutes == 30 and put.updated_by == "boss" and put.created_at == NOW


def test_a_grant_that_keeps_losing_is_a_409_and_writes_nothing():
    unit = Unit(conflicts=2)
    with pytest.raises(ConcurrentUpdate):
        allowance_service(Store([]), unit).grant("c1", str(number(Kind.EXAM, EXAM.id)), ["ann"],
                                                 "time_multiplier", "1.5")
    assert unit.works == []


def test_removing_the_last_allowance_deletes_the_extension_and_a_partial_one_keeps_it():
    store, unit = Store([]), Unit()
    store.extension = Extension(course_id="c1", exam_id=EXAM.id, user_id="u1", extra_time_minutes=30,
                                version=1)
    service = allowance_service(store, unit)
    ref = str(number(Kind.EXAM, EXAM.id))
    assert [o.success for o in service.remove("c1", ref, ["ann"], "additional_time_granted")] == [True]
    assert unit.works[-1].changes == [ExtensionRemoved(store.extension)]
    store.extension = store.extension.model_copy(update={"review_policy_exception": "scribe"})
    service.remove("c1", ref, ["ann@x.edu"], "additional_time_granted")
    (kept,) = unit.works[-1].changes
    assert isinstance(kept, ExtensionSaved) and kept.after.extra_time_minutes == 0
    assert kept.after.review_policy_exception == "scribe"
