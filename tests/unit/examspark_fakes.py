"""In-memory stand-ins for the repositories the ExamSpark services use (unit tests: no sockets, no moto)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from functions.core.errors import ConcurrentUpdate
from functions.core.models import (
    Course,
    Enrollment,
    Exam,
    Extension,
    Item,
    Objective,
    Option,
    Question,
    Role,
    Session,
    User,
)
from functions.core.rights import DEFAULT_ROLES, Access, Principal
from functions.core.services.attempts import AttemptService
from functions.core.services.sessions import SessionService, StartRequest

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COURSE, STUDENT, TA, OTHER = "c", "stu", "ta", "oth"


class Directory:
    def __init__(self) -> None:
        self.users = {u: User(id=u, username=u, email=f"{u}@x.edu", name=u.title()) for u in (STUDENT, TA, OTHER)}
        self.enrollments = {(COURSE, STUDENT): "student", (COURSE, OTHER): "student",
                            (COURSE, TA): "teaching_assistant"}

    def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def find_user(self, username_or_email: str) -> User | None:
        return next((u for u in self.users.values() if username_or_email in (u.username, u.email)), None)

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        role = self.enrollments.get((course_id, user_id))
        return Enrollment(course_id=course_id, user_id=user_id, role=role) if role else None

    def get_role(self, role_id: str) -> Role | None:
        return DEFAULT_ROLES.get(role_id)

    def get_course(self, course_id: str) -> Course | None:
        return Course(id=course_id, title=course_id)


def choice_item(iid: str, key: int = 2, objective: str = "o1") -> Item:
    options = [Option(id=f"{iid}o{i}", content=f"{i}", is_key=i == key) for i in range(4)]
    return Item(id=iid, course_id=COURSE, name=iid, alignment_ids=[objective],
                questions=[Question(id=f"{iid}q", options=options)])


class Exams:
    def __init__(self, **exam_fields: Any) -> None:
        self.items = {i: choice_item(i) for i in ("a", "b", "c")}
        fields = {"opens_at": T0 - timedelta(days=1), "closes_at": T0 + timedelta(days=1), "time_limit_minutes": 60,
                  **exam_fields}
        self.exam = Exam(id="e", course_id=COURSE, title="E", item_pool=list(self.items), **fields)
        self.item_reads = 0

    def get_exam(self, exam_id: str) -> Exam | None:
        return self.exam if exam_id == self.exam.id else None

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        self.item_reads += 1
        return {i: self.items[i] for i in item_ids if i in self.items}

    def get_objectives(self, objective_ids: list[str]) -> dict[str, Objective]:
        return {o: Objective(id=o, course_id=COURSE, text=f"text {o}", abbreviation=o.upper()) for o in objective_ids}


class Sessions:
    """Sessions with the store's version check done atomically, history copies and statistics counters."""

    def __init__(self) -> None:
        self.live: dict[str, Session] = {}
        self.history: dict[tuple[str, int], Session] = {}
        self.stats: dict[str, float] = {}
        self.extensions: dict[tuple[str, str], Extension] = {}
        self.lock = threading.Lock()
        self.before_save: list[Any] = []  # callables run before the next saves (a concurrent writer)
        self._in_hook = False
        self.read_delay = 0.0
        self.conflicts = 0  # version checks that failed

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        found = self.live.get(session_id)
        copy = found.model_copy(deep=True) if found else None
        time.sleep(self.read_delay)  # lets concurrent writers interleave between this read and their write
        return copy

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None:
        with self.lock:
            if session.id in self.live:
                raise ConcurrentUpdate("exists")
            self.live[session.id] = session.model_copy(deep=True)
            self._apply(extra_ops)

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None, before: Session | None = None) -> None:
        if self.before_save and not self._in_hook:
            self._in_hook = True
            try:
                self.before_save.pop(0)()
            finally:
                self._in_hook = False
        with self.lock:
            if self.live[session.id].version != session.version - 1:
                self.conflicts += 1
                raise ConcurrentUpdate("the session was changed by another request; retry")
            self.live[session.id] = session.model_copy(deep=True)
            if keep_history_of is not None:
                self.history[(session.id, keep_history_of.version)] = keep_history_of
            self._apply(extra_ops)

    def _apply(self, ops: list[dict[str, Any]] | None) -> None:
        for op in ops or []:
            if "pointer" in op:
                point(self.extensions, op["pointer"])
                continue
            if "delta" not in op:  # the attempt count (its condition is the DynamoDB tests' business)
                continue
            for name, value in op["delta"].items():
                self.stats[name] = round(self.stats.get(name, 0) + value, 4)

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.extensions.get((exam_id, user_id))

    def latest_removal(self, session_id: str) -> None:
        return None  # no session of these tests was ever removed

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        return [s.model_copy(deep=True) for s in self.live.values()
                if (s.course_id, s.user_id, s.exam_id) == (course_id, user_id, exam_id)]

    def latest_session_op(self, exam_id: str, user_id: str, extension: Extension | None, session_id: str
                          ) -> dict[str, Any]:
        return {"pointer": (exam_id, user_id, extension, session_id)}

    def attempt_count_op(self, exam_id: str, user_id: str, **count: Any) -> dict[str, Any]:
        # The count's condition under concurrency is the DynamoDB tests' business (test_attempt_limit_race).
        return {"count": (exam_id, user_id, count)}

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]:
        return {"forget": (exam_id, user_id)}


def point(extensions: dict[tuple[str, str], Extension], pointer: tuple[str, str, Extension | None, str]) -> None:
    """What the store's pointer update does (the version condition is the integration tests' business)."""
    exam_id, user_id, read, session_id = pointer
    if read is not None:
        extensions[(exam_id, user_id)] = read.model_copy(update={
            "latest_session_id": session_id, "session_tracked": True, "version": read.version + 1})


def stats_op(exam_id: str, delta: dict[str, float], shard_by: str | None = None) -> dict[str, Any] | None:
    return {"exam": exam_id, "delta": delta} if delta else None


class World:
    """One exam, a student, a TA and another student; services for any caller at any instant."""

    def __init__(self, **exam_fields: Any) -> None:
        self.directory, self.exams, self.sessions = Directory(), Exams(**exam_fields), Sessions()
        self.now = T0

    def service(self, as_user: str = STUDENT, kind: str = "user", rights: frozenset[str] = frozenset()
                ) -> SessionService:
        principal = Principal(kind=kind, subject=as_user, key_courses=frozenset({COURSE}), key_rights=rights)
        return SessionService(people=self.directory, exams=self.exams, sessions=self.sessions, stats_op=stats_op,
                              access=Access(principal, self.directory), now=self.now)

    def attempts(self, as_user: str = STUDENT, **kwargs: Any) -> AttemptService:
        return AttemptService(self.service(as_user, **kwargs))

    def start(self, user: str = STUDENT) -> str:
        session, _, _ = self.service(user).start("e", StartRequest(user=user))
        return session.id

    def grant(self, **fields: Any) -> None:
        self.sessions.extensions[("e", STUDENT)] = Extension(course_id=COURSE, exam_id="e", user_id=STUDENT, **fields)
