"""What a service changed, in domain terms; the unit of work (``ports.UnitOfWork``) stores it.

A service never says how a change is stored. It hands one ``Work`` (an action, its course, the changes) to
the unit of work, which writes it all or nothing in ONE transaction. What follows from the changes is derived
here, once, for every service:

- statistics: each session change's counter deltas (``core/statistics.py``), summed per exam
  (``stats_deltas``);
- the audit event: one per unit, listing every change (``audit_changes``, ``restorables``);
- the student's attempt count is forgotten once per student whose sessions are removed or restored
  (``forgotten_counts``);
- history copies (a session change with ``keep_history``; every extension change) and the extension's
  session pointer (``AttemptBegun``) are written by the unit of work where the change says so.

Sizes: a unit is one TransactWriteItems, so it holds at most ``TRANSACTION_ITEMS`` writes. The unit of work
checks the real size of every unit before it writes (a unit too large is a 413, nothing written);
the bounds routes document (how many sessions one reset removes, users per bulk grant, outcomes per
import batch) are computed by ``fit`` from the fixed sizes below, which the unit of work's own tests check
against what it writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from functions.core import statistics
from functions.core.audit import Change as AuditChange
from functions.core.audit import Restorable
from functions.core.models import Extension, Session, SessionRemoval

TRANSACTION_ITEMS = 100  # DynamoDB: items in one TransactWriteItems (writes and condition checks)
TRANSACTION_BYTES = 4_000_000  # DynamoDB: bytes of one TransactWriteItems


@dataclass(frozen=True)
class AttemptCount:
    """One more attempt of the student on the exam (and with ``new_session`` one more live session), allowed
    only while the stored count is under ``allowed`` (core/work.py): ``used`` / ``live`` are the counts as
    the caller read them, the start when none is stored yet."""

    used: int
    live: int
    allowed: int
    new_session: bool
    max_sessions: int


@dataclass(frozen=True)
class AttemptBegun:
    """An attempt of the session started, restarted or moved: the student's extension on the exam names this
    session as their latest, conditioned on ``extension`` as read (None: none existed, and none may appear
    meanwhile)."""

    extension: Extension | None


@dataclass(frozen=True)
class SessionStarted:
    """A new session (or one begun again after a removal) with its first attempt."""

    session: Session
    begun: AttemptBegun
    counted: AttemptCount


@dataclass(frozen=True)
class SessionChanged:
    """``before`` became ``after`` (only if it is still the version read) for ``reason`` (save, submit, expire,
    retake, reset, reopen, extension); ``keep_history``: ``before`` stays restorable as a history copy."""

    before: Session
    after: Session
    reason: str
    keep_history: bool = False
    begun: AttemptBegun | None = None
    counted: AttemptCount | None = None


@dataclass(frozen=True)
class SessionRemoved:
    """The live session (the version read) is removed and kept whole, restorable (``removal``)."""

    removal: SessionRemoval


@dataclass(frozen=True)
class SessionRestored:
    """``removal`` (now marked restored) puts ``restored`` back, only while no newer session was begun."""

    removal: SessionRemoval
    restored: Session


@dataclass(frozen=True)
class ExtensionSaved:
    """The student's extension on an exam became ``after`` (only if it is still ``before``; None: none
    existed); ``before`` is kept as a history copy noting who replaced it and when."""

    before: Extension | None
    after: Extension


@dataclass(frozen=True)
class ExtensionRemoved:
    """The extension (the version read) is deleted; it is kept as a history copy."""

    before: Extension


@dataclass(frozen=True)
class Saved:
    """Any other entity (``kind``: course, user, role, enrollment, exam, item, objective, credential, lesson,
    subject-track, external-test, proctoring) created (``before`` None) or changed from ``before``: written
    only if the stored one is still ``before`` (its version) or, when created, absent. ``ref`` names it in
    the audit trail. ``extra`` carries what the entity's store needs besides the model (e.g. a credential's
    version as read)."""

    kind: str
    ref: str
    before: Any
    after: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Implied(Saved):
    """Saved, as implied by another change of the same unit, whose audit entry already tells it; so the unit's
    audit event does not list it again (an import's placement enrollment: the assignment's ``enrollment``
    says "enrolled" and where)."""


Change = (SessionStarted | SessionChanged | SessionRemoved | SessionRestored | ExtensionSaved | ExtensionRemoved
          | Saved)


@dataclass
class Work:
    """One unit: ``action`` (the audit event's, e.g. ``session.submit``) on ``course_id`` (None: an
    institution-wide object), all ``changes`` written together or none. ``conflict``: what a caller is told
    when a version read has changed meanwhile (a 409 to retry)."""

    action: str
    course_id: str | None
    changes: list[Change]
    conflict: str = "the data was changed by another request meanwhile; retry"

    def sessions(self) -> list[Session]:
        return [s for c in self.changes for s in _session_of(c)]


def _session_of(change: Change) -> list[Session]:
    if isinstance(change, SessionStarted):
        return [change.session]
    if isinstance(change, SessionChanged):
        return [change.after]
    if isinstance(change, SessionRemoved):
        return [change.removal.session]
    if isinstance(change, SessionRestored):
        return [change.restored]
    return []


# --- what follows from the changes -----------------------------------------------------------------------
@dataclass(frozen=True)
class StatsDelta:
    """The counters one exam's statistics move by in a unit; ``session_id``: the one session that moved them
    (its shard), None when several did (any shard: it is counted once wherever it lands)."""

    exam_id: str
    delta: dict[str, float]
    session_id: str | None


def session_delta(change: Change) -> tuple[str, str, dict[str, float]] | None:
    """(exam, session, counter increments) of one change; None for changes that move no statistics."""
    if isinstance(change, SessionStarted):
        s = change.session
        return s.exam_id, s.id, statistics.score_change(None, s.score_actual, new_session=True,
                                                         attempts=len(s.attempts))
    if isinstance(change, SessionChanged):
        b, a = change.before, change.after
        return a.exam_id, a.id, statistics.score_change(b.score_actual, a.score_actual,
                                                         attempts=len(a.attempts) - len(b.attempts))
    if isinstance(change, SessionRemoved):
        s = change.removal.session
        return s.exam_id, s.id, statistics.score_change(s.score_actual, None, removed_session=True,
                                                         attempts=-len(s.attempts))
    if isinstance(change, SessionRestored):
        s = change.restored
        return s.exam_id, s.id, statistics.score_change(None, s.score_actual, new_session=True,
                                                         attempts=len(s.attempts))
    return None


def stats_deltas(changes: Iterable[Change]) -> list[StatsDelta]:
    """Every exam's summed statistics change (a transaction may touch an item once), zero counters dropped."""
    totals: dict[str, dict[str, float]] = {}
    movers: dict[str, set[str]] = {}
    for change in changes:
        moved = session_delta(change)
        if moved is None:
            continue
        exam_id, session_id, delta = moved
        total = totals.setdefault(exam_id, {})
        movers.setdefault(exam_id, set()).add(session_id)
        for name, value in delta.items():
            total[name] = total.get(name, 0) + value
    result = []
    for exam_id, total in totals.items():
        only = movers[exam_id]
        if len(only) == 1:  # one session's change, as it is (its shard)
            if total:
                result.append(StatsDelta(exam_id, total, next(iter(only))))
            continue
        kept = {k: round(v, 4) for k, v in total.items() if round(v, 4) != 0}  # a sum: float noise dropped
        if kept:
            result.append(StatsDelta(exam_id, kept, None))
    return result


def audit_changes(changes: Iterable[Change]) -> list[AuditChange]:
    """What the unit's one audit event lists: each changed object, before and after."""
    listed: list[AuditChange] = []
    for change in changes:
        if isinstance(change, SessionStarted):
            listed.append(AuditChange("session", change.session.id, None, change.session))
        elif isinstance(change, SessionChanged):
            listed.append(AuditChange("session", change.after.id, change.before, change.after))
        elif isinstance(change, SessionRemoved):
            s = change.removal.session
            listed.append(AuditChange("session", s.id, s, None))
        elif isinstance(change, SessionRestored):
            listed.append(AuditChange("session", change.restored.id, None, change.restored))
        elif isinstance(change, ExtensionSaved):
            e = change.after
            listed.append(AuditChange("extension", f"{e.exam_id}/{e.user_id}", change.before, e))
        elif isinstance(change, ExtensionRemoved):
            e = change.before
            listed.append(AuditChange("extension", f"{e.exam_id}/{e.user_id}", e, None))
        elif isinstance(change, Implied):
            continue
        else:
            listed.append(AuditChange(change.kind, change.ref, change.before, change.after))
    return listed


def restorables(changes: Iterable[Change]) -> list[Restorable]:
    """Where the restorable records of the unit's removals (and the restores' sources) are."""
    return [Restorable("session-removal", c.removal.session.id, c.removal.removal_id) for c in changes
            if isinstance(c, SessionRemoved | SessionRestored)]


def forgotten_counts(changes: Iterable[Change]) -> list[tuple[str, str]]:
    """(exam, student) whose attempt counts the unit forgets, once each: removals and restores change which
    sessions live, so the next start counts the student's work again (core/work.py)."""
    students = {(s.exam_id, s.user_id) for c in changes if isinstance(c, SessionRemoved | SessionRestored)
                for s in _session_of(c)}
    return sorted(students)


# --- sizes -----------------------------------------------------------------------------------------------
# Writes of the changes whose size is fixed (the unit of work's tests check these against what it writes).
SESSION_REMOVED_ITEMS = 2  # the live session deleted, its removal record written
SESSION_RESTORED_ITEMS = 2  # the session put back, its removal record marked
EXTENSION_SAVED_ITEMS = 2  # the extension and (when one existed) its history copy
PER_UNIT_ITEMS = 1  # the audit event
PER_EXAM_ITEMS = 1  # its statistics shard (sessions), or its allowance counter (extensions)
PER_STUDENT_ITEMS = 1  # the forgotten attempt count
# An imported external-test outcome, a unit of its own that the importer writes many to a transaction: the
# assignment, the placement enrollment it may imply, its audit event.
IMPORTED_OUTCOME_ITEMS = 3


def fit(per_change: int, *, fixed: int = PER_UNIT_ITEMS, per_exam: int = 0, exams: int = 1) -> int:
    """How many changes of ``per_change`` writes one unit holds, next to ``fixed`` writes and ``per_exam``
    writes for each of ``exams``: the bound a route documents and its service enforces."""
    return (TRANSACTION_ITEMS - fixed - per_exam * exams) // per_change
