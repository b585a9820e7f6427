"""The one in-memory fake of storage for tests: ``Memory`` (the world: every read port the services use, over
one state) and ``MemoryUnitOfWork`` (the ``core.ports.UnitOfWork`` that writes a ``core.changes.Work`` into
that state with ``data/unit_of_work.py``'s semantics). tests/unit/test_memory_unit_of_work.py runs the same
scenarios against both units of work and compares their outcomes, so this fake cannot drift from the real one.

What the unit of work does, as DynamoDB would (all or nothing: every condition is checked before anything is
applied; one failing condition raises ``ConcurrentUpdate`` with the unit's ``conflict`` and changes nothing):
- sessions: created only when absent; changed or removed only from the version read; ``keep_history`` keeps
  ``before`` as a history copy noting why, who and when; a removal record is new, a restore puts the session
  back only while none is live and marks the record only while it is not restored;
- extensions: written only over the version read (or created when absent), the earlier value kept as a
  history copy; the session pointer of an attempt begun (``AttemptBegun``); the allowance-row counters;
- attempt counts under their limit, forgotten after removals and restores; statistics summed per exam
  (``changes.stats_deltas``); one audit event per unit (``core.audit.event``);
- ``Saved`` changes stored by (kind, ref), written only over the version read (``extra["version"]`` when
  given, else ``before``'s ``version``; or created only when absent), deleted when ``after`` is None: the
  conditions the kinds' writers (data/unit_of_work.py SAVERS) use; the kinds whose writers differ
  (credential, proctoring-settings, lesson, subject-track, external-test and its leases, enrollment) follow
  their writers (``_SAVED_KINDS``), each with its scenario in the conformance test;
- the size check: the writes the unit would send, counted per change as data/unit_of_work.py builds them,
  against ``changes.TRANSACTION_ITEMS`` (bytes: the JSON of what is written, an estimate).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import BaseModel

from functions.core import allowances, changes
from functions.core.audit import AuditEvent, event
from functions.core.changes import (
    AttemptCount,
    Change,
    ExtensionRemoved,
    ExtensionSaved,
    Saved,
    SessionChanged,
    SessionRemoved,
    SessionRestored,
    SessionStarted,
    Work,
)
from functions.core.errors import ConcurrentUpdate, TooLarge
from functions.core.models import (
    Course,
    Enrollment,
    Exam,
    Extension,
    HistoryNote,
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
        self.saved[("external-test", _assignment_ref(assignment))] = assignment
        return assignment

    def assignments(self) -> dict[str, Any]:
        """Every assignment by its ref (``student/lesson/attempt``)."""
        return self.saved_of("external-test")

    # --- composition ---------------------------------------------------------------------------------
    def unit(self, principal: Principal, now: datetime) -> MemoryUnitOfWork:
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


class Credentials:
    """credentials.CredentialStore over a Memory (its ``get`` would clash with other ports' reads)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, credential_id: str, *, consistent: bool = False) -> Any:
        self.memory.reads["get_credential"] += 1
        return self.memory.saved.get(("credential", credential_id))

    def list_page(self, limit: int, token: str | None) -> tuple[list[Any], str | None]:
        return self.memory.list_credentials(limit, token)

    def missing_courses(self, course_ids: list[str]) -> list[str]:
        return self.memory.missing_courses(course_ids)


class Learners:
    """special_exam_ports.Learners over a Memory (its ``users`` name clashes with Memory's field)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def users(self, user_ids: list[str]) -> dict[str, User]:
        return self.memory.users_of(user_ids)

    def by_identifier(self, identifiers: list[str], numbers: dict[str, int] | None = None) -> dict[str, User]:
        return self.memory.by_identifier(identifiers, numbers)

    def by_username(self, username: str) -> User | None:
        return self.memory.by_username(username)


class WorkQueue:
    """external_ports.WorkQueue over a Memory (data/external_tests.py ExternalTestRepository): the external-test
    assignments, their leases and the shard leases of the scheduled pass."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, student_id: str, lesson_id: str, attempt: int, *, consistent: bool = False) -> Any:
        self.memory.reads["get_assignment"] += 1
        return self.memory.saved.get(("external-test", f"{student_id}/{lesson_id}/{attempt}"))

    def latest(self, student_id: str, lesson_id: str) -> Any:
        self.memory.reads["latest_assignment"] += 1
        mine = [a for a in self.memory.assignments().values() if (a.student_id, a.lesson_id) == (student_id, lesson_id)]
        return max(mine, key=lambda a: a.attempt, default=None)

    def due(self, now: datetime, page_size: int = 100, shards: Any = None) -> Any:
        """Pending (neither finalized nor parked) assignments due at ``now``, shard by shard, as the work-queue
        index hands them out (by when they are due)."""
        from functions.data import keys

        m = self.memory
        for shard in keys.work_queue_shards(shards):
            m.reads["due"] += 1
            with m.lock:
                pending = sorted((a for a in m.assignments().values() if _queued(a) and a.next_try_at <= now
                                  and keys.work_queue_shard(a.student_id, a.lesson_id) == shard),
                                 key=lambda a: (a.next_try_at, _assignment_ref(a)))
            yield from pending

    def claim(self, a: Any, owner: str, now: datetime, lease_until: datetime, *, due_only: bool) -> Any:
        """The assignment's lease, one version on, due again when the lease ends; None when it is not queued,
        someone else's lease is running, or (``due_only``) it is not due."""
        m, ref = self.memory, _assignment_ref(a)
        with m.lock:
            current = m.saved.get(("external-test", ref))
            lease = m.assignment_leases.get(ref)
            if (current is None or not _queued(current) or (lease is not None and lease[1] > now)
                    or (due_only and current.next_try_at > now)):
                return None
            claimed = current.model_copy(update={"version": current.version + 1, "next_try_at": lease_until})
            m.saved[("external-test", ref)] = claimed
            m.assignment_leases[ref] = (owner, lease_until)
            return claimed

    def release(self, a: Any, owner: str) -> None:
        m, ref = self.memory, _assignment_ref(a)
        with m.lock:
            if m.assignment_leases.get(ref, ("",))[0] == owner:
                del m.assignment_leases[ref]

    def all_shards(self) -> list[int]:
        from functions.data import keys

        return list(range(keys.WORK_QUEUE_SHARDS))

    def take_shard(self, shard: int, owner: str, now: datetime, until: datetime) -> bool:
        m = self.memory
        with m.lock:
            held = m.shard_leases.get(shard)
            if held is not None and held[1] > now:
                return False
            m.shard_leases[shard] = (owner, until)
            return True

    def release_shard(self, shard: int, owner: str, now: datetime) -> None:
        m = self.memory
        with m.lock:
            if m.shard_leases.get(shard, ("",))[0] == owner:
                del m.shard_leases[shard]


def _assignment_ref(a: Any) -> str:
    return f"{a.student_id}/{a.lesson_id}/{a.attempt}"  # external_imports.assignment_id


def _queued(a: Any) -> bool:
    """In the work queue (its index holds it): neither finalized nor parked, with a next try."""
    return not a.finalized and a.parked_at is None and a.next_try_at is not None


# --- the unit of work ------------------------------------------------------------------------------------
class MemoryUnitOfWork:
    """``core.ports.UnitOfWork`` over a ``Memory``, for one caller (``principal``) at ``now``."""

    def __init__(self, memory: Memory, principal: Principal, now: datetime) -> None:
        self.memory = memory
        self.principal = principal
        self.now = now

    def commit(self, work: Work) -> None:
        m = self.memory
        if m.down is not None:
            raise m.down
        trouble = m.fails(work) if m.fails is not None else None
        if trouble is not None:
            raise trouble
        if m.before_commit and not m.in_hook:  # a concurrent writer commits first (its commits run no hook)
            m.in_hook = True
            try:
                m.before_commit.pop(0)()
            finally:
                m.in_hook = False
        writes = count_writes(work)
        check_size(writes, work)
        with m.lock:
            plan = _Plan(m, self.principal, self.now)
            try:
                for change in work.changes:
                    plan.change(change)
                plan.derived(work)
            except _Refused:
                m.conflicts += 1
                raise ConcurrentUpdate(work.conflict) from None
            listed = changes.audit_changes(work.changes)
            audit = (event(self.principal, self.now, work.action, work.course_id, listed,
                           changes.restorables(work.changes)) if listed else None)
            for apply in plan.applies:  # every condition held: now, and only now, anything is written
                apply()
            m.committed.append(Committed(work, writes if work.changes else 0, audit))


    def commit_each(self, works: list[Work], owner: str, now: datetime) -> list[Exception | None]:
        """external_ports.OutcomeUnit (data/imported_outcomes.py): per work, None (written, with its audit
        event) or why not; each all or nothing, and only while ``owner`` holds the lease of its work-queue
        shard at ``now``. A unit the table refuses costs only itself."""
        from functions.data import keys

        m = self.memory
        if m.down is not None:
            raise m.down
        m.batches.append(len(works))
        results: list[Exception | None] = []
        for work in works:
            a = next(c.after for c in work.changes if isinstance(c, Saved) and c.kind == "external-test")
            with m.lock:
                held = m.shard_leases.get(keys.work_queue_shard_number(a.student_id, a.lesson_id))
                try:
                    if held is None or held[0] != owner or held[1] <= now:
                        m.conflicts += 1
                        raise ConcurrentUpdate(_LOST)
                    MemoryUnitOfWork(m, self.principal, now).commit(work)
                except ConcurrentUpdate:
                    results.append(ConcurrentUpdate(_LOST))
                except Exception as error:  # TooLarge, the table's trouble: this outcome's only
                    results.append(error)
                else:
                    results.append(None)
        return results


_LOST = ("the assignment changed while it was being imported, or the pass lost its shard lease; it will be "
         "imported again")


def _as_stored(session: Session) -> Session:
    """A copy as data/sessions.py stores it: its attempts' responses and results in parts of their own."""
    return session.model_copy(update={"attempt_parts": True}, deep=True)


class _Refused(Exception):
    """A condition of the unit failed (nothing is applied)."""


def _version(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return getattr(value, "version", value)
    if isinstance(value, dict):
        return value.get("version", value)
    return value


class _Plan:
    """One unit's conditions checked against the state, and what it then writes (``applies``)."""

    def __init__(self, memory: Memory, principal: Principal, now: datetime) -> None:
        self.m = memory
        self.principal = principal
        self.now = now
        self.applies: list[Callable[[], object]] = []
        self.touched: set[Key] = set()

    def _set(self, mapping: dict[Any, Any], key: Any, value: Any) -> None:
        self.applies.append(partial(mapping.__setitem__, key, value))

    def _drop(self, mapping: dict[Any, Any], key: Any) -> None:
        self.applies.append(partial(mapping.pop, key, None))

    def _touch(self, key: Key) -> None:
        # DynamoDB refuses a transaction that names one item twice (a bug in the service, not a race).
        if key in self.touched:
            raise AssertionError(f"one unit writes {key} twice; DynamoDB refuses such a transaction")
        self.touched.add(key)

    def _require(self, holds: bool) -> None:
        if not holds:
            raise _Refused

    def change(self, change: Change) -> None:
        m = self.m
        if isinstance(change, SessionStarted):
            s = change.session
            self._touch(("session", s.id))
            self._require(s.id not in m.sessions)
            self._put_session(s)
            self._counted(s, change.counted)
        elif isinstance(change, SessionChanged):
            after = change.after
            self._touch(("session", after.id))
            stored = m.sessions.get(after.id)
            self._require(stored is not None and stored.version == after.version - 1)
            self._put_session(after)
            if change.keep_history:
                kept = _as_stored(change.before)
                kept.history_note = HistoryNote(reason=change.reason, by=self.principal.subject, at=self.now)
                self._touch(("history", after.id, kept.version))
                self._require((after.id, kept.version) not in m.history)
                self._set(m.history, (after.id, kept.version), kept)
            self._counted(after, change.counted)
        elif isinstance(change, SessionRemoved):
            removal = change.removal
            s = removal.session
            key = (s.id, removal.removal_id)
            self._touch(("session", s.id))
            self._touch(("removal", *key))
            stored = m.sessions.get(s.id)
            self._require(stored is not None and stored.version == s.version and key not in m.removals)
            self._drop(m.sessions, s.id)
            self._set(m.removals, key, removal.model_copy(update={"session": _as_stored(s)}))
        elif isinstance(change, SessionRestored):
            restored, removal = change.restored, change.removal
            key = (restored.id, removal.removal_id)
            self._touch(("session", restored.id))
            self._touch(("removal", *key))
            record = m.removals.get(key)
            self._require(restored.id not in m.sessions and record is not None and record.restored_at is None)
            self._put_session(restored)
            self._set(m.removals, key, removal.model_copy(update={"session": _as_stored(removal.session)}))
        elif isinstance(change, ExtensionSaved):
            self._extension(change.before, change.after)
        elif isinstance(change, ExtensionRemoved):
            self._extension(change.before, None)
        else:
            self._saved(change)

    def _put_session(self, session: Session) -> None:
        copy = _as_stored(session)
        self.applies.append(lambda: self.m.sessions.__setitem__(copy.id, copy))

    def _counted(self, session: Session, counted: AttemptCount | None) -> None:
        if counted is None:
            return
        key = (session.exam_id, session.user_id)
        self._touch(("count", *key))
        stored = self.m.attempt_counts.get(key)
        if stored is not None:
            self._require(stored["started"] < counted.allowed
                          and (not counted.new_session or stored["sessions"] < counted.max_sessions))
        base = stored or {"started": counted.used, "sessions": counted.live}
        after = {"started": base["started"] + 1, "sessions": base["sessions"] + int(counted.new_session)}
        self.applies.append(lambda: self.m.attempt_counts.__setitem__(key, after))

    def _extension(self, before: Extension | None, after: Extension | None) -> None:
        """Written over the version read (version 0: written before versions, or absent), ``before`` kept."""
        m = self.m
        either = after or before
        assert either is not None
        key = (either.exam_id, either.user_id)
        self._touch(("extension", *key))
        stored = m.extensions.get(key)
        if before is None:
            self._require(stored is None)
        elif before.version == 0:
            self._require(stored is None or stored.version == 0)
        else:
            self._require(stored is not None and stored.version == before.version)
        if after is not None:
            written = after.model_copy()
            self.applies.append(lambda: m.extensions.__setitem__(key, written))
        else:
            self.applies.append(lambda: m.extensions.pop(key, None))
        if before is not None:
            replaced = Replaced(before, self.principal.subject, self.now, deleted=after is None)
            self.applies.append(lambda: m.extension_history.append(replaced))

    def _saved(self, change: Saved) -> None:
        """The generic conditions, or the kind's own where its writer's differ (each has its conformance
        scenario in tests/unit/test_memory_unit_of_work.py)."""
        m = self.m
        key = (change.kind, change.ref)
        own = _SAVED_KINDS.get(change.kind)
        if own is not None:
            own(self, change)
            return
        self._touch(("saved", *key))
        stored = m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            expected = change.extra.get("version", _version(change.before))
            self._require(stored is not None and _version(stored) == expected)
        self._store(key, change.after)

    def _store(self, key: tuple[str, str], value: Any) -> None:
        m = self.m
        if value is None:
            self.applies.append(lambda: m.saved.pop(key, None))
        else:
            copy = value.model_copy(deep=True) if isinstance(value, BaseModel) else value
            self.applies.append(lambda: m.saved.__setitem__(key, copy))

    def credential(self, change: Saved) -> None:
        """data/credentials.py: the whole credential (``extra``; ``before``/``after`` are its public view),
        created only when absent, else only at ``extra["read_version"]``."""
        key = ("credential", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            self._require(stored is not None and stored.version == change.extra["read_version"])
        self._store(key, change.extra["credential"])

    def proctoring_settings(self, change: Saved) -> None:
        """data/proctoring.py: only the fields sent are set (None removes one), with who and when, one version
        on; only at ``before``'s version (none: while the item has no version)."""
        key = ("proctoring-settings", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        version = int((change.before or {}).get("version", 0))
        self._require((stored or {}).get("version") == (version or None))
        fields = {**change.extra["fields"], "updated_by": change.extra["by"],
                  "updated_at": change.extra["at"].isoformat()}
        after = {k: v for k, v in {**(stored or {}), **fields}.items() if v is not None}
        after["version"] = version + 1
        self._store(key, after)

    def lesson(self, change: Saved) -> None:
        """data/external_tests.py: lessons are only created."""
        if change.before is not None:
            raise AssertionError("lessons are only created")
        key = ("lesson", change.ref)
        self._touch(("saved", *key))
        self._require(key not in self.m.saved)
        self._store(key, change.after)

    def subject_track(self, change: Saved) -> None:
        """data/external_tests.py: created, or replaced at the version read, the replaced one kept as history
        (``subject-track-history``, ``<subject>/<grade>#v<n>``), which must not exist yet."""
        key = ("subject-track", change.ref)
        self._touch(("saved", *key))
        stored = self.m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            kept = ("subject-track-history", f"{change.ref}#v{change.before.version}")
            self._touch(("saved", *kept))
            self._require(stored is not None and stored.version == change.before.version
                          and kept not in self.m.saved)
            self._store(kept, change.before)
        self._store(key, change.after)

    def external_test(self, change: Saved) -> None:
        """data/external_tests.py: created, or written at the version read and, per ``extra``, while
        ``lease_owner`` holds the assignment's lease or while nobody holds it at ``unleased_at``. The whole item
        is put: any lease on it is dropped."""
        m = self.m
        key = ("external-test", change.ref)
        self._touch(("saved", *key))
        stored = m.saved.get(key)
        if change.before is None:
            self._require(stored is None)
        else:
            self._require(stored is not None and stored.version == change.before.version)
            lease = m.assignment_leases.get(change.ref)
            if "lease_owner" in change.extra:
                self._require(lease is not None and lease[0] == change.extra["lease_owner"])
            if "unleased_at" in change.extra:
                self._require(lease is None or lease[1] <= change.extra["unleased_at"])
        self._store(key, change.after)
        self._drop(m.assignment_leases, change.ref)

    def enrollment(self, change: Saved) -> None:
        """data/directory.py: put whatever is there (``before`` is only what was read); with ``extra["new"]``
        only where there is none yet. Stored with the seeded enrollments (``get_enrollment`` reads it)."""
        after = change.after
        key = (after.course_id, after.user_id)
        self._touch(("enrollment", *key))
        if change.extra.get("new"):
            self._require(key not in self.m.enrollments)
        self._set(self.m.enrollments, key, after.model_copy(deep=True))

    def derived(self, work: Work) -> None:
        """What follows from the changes: pointers, forgotten counts, statistics, allowance counters."""
        m = self.m
        saved = {(c.after.exam_id, c.after.user_id) for c in work.changes if isinstance(c, ExtensionSaved)}
        pointers: dict[tuple[str, str], tuple[Extension | None, str]] = {}
        for change in work.changes:
            if not isinstance(change, SessionStarted | SessionChanged) or change.begun is None:
                continue
            s = _session(change)
            if (s.exam_id, s.user_id) not in saved:
                pointers[(s.exam_id, s.user_id)] = (change.begun.extension, s.id)
        for key, (read, session_id) in pointers.items():
            self._touch(("extension", *key))
            stored = m.extensions.get(key)
            if read is None:
                self._require(stored is None)  # none may appear meanwhile; nothing is created
                continue
            self._require(stored is not None and stored.version == read.version)
            pointed = read.model_copy(update={"latest_session_id": session_id, "session_tracked": True,
                                              "version": read.version + 1})
            self._set(m.extensions, key, pointed)
        for student in changes.forgotten_counts(work.changes):
            self._touch(("count", *student))
            self._drop(m.attempt_counts, student)
        for delta in changes.stats_deltas(work.changes):
            self.applies.append(partial(_add, m.stats, delta.exam_id, delta.delta))
        for exam_id, n in _allowance_deltas(work).items():
            self._set(m.allowance_rows, exam_id, m.allowance_rows.get(exam_id, 0) + n)  # read under the lock


_SAVED_KINDS: dict[str, Callable[[_Plan, Saved], None]] = {
    "credential": _Plan.credential, "proctoring-settings": _Plan.proctoring_settings, "lesson": _Plan.lesson,
    "subject-track": _Plan.subject_track, "external-test": _Plan.external_test, "enrollment": _Plan.enrollment,
}


def _add(totals: dict[str, dict[str, float]], exam_id: str, delta: dict[str, float]) -> None:
    counters = totals.setdefault(exam_id, {})
    for name, value in delta.items():
        counters[name] = round(counters.get(name, 0) + value, 4)


def _allowance_deltas(work: Work) -> dict[str, int]:
    pairs: list[tuple[Extension | None, Extension | None]] = [
        (c.before, c.after) if isinstance(c, ExtensionSaved) else (c.before, None)
        for c in work.changes if isinstance(c, ExtensionSaved | ExtensionRemoved)]
    return allowances.count_deltas(pairs)


# --- sizes: the writes data/unit_of_work.py builds, counted from the changes -----------------------------
def count_writes(work: Work) -> int:
    """The items of the unit's one transaction: each change's own, then what follows from them."""
    total = sum(_own_writes(c) for c in work.changes)
    saved = {(c.after.exam_id, c.after.user_id) for c in work.changes if isinstance(c, ExtensionSaved)}
    begun = {(_session(c).exam_id, _session(c).user_id) for c in work.changes
             if isinstance(c, SessionStarted | SessionChanged) and c.begun is not None}
    total += len(begun - saved)  # the extension pointers
    total += len(changes.forgotten_counts(work.changes)) * changes.PER_STUDENT_ITEMS
    total += len(changes.stats_deltas(work.changes)) * changes.PER_EXAM_ITEMS
    total += len(_allowance_deltas(work)) * changes.PER_EXAM_ITEMS
    total += changes.PER_UNIT_ITEMS if work.changes else 0  # the audit event
    return total


def _session(change: SessionStarted | SessionChanged) -> Session:
    return change.session if isinstance(change, SessionStarted) else change.after


def _own_writes(change: Change) -> int:
    if isinstance(change, SessionStarted):
        return 1 + _part_writes(None, change.session) + (change.counted is not None)
    if isinstance(change, SessionChanged):
        return (1 + _part_writes(change.before, change.after, history=change.keep_history)
                + change.keep_history + (change.counted is not None))
    if isinstance(change, SessionRemoved):
        return changes.SESSION_REMOVED_ITEMS
    if isinstance(change, SessionRestored):
        return changes.SESSION_RESTORED_ITEMS + _part_writes(None, change.restored)
    if isinstance(change, ExtensionSaved):
        return changes.EXTENSION_SAVED_ITEMS if change.before is not None else 1
    if isinstance(change, ExtensionRemoved):
        return 2  # the delete and its history copy
    return _saved_writes(change)


def _saved_writes(change: Saved) -> int:
    """What the kind's writer (data/unit_of_work.py SAVERS) builds; one item when none is registered here."""
    import functions.data.proctoring  # noqa: F401  (registers "proctoring-settings"; data/writers.py MODULES omits it)
    from functions.data.writers import MODULES, SAVERS, writer

    if change.kind in SAVERS or change.kind in MODULES:
        return len(writer(change.kind)(change))  # its TooLarge (an external-test item over 400 KB) is raised here
    return 1


def _part_writes(before: Session | None, after: Session, *, history: bool = False) -> int:
    """The current attempt's response/result items written (data/sessions.py part_ops): the parts that
    changed, a new record's empty ones skipped; the earlier attempts' parts of a session stored inline."""
    from functions.data.sessions import part_ops

    return len(part_ops(before.model_copy(deep=True) if before else None, after.model_copy(deep=True),
                        history=history))


def check_size(writes: int, work: Work) -> None:
    """data/unit_of_work.py check_size's limits and words (bytes: the JSON of the changes, an estimate)."""
    if writes > changes.TRANSACTION_ITEMS:
        raise TooLarge(f"this request needs {writes} writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_ITEMS} ({work.action}); send fewer at a time")
    size = sum(len(json.dumps(s.model_dump(mode="json"), default=str)) for s in work.sessions())
    if size > changes.TRANSACTION_BYTES:
        raise TooLarge(f"this request needs about {size:,} bytes of writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_BYTES:,} ({work.action}); send less at a time")
