"""In-memory stand-ins for the storage the session and extension services need (unit tests are pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core.errors import ConcurrentUpdate
from functions.core.models import Course, Enrollment, Exam, Extension, Item, Option, Question, Session, User
from functions.core.rights import DEFAULT_ROLES, Access, Principal


@dataclass
class World:
    """One course 'c' with exams, people and stored sessions / extensions; writes land here on commit."""

    exams: dict[str, Exam] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    session_history: list[Session] = field(default_factory=list)
    extensions: dict[tuple[str, str], Extension] = field(default_factory=dict)
    extension_history: list[tuple[Extension, str]] = field(default_factory=list)
    stats: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    transactions: list[int] = field(default_factory=list)  # operations per committed transaction

    def person(self, uid: str, role: str) -> None:
        self.users[uid] = User(id=uid, username=uid, email=f"{uid}@x.edu", name=uid.title())
        self.enrollments[uid] = Enrollment(course_id="c", user_id=uid, role=role)

    # People
    def get_user(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def find_user(self, ref: str) -> User | None:
        return None

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        return self.enrollments.get(user_id) if course_id == "c" else None

    def get_role(self, role_id: str):  # type: ignore[no-untyped-def]
        return DEFAULT_ROLES.get(role_id)

    def get_course(self, course_id: str) -> Course | None:
        return Course(id="c", title="C") if course_id == "c" else None

    # ExamStore
    def get_exam(self, exam_id: str) -> Exam | None:
        return self.exams.get(exam_id)

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        options = [Option(id="a", content="a", is_key=True), Option(id="b", content="b")]
        question = Question(id="q", options=options)
        return {i: Item(id=i, course_id="c", name=i, questions=[question]) for i in item_ids}

    def access(self, subject: str = "teacher") -> Access:
        return Access(Principal(kind="user", subject=subject), self)


def point(extensions: dict[tuple[str, str], Extension], pointer: tuple[str, str, Extension | None, str]) -> None:
    """What the store's pointer update does (the version condition is the integration tests' business)."""
    exam_id, user_id, read, session_id = pointer
    if read is not None:
        extensions[(exam_id, user_id)] = read.model_copy(update={
            "latest_session_id": session_id, "session_tracked": True, "version": read.version + 1})


class SessionsInMemory:
    """SessionStore writing straight into the world (for SessionService.start / settle)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        found = self.world.sessions.get(session_id)
        return found.model_copy(deep=True) if found else None

    def create_session(self, session: Session, *, extra_ops: list[dict[str, Any]] | None = None) -> None:
        if session.id in self.world.sessions:
            raise ConcurrentUpdate("exists")
        self.world.sessions[session.id] = session.model_copy(deep=True)

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None, before: Session | None = None) -> None:
        stored = self.world.sessions[session.id]
        if stored.version != session.version - 1:
            raise ConcurrentUpdate("changed")
        self.world.sessions[session.id] = session.model_copy(deep=True)
        if keep_history_of is not None:
            self.world.session_history.append(keep_history_of)
        for op in extra_ops or []:
            if "pointer" in op:
                point(self.world.extensions, op["pointer"])
            else:
                self.world.stats.append(op["stats"])

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        return self.world.extensions.get((exam_id, user_id))

    def latest_removal(self, session_id: str) -> None:
        return None  # no session in these tests was ever reset

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        return [s.model_copy(deep=True) for s in self.world.sessions.values()
                if (s.course_id, s.user_id, s.exam_id) == (course_id, user_id, exam_id)]

    def latest_session_op(self, exam_id: str, user_id: str, extension: Extension | None, session_id: str
                          ) -> dict[str, Any]:
        return {"pointer": (exam_id, user_id, extension, session_id)}

    def attempt_count_op(self, exam_id: str, user_id: str, **count: Any) -> dict[str, Any]:
        # The count's condition under concurrency is the DynamoDB tests' business (test_attempt_limit_race).
        return {"count": (exam_id, user_id, count)}

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]:
        return {"forget": (exam_id, user_id)}


def stats_op(exam_id: str, delta: dict[str, float], shard_by: str | None = None) -> dict[str, Any] | None:
    return {"stats": (exam_id, delta)} if delta else None


class QueuedSessions(SessionsInMemory):
    """SessionStore of a write batch: saves are queued as operations."""

    def __init__(self, world: World, queue: list[dict[str, Any]]) -> None:
        super().__init__(world)
        self.queue = queue

    def save_session(self, session: Session, *, keep_history_of: Session | None = None,
                     extra_ops: list[dict[str, Any]] | None = None, before: Session | None = None) -> None:
        self.queue.append({"session": session.model_copy(deep=True), "history": keep_history_of})
        self.queue.extend(extra_ops or [])


class Writes:
    def __init__(self, world: World) -> None:
        self.world = world
        self.queue: list[dict[str, Any]] = []
        self.sessions = QueuedSessions(world, self.queue)

    def add(self, operations: list[dict[str, Any]]) -> None:
        self.queue.extend(operations)

    def size(self) -> int:
        return sum(2 if op.get("history") is not None else 1 for op in self.queue)  # history: 2 items

    def commit(self) -> None:
        for op in self.queue:
            if "session" in op:
                SessionsInMemory(self.world).save_session(op["session"], keep_history_of=op["history"])
            elif "extension" in op:
                after, before, by = op["extension"], op["before"], op["by"]
                stored = self.world.extensions.get((after.exam_id, after.user_id))
                if (stored.version if stored else None) != (before.version if before else None):
                    raise ConcurrentUpdate("extension changed")
                self.world.extensions[(after.exam_id, after.user_id)] = after
                if before is not None:
                    self.world.extension_history.append((before, by))
            elif "stats" in op:
                self.world.stats.append(op["stats"])
            elif "pointer" in op:
                point(self.world.extensions, op["pointer"])
        self.world.transactions.append(self.size())


class ExtensionsInMemory:
    """The ExtensionStore port over the world."""

    def __init__(self, world: World) -> None:
        self.world = world

    def course_exams(self, course_id: str, at_most: int) -> list[Exam]:
        return [e for e in self.world.exams.values() if e.course_id == course_id][:at_most]

    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]:
        return {e: self.world.exams[e] for e in exam_ids if e in self.world.exams}

    def page_reads(self, exam_ids: list[str], session_ids: list[str]
                   ) -> tuple[dict[str, Exam], dict[str, Session]]:
        sessions = {s: self.world.sessions[s].model_copy(deep=True) for s in session_ids
                    if s in self.world.sessions}
        return self.get_exams(exam_ids), sessions

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str], *,  # type: ignore[no-untyped-def]
             users: dict | None = None):
        if users is not None:
            users.update({u: self.world.users[u] for u in user_ids if u in getattr(self.world, "users", {})})
        enrollments = {u: self.world.enrollments[u] for u in user_ids if u in self.world.enrollments}
        found = {(e, u): x.model_copy() for (e, u), x in self.world.extensions.items()
                 if e in exam_ids and u in user_ids}
        return enrollments, found

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]:
        return [s.model_copy(deep=True) for s in self.world.sessions.values()
                if s.user_id == user_id and (exam_id is None or s.exam_id == exam_id)]

    def list_extensions(self, course_id: str, exam_id: str | None, limit: int, token: str | None):  # type: ignore[no-untyped-def]
        found = [x for (e, _), x in sorted(self.world.extensions.items()) if exam_id in (None, e)]
        return found[:limit], None

    def count_ops(self, deltas: dict[str, int]) -> list[dict[str, Any]]:
        return [{"allowance-count": exam_id, "add": n} for exam_id, n in sorted(deltas.items())]

    def save_ops(self, before: Extension | None, after: Extension, *, by: str, at: datetime
                 ) -> list[dict[str, Any]]:
        ops: list[dict[str, Any]] = [{"extension": after, "before": before, "by": by}]
        return ops + ([{"extension-history": before}] if before else [])

    def batch(self) -> Writes:
        return Writes(self.world)
