"""In-memory stand-ins for what the LearningStudio service uses (unit tests: no sockets, no moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from functions.core.errors import ConcurrentUpdate
from functions.core.models import (
    Course,
    Enrollment,
    Exam,
    Extension,
    Item,
    Option,
    Question,
    Role,
    Session,
    SessionRemoval,
    User,
)
from functions.core.rights import DEFAULT_ROLES, Access, Principal
from functions.core.services.exam_instances import UserExamService
from functions.core.services.sessions import SessionService
from tests.unit.examspark_fakes import point

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COURSE, OTHER_COURSE = "c", "c2"
STUDENT, PEER, TA, ADMIN, NOADMIN, OUTSIDER = "stu", "peer", "ta", "registrar", "grader", "out"
POOL = [f"i{n}" for n in range(8)]


class Directory:
    def __init__(self) -> None:
        self.users = {u: User(id=u, username=u, email=f"{u}@x.edu", name=u.title())
                      for u in (STUDENT, PEER, TA, ADMIN, NOADMIN, OUTSIDER)}
        self.enrollments = {(COURSE, STUDENT): "student", (COURSE, PEER): "student",
                            (COURSE, TA): "teaching_assistant", (COURSE, ADMIN): "registrar",
                            (COURSE, NOADMIN): "grader", (OTHER_COURSE, OUTSIDER): "instructor"}
        self.roles = {**DEFAULT_ROLES,
                      "registrar": Role(id="registrar", name="Registrar", rights=["course:admin"]),
                      "grader": Role(id="grader", name="Grader", rights=["course:view", "attempt:manage"])}

    def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def find_user(self, username_or_email: str) -> User | None:
        return None

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        role = self.enrollments.get((course_id, user_id))
        return Enrollment(course_id=course_id, user_id=user_id, role=role) if role else None

    def get_role(self, role_id: str) -> Role | None:
        return self.roles.get(role_id)

    def get_course(self, course_id: str) -> Course | None:
        return Course(id=course_id, title=course_id)


def choice_item(iid: str) -> Item:
    options = [Option(id=f"{iid}o{i}", content=str(i), is_key=i == 1) for i in range(3)]
    return Item(id=iid, course_id=COURSE, name=iid, questions=[Question(id=f"{iid}q", options=options)])


class Exams:
    def __init__(self) -> None:
        self.items = {i: choice_item(i) for i in POOL}
        window = {"opens_at": T0 - timedelta(days=1), "closes_at": T0 + timedelta(days=1)}
        self.exams = {
            "e": Exam(id="e", course_id=COURSE, title="E", item_pool=POOL, draw_count=3, retakable=True,
                      max_attempts=2, **window),
            "once": Exam(id="once", course_id=COURSE, title="Once", item_pool=POOL, draw_count=3, **window),
            "x": Exam(id="x", course_id=OTHER_COURSE, title="X", item_pool=POOL, **window),
        }
        self.reads = 0

    def get_exam(self, exam_id: str) -> Exam | None:
        self.reads += 1
        return self.exams.get(exam_id)

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        return {i: self.items[i] for i in item_ids if i in self.items}


class Store:
    """Sessions, extensions and removal records with the conditions the real store applies."""

    def __init__(self) -> None:
        self.live: dict[str, Session] = {}
        self.removals: dict[tuple[str, str], SessionRemoval] = {}
        self.extensions: dict[tuple[str, str], Extension] = {}
        self.stats: dict[str, float] = {}
        self.writes = 0

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        found = self.live.get(session_id)
        return found.model_copy(deep=True) if found else None

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None:
        if session.id in self.live:
            raise ConcurrentUpdate("exists")
        self._write(extra_ops)
        self.live[session.id] = session.model_copy(deep=True)

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None, before: Session | None = None) -> None:
        if self.live[session.id].version != session.version - 1:
            raise ConcurrentUpdate("changed")
        self._write(extra_ops)
        self.live[session.id] = session.model_copy(deep=True)

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.extensions.get((exam_id, user_id))

    def latest_removal(self, session_id: str) -> SessionRemoval | None:
        mine = sorted((rid, r) for (sid, rid), r in self.removals.items() if sid == session_id)
        return mine[-1][1] if mine else None

    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None:
        return self.removals.get((session_id, removal_id))

    def latest_session_op(self, exam_id: str, user_id: str, extension: Extension | None, session_id: str
                          ) -> dict[str, Any]:
        return {"pointer": (exam_id, user_id, extension, session_id)}

    def attempt_count_op(self, exam_id: str, user_id: str, **count: Any) -> dict[str, Any]:
        # The count's condition under concurrency is the DynamoDB tests' business (test_attempt_limit_race).
        return {"count": (exam_id, user_id, count)}

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]:
        return {"forget": (exam_id, user_id)}

    def remove_session(self, removal: SessionRemoval, extra_ops: list[dict[str, Any]]) -> None:
        stored = self.live.get(removal.session.id)
        if stored is None or stored.version != removal.session.version:
            raise ConcurrentUpdate("changed")
        self._write(extra_ops)
        del self.live[removal.session.id]
        self.removals[(removal.session.id, removal.removal_id)] = removal

    def restore_session(self, removal: SessionRemoval, restored: Session, extra_ops: list[dict[str, Any]]) -> None:
        if restored.id in self.live or self.removals[(restored.id, removal.removal_id)].restored_at:
            raise ConcurrentUpdate("a newer session exists or it was restored already")
        self._write(extra_ops)
        self.live[restored.id] = restored
        self.removals[(restored.id, removal.removal_id)] = removal

    def list_user_sessions(self, user_id: str, course_id: str, limit: int, token: str | None
                           ) -> tuple[list[Session], str | None]:
        found = [s for s in self.live.values() if (s.user_id, s.course_id) == (user_id, course_id)]
        return sorted(found, key=lambda s: (s.exam_id, s.id))[:limit], None

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        return [s.model_copy(deep=True) for s in self.live.values()
                if (s.course_id, s.user_id, s.exam_id) == (course_id, user_id, exam_id)]

    def list_removals(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                      ) -> tuple[list[SessionRemoval], str | None]:
        found = [r for r in self.removals.values()
                 if r.session.course_id == course_id and exam_id in (None, r.session.exam_id)]
        return found[:limit], None

    def _write(self, ops: list[dict[str, Any]] | None) -> None:
        self.writes += 1
        for op in ops or []:
            if "pointer" in op:
                point(self.extensions, op["pointer"])
                continue
            if "delta" not in op:  # the attempt count (its condition is the DynamoDB tests' business)
                continue
            for name, value in op["delta"].items():
                self.stats[name] = round(self.stats.get(name, 0) + value, 4)


def stats_op(exam_id: str, delta: dict[str, float], shard_by: str | None = None) -> dict[str, Any] | None:
    return {"exam": exam_id, "delta": delta} if delta else None


class Batch:
    """A reset's one transaction: the removals go to the store as they come, the summed statistics on
    commit (audit events are the integration tests' business)."""

    def __init__(self, store: Store) -> None:
        self.sessions = store
        self.operations: list[dict[str, Any]] = []

    def add(self, operations: list[dict[str, Any]]) -> None:
        self.operations.extend(op for op in operations if "delta" in op)

    def size(self) -> int:
        return len(self.operations)

    def commit(self) -> None:
        for op in self.operations:
            for name, value in op["delta"].items():
                self.sessions.stats[name] = round(self.sessions.stats.get(name, 0) + value, 4)


class World:
    def __init__(self) -> None:
        self.directory, self.exams, self.store = Directory(), Exams(), Store()
        self.now = T0

    def service(self, as_user: str = STUDENT, *, kind: str = "user", rights: str = "") -> UserExamService:
        principal = Principal(kind=kind, subject=as_user, key_courses=frozenset({COURSE}),
                              key_rights=frozenset(r for r in rights.split(",") if r))
        sessions = SessionService(people=self.directory, exams=self.exams, sessions=self.store, stats_op=stats_op,
                                  access=Access(principal, self.directory), now=self.now)
        return UserExamService(service=sessions, store=self.store, batches=lambda: Batch(self.store))

    def unlock(self, exam_id: str, user_id: str = STUDENT) -> None:
        self.store.extensions[(exam_id, user_id)] = Extension(course_id=COURSE, exam_id=exam_id, user_id=user_id,
                                                              manually_unlocked=True)
