"""The one in-memory fake of storage for tests: ``Memory`` (the world: every read port the services use, over
one state), written only through ``MemoryUnitOfWork`` (tests/memory_unit.py: the ``core.ports.UnitOfWork``
that writes a ``core.changes.Work`` into that state with ``data/unit_of_work.py``'s semantics), and the views
over it whose method names clash with Memory's (tests/memory_views.py). tests/unit/test_memory_unit_of_work.py
runs the same scenarios against both units of work and compares their outcomes, so this fake cannot drift from
the real one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.core.audit import AuditEvent
from functions.core.changes import (
    Change,
    Work,
)
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
    SessionRemoval,
    User,
)
from functions.core.numeric_ids import Kind, number
from functions.core.rights import DEFAULT_ROLES, Access, Principal

if TYPE_CHECKING:
    from tests.memory_unit import MemoryUnitOfWork

Key = tuple[Any, ...]


def choice_item(item_id: str, course_id: str, *, key: int = 2, options: int = 4, objective: str | None = None
                ) -> Item:
    """A one-question multiple-choice item (question ``<id>q``, options ``<id>o<n>``; ``key`` is right)."""
    choices = [Option(id=f"{item_id}o{i}", content=str(i), is_key=i == key) for i in range(options)]
    return Item(id=item_id, course_id=course_id, name=item_id, alignment_ids=[objective] if objective else [],
                questions=[Question(id=f"{item_id}q", options=choices)])


@dataclass(frozen=True)
class Replaced:
    """An extension history copy: the value replaced (or deleted), by whom and when."""

    extension: Extension
    by: str
    at: datetime
    deleted: bool = False


@dataclass
class Committed:
    """One committed unit: the Work as given, the writes it took and its audit event (None: it listed no
    change)."""

    work: Work
    writes: int
    event: AuditEvent | None


@dataclass
class Memory:
    """Everything stored, and every read port the services use over it (core/ports.py People, ExamStore,
    SessionStore; core/rights.py Directory; removal.RemovalStore; exam_instances.UserExamStore;
    core/extensions.py ExtensionStore; special_exam_ports Aliases, Learners, ProctoringStore and the allowance
    reads; canvas_ids.NumberAliases; external_ports.LessonStore; through the views ``Credentials``,
    ``WorkQueue`` and ``Learners``, whose method names clash: the credential store, the external-test work
    queue with its leases, the learners).
    Seed with the helpers (``user``, ``course``, ``enroll``, ``exam``, ``item``...); write only through a
    ``unit(principal, now)``."""

    users: dict[str, User] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    enrollments: dict[tuple[str, str], Enrollment] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    exams: dict[str, Exam] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    objectives: dict[str, Objective] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    history: dict[tuple[str, int], Session] = field(default_factory=dict)  # (session id, version kept)
    removals: dict[tuple[str, str], SessionRemoval] = field(default_factory=dict)  # (session id, removal id)
    extensions: dict[tuple[str, str], Extension] = field(default_factory=dict)  # (exam id, user id)
    extension_history: list[Replaced] = field(default_factory=list)
    attempt_counts: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # started, sessions
    stats: dict[str, dict[str, float]] = field(default_factory=dict)  # per exam, summed over its shards
    allowance_rows: dict[str, int] = field(default_factory=dict)  # per exam
    saved: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind, ref) -> the entity
    # The leases of the external-test work queue: an assignment's (by its ref, "student/lesson/attempt") and a
    # shard's (by its number), each (owner, until); they are not changes of a unit (data/external_tests.py).
    assignment_leases: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    shard_leases: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    committed: list[Committed] = field(default_factory=list)
    # Test controls: callables run just before the next commits (one each, in order), as a concurrent writer
    # would; a pause after each session read (lets threads interleave); every unit refused by a condition.
    before_commit: list[Callable[[], Any]] = field(default_factory=list)
    in_hook: bool = False
    read_delay: float = 0.0
    conflicts: int = 0
    # The table's trouble: ``down`` is raised by every commit (nothing written); ``fails(work)`` is one unit's
    # (a throttled write: raised by ``commit``, returned by ``commit_each``), None when it has none.
    down: Exception | None = None
    fails: Callable[[Work], Exception | None] | None = None
    batches: list[int] = field(default_factory=list)  # the size of each commit_each call (the importer's batches)
    reads: Counter[str] = field(default_factory=Counter)  # read port method -> calls
    resolved: list[list[tuple[Kind, int]]] = field(default_factory=list)  # the numbers of each resolve call
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- seeding -----------------------------------------------------------------------------------
    def user(self, user_id: str, *, admin: bool = False, **fields: Any) -> User:
        values = {"username": user_id, "email": f"{user_id}@x.edu", "name": user_id.title(), **fields}
        self.users[user_id] = User(id=user_id, admin=admin, **values)
        return self.users[user_id]

    def course(self, course_id: str, **fields: Any) -> Course:
        self.courses[course_id] = Course(id=course_id, **{"title": course_id, **fields})
        return self.courses[course_id]

    def enroll(self, course_id: str, user_id: str, role: str, **fields: Any) -> Enrollment:
        """``user_id`` (created if unknown) takes ``role`` in ``course_id`` (created if unknown)."""
        if user_id not in self.users:
            self.user(user_id)
        if course_id not in self.courses:
            self.course(course_id)
        self.enrollments[(course_id, user_id)] = Enrollment(course_id=course_id, user_id=user_id, role=role,
                                                            **fields)
        return self.enrollments[(course_id, user_id)]

    def role(self, role_id: str, rights: Iterable[str], name: str | None = None) -> Role:
        self.roles[role_id] = Role(id=role_id, name=name or role_id.title(), rights=list(rights))
        return self.roles[role_id]

    def exam(self, exam: Exam) -> Exam:
        if exam.course_id not in self.courses:
            self.course(exam.course_id)
        self.exams[exam.id] = exam
        return exam

    def item(self, *items: Item) -> None:
        self.items.update({i.id: i for i in items})

    def extension(self, extension: Extension) -> Extension:
        """An extension already stored (written earlier, outside the test)."""
        self.extensions[(extension.exam_id, extension.user_id)] = extension
        return extension

    def session(self, session: Session) -> Session:
        """A session already stored (started earlier, outside the test)."""
        self.sessions[session.id] = session.model_copy(deep=True)
        return session

    def assignment(self, assignment: Any) -> Any:
        """An external-test assignment already stored (assigned earlier, outside the test)."""
        self.saved[("external-test", assignment_ref(assignment))] = assignment
        return assignment

    def assignments(self) -> dict[str, Any]:
        """Every assignment by its ref (``student/lesson/attempt``)."""
        return self.saved_of("external-test")

    # --- composition ---------------------------------------------------------------------------------
    def unit(self, principal: Principal, now: datetime) -> MemoryUnitOfWork:
        from tests.memory_unit import MemoryUnitOfWork

        return MemoryUnitOfWork(self, principal, now)

    def access(self, principal: Principal) -> Access:
        return Access(principal, self)

    # --- what was written (assertions) -------------------------------------------------------------
    @property
    def works(self) -> list[Work]:
        return [c.work for c in self.committed]

    @property
    def events(self) -> list[AuditEvent]:
        return [c.event for c in self.committed if c.event is not None]

    @property
    def sizes(self) -> list[int]:
        """Writes of each committed unit (0: it changed nothing, so nothing was sent)."""
        return [c.writes for c in self.committed]

    def all_changes(self, kind: type | None = None) -> list[Change]:
        """Every committed change (of ``kind``), in order."""
        return [c for w in self.works for c in w.changes if kind is None or isinstance(c, kind)]

    # --- People / Directory ----------------------------------------------------------------------------
    def get_user(self, user_id: str) -> User | None:
        self.reads["get_user"] += 1
        return self.users.get(user_id)

    def find_user(self, username_or_email: str) -> User | None:
        self.reads["find_user"] += 1
        return next((u for u in self.users.values() if username_or_email in (u.username, u.email)), None)

    def get_enrollment(self, course_id: str, user_id: str) -> Enrollment | None:
        self.reads["get_enrollment"] += 1
        return self.enrollments.get((course_id, user_id))

    def get_role(self, role_id: str) -> Role | None:
        self.reads["get_role"] += 1
        return self.roles.get(role_id)

    def get_course(self, course_id: str) -> Course | None:
        self.reads["get_course"] += 1
        return self.courses.get(course_id)

    # --- ExamStore --------------------------------------------------------------------------------------
    def get_exam(self, exam_id: str) -> Exam | None:
        self.reads["get_exam"] += 1
        return self.exams.get(exam_id)

    def get_exams(self, exam_ids: list[str]) -> dict[str, Exam]:
        self.reads["get_exams"] += 1
        return {e: self.exams[e] for e in exam_ids if e in self.exams}

    def get_items(self, item_ids: list[str]) -> dict[str, Item]:
        self.reads["get_items"] += 1
        return {i: self.items[i] for i in item_ids if i in self.items}

    def get_objectives(self, objective_ids: list[str]) -> dict[str, Objective]:
        self.reads["get_objectives"] += 1
        return {o: self.objectives[o] for o in objective_ids if o in self.objectives}

    # --- SessionStore / RemovalStore / UserExamStore ------------------------------------------------------
    def get_session(self, session_id: str, *, consistent: bool = False) -> Session | None:
        self.reads["get_session"] += 1
        found = self.sessions.get(session_id)
        copy = found.model_copy(deep=True) if found else None
        if self.read_delay:
            time.sleep(self.read_delay)  # lets concurrent writers interleave between this read and their write
        return copy

    def with_current(self, session: Session, *, consistent: bool = False) -> Session:
        self.reads["with_current"] += 1
        return session  # stored whole: the current attempt's responses and results are never detached here

    def with_current_and_items(self, session: Session, *, consistent: bool = False
                               ) -> tuple[Session, dict[str, Item]]:
        self.reads["with_current_and_items"] += 1
        return session, self.get_items(session.item_ids)

    def get_extension(self, exam_id: str, user_id: str) -> Extension | None:
        self.reads["get_extension"] += 1
        found = self.extensions.get((exam_id, user_id))
        return found.model_copy() if found else None

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        self.reads["student_sessions"] += 1
        return [s.model_copy(deep=True) for s in self.sessions.values()
                if (s.course_id, s.user_id, s.exam_id) == (course_id, user_id, exam_id)]

    def user_sessions(self, course_id: str, user_id: str, exam_id: str | None = None) -> list[Session]:
        self.reads["user_sessions"] += 1
        return [s.model_copy(deep=True) for s in self.sessions.values()
                if (s.course_id, s.user_id) == (course_id, user_id) and exam_id in (None, s.exam_id)]

    def list_user_sessions(self, user_id: str, course_id: str, limit: int, token: str | None
                           ) -> tuple[list[Session], str | None]:
        self.reads["list_user_sessions"] += 1
        found = sorted(self.user_sessions(course_id, user_id), key=lambda s: (s.exam_id, s.id))
        start = int(token or 0)
        rest = found[start:]
        return rest[:limit], (str(start + limit) if len(rest) > limit else None)

    def latest_removal(self, session_id: str) -> SessionRemoval | None:
        self.reads["latest_removal"] += 1
        mine = sorted((rid, r) for (sid, rid), r in self.removals.items() if sid == session_id)
        return mine[-1][1].model_copy(deep=True) if mine else None

    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None:
        self.reads["get_removal"] += 1
        found = self.removals.get((session_id, removal_id))
        return found.model_copy(deep=True) if found else None

    def list_removals(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                      ) -> tuple[list[SessionRemoval], str | None]:
        self.reads["list_removals"] += 1
        found = [r for _, r in sorted(self.removals.items())
                 if r.session.course_id == course_id and exam_id in (None, r.session.exam_id)]
        start = int(token or 0)
        rest = found[start:]
        return rest[:limit], (str(start + limit) if len(rest) > limit else None)

    def session_history(self, session_id: str) -> list[Session]:
        """The session's history copies, oldest first."""
        return [s for (sid, _), s in sorted(self.history.items()) if sid == session_id]

    # --- ExtensionStore / AllowanceStore reads -----------------------------------------------------------
    def course_exams(self, course_id: str, at_most: int | None = None) -> list[Exam]:
        self.reads["course_exams"] += 1
        found = sorted((e for e in self.exams.values() if e.course_id == course_id), key=lambda e: e.id)
        return found if at_most is None else found[:at_most]

    def page_reads(self, exam_ids: list[str], session_ids: list[str]
                   ) -> tuple[dict[str, Exam], dict[str, Session]]:
        self.reads["page_reads"] += 1
        sessions = {s: self.sessions[s].model_copy(deep=True) for s in session_ids if s in self.sessions}
        return self.get_exams(exam_ids), sessions

    def load(self, course_id: str, user_ids: list[str], exam_ids: list[str], *,
             users: dict[str, User] | None = None
             ) -> tuple[dict[str, Enrollment], dict[tuple[str, str], Extension]]:
        self.reads["load"] += 1
        if users is not None:
            users.update({u: self.users[u] for u in user_ids if u in self.users})
        enrollments = {u: e for u in user_ids if (e := self.enrollments.get((course_id, u))) is not None}
        found = {(e, u): x.model_copy() for (e, u), x in self.extensions.items() if e in exam_ids and u in user_ids}
        return enrollments, found

    def list_extensions(self, course_id: str, exam_id: str | None, limit: int, token: str | None
                        ) -> tuple[list[Extension], str | None]:
        self.reads["list_extensions"] += 1
        found = [x for (e, _), x in sorted(self.extensions.items()) if x.course_id == course_id
                 and exam_id in (None, e)]
        start = int(token or 0)
        rest = found[start:]
        return rest[:limit], (str(start + limit) if len(rest) > limit else None)

    def allowance_counts(self, exam_ids: list[str]) -> dict[str, int]:
        self.reads["allowance_counts"] += 1
        return {e: self.allowance_rows.get(e, 0) for e in exam_ids}

    # --- session_list.SessionPages ----------------------------------------------------------------------
    def configs_and_stats(self, exam_ids: list[str]) -> tuple[dict[str, Exam], dict[str, dict[str, Any]]]:
        self.reads["configs_and_stats"] += 1
        return self.get_exams(exam_ids), {e: dict(self.stats[e]) for e in exam_ids if e in self.stats}

    def sessions_page(self, exam_ids: list[str], limit: int, token: str | None
                      ) -> tuple[list[Session], str | None]:
        self.reads["sessions_page"] += 1
        found = sorted((s for s in self.sessions.values() if s.exam_id in exam_ids), key=lambda s: (s.exam_id, s.id))
        start = int(token or 0)
        rest = [s.model_copy(deep=True) for s in found[start:]]
        return rest[:limit], (str(start + limit) if len(rest) > limit else None)

    # --- special_exam_ports: Aliases, Learners ------------------------------------------------------------
    def target(self, kind: Kind, value: int) -> str | None:
        self.reads["target"] += 1
        known = self.exams if kind is Kind.EXAM else {}
        return next((t for t in known if number(kind, t) == value), None)

    def targets(self, kind: Kind, values: list[int]) -> dict[int, str]:
        self.reads["targets"] += 1
        return {v: t for v in values if (t := self.target(kind, v)) is not None}

    def resolve(self, wanted: list[tuple[Kind, int]]) -> dict[tuple[Kind, int], str]:
        """canvas_ids.NumberAliases: the courses, users and exams these numbers name (each call's numbers noted
        in ``resolved``: a request reads all of its numbers at once)."""
        self.reads["resolve"] += 1
        self.resolved.append(list(wanted))
        known: dict[Kind, dict[str, Any]] = {Kind.COURSE: self.courses, Kind.USER: self.users, Kind.EXAM: self.exams}
        return {(k, v): t for k, v in wanted for t in known.get(k, {}) if number(k, t) == v}

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None) -> dict[str, User]:
        self.reads["by_identifier"] += 1
        return {i: u for i in identifiers if (u := self.find_user(i)) is not None}

    def by_username(self, username: str) -> User | None:
        self.reads["by_username"] += 1
        return next((u for u in self.users.values() if u.username == username), None)

    def users_of(self, user_ids: list[str]) -> dict[str, User]:
        self.reads["users_of"] += 1
        return {u: self.users[u] for u in user_ids if u in self.users}

    # --- Saved entities ------------------------------------------------------------------------------------
    def get_saved(self, kind: str, ref: str) -> Any:
        self.reads["get_saved"] += 1
        return self.saved.get((kind, ref))

    def saved_of(self, kind: str) -> dict[str, Any]:
        """Every stored entity of ``kind`` by its ref (what a read store of that kind lists)."""
        return {ref: value for (k, ref), value in sorted(self.saved.items()) if k == kind}

    # --- credentials.CredentialStore (through ``Credentials``: its ``get`` is the store's) -----------------
    def credential(self, credential: Any) -> Any:
        """A credential already stored (issued earlier, outside the test)."""
        self.saved[("credential", credential.id)] = credential
        return credential

    def list_credentials(self, limit: int, token: str | None) -> tuple[list[Any], str | None]:
        self.reads["list_credentials"] += 1
        found = list(self.saved_of("credential").values())
        start = int(token or 0)
        rest = found[start:]
        return rest[:limit], (str(start + limit) if len(rest) > limit else None)

    def missing_courses(self, course_ids: list[str]) -> list[str]:
        self.reads["missing_courses"] += 1
        return [c for c in course_ids if c not in self.courses]

    # --- special_exam_ports.ProctoringStore ------------------------------------------------------------------
    def get_settings(self, course_id: str, consistent: bool = False) -> dict[str, Any] | None:
        self.reads["get_settings"] += 1
        found = self.saved.get(("proctoring-settings", course_id))
        return dict(found) if found is not None else None

    # --- lessons: LessonStore -----------------------------------------------------------------------------------
    def get_lesson(self, lesson_id: str) -> Any:
        self.reads["get_lesson"] += 1
        return self.saved.get(("lesson", lesson_id))

    def get_subject_track(self, subject: str, grade: int) -> Any:
        self.reads["get_subject_track"] += 1
        return self.saved.get(("subject-track", f"{subject}/{grade}"))

    def track_history(self, subject: str, grade: int) -> dict[int, Any]:
        """The replaced versions of a subject track, by version (kept at ``#v<n>`` by its writer)."""
        prefix = f"{subject}/{grade}#v"
        return {int(ref[len(prefix):]): t for ref, t in self.saved_of("subject-track-history").items()
                if ref.startswith(prefix)}


def assignment_ref(a: Any) -> str:
    return f"{a.student_id}/{a.lesson_id}/{a.attempt}"  # external_imports.assignment_id
