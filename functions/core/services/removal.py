"""Removing a whole session (Open edX "reset", LearningStudio "reset exam for user") and restoring it.

Nothing is lost: the removed session is written whole, with who removed it, when and why, in the same
transaction that deletes the live item and takes its score out of the exam's statistics. Restoring puts it
back only while no newer session was begun for the same student and exam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import audit, statistics
from functions.core.audit import Change, Restorable
from functions.core.errors import Conflict, NotFound
from functions.core.models import Session, SessionRemoval
from functions.core.ports import StatsOps
from functions.core.rights import Access


class RemovalStore(Protocol):
    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None: ...

    def latest_removal(self, session_id: str) -> SessionRemoval | None: ...

    def remove_session(self, removal: SessionRemoval, extra_ops: list[dict[str, Any]]) -> None: ...

    def restore_session(self, removal: SessionRemoval, restored: Session,
                        extra_ops: list[dict[str, Any]]) -> None: ...

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]: ...


@dataclass
class ScopedRemovals:
    """The removal store as one course (and, if given, one exam of it) sees it: a removal of anything else is
    not found, so a reset id cannot reach across courses."""

    store: RemovalStore
    course_id: str
    exam_id: str | None = None

    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None:
        removal = self.store.get_removal(session_id, removal_id)
        if removal is None or removal.session.course_id != self.course_id:
            return None
        return removal if self.exam_id in (None, removal.session.exam_id) else None

    def latest_removal(self, session_id: str) -> SessionRemoval | None:
        return self.store.latest_removal(session_id)

    def remove_session(self, removal: SessionRemoval, extra_ops: list[dict[str, Any]]) -> None:
        self.store.remove_session(removal, extra_ops)

    def restore_session(self, removal: SessionRemoval, restored: Session, extra_ops: list[dict[str, Any]]) -> None:
        self.store.restore_session(removal, restored, extra_ops)

    def forget_attempt_count_op(self, exam_id: str, user_id: str) -> dict[str, Any]:
        return self.store.forget_attempt_count_op(exam_id, user_id)


@dataclass
class SessionRemover:
    sessions: RemovalStore
    stats_op: StatsOps
    now: datetime
    access: Access | None = None  # given: each removal and restore records its audit event (core/audit.py)
    # Each removal and restore forgets the student's attempt count (core/work.py) in its transaction; a caller
    # batching several of one student's sessions in one transaction adds ``forget_counts`` once instead.
    own_counts: bool = True

    def remove(self, session: Session, removed_by: str, reason: str) -> SessionRemoval:
        """Rights are the caller's business (each dialect has its own rule); this keeps the record."""
        removal = SessionRemoval(session=session, removed_at=self.now, removed_by=removed_by, reason=reason)
        delta = statistics.score_change(session.score_actual, None, removed_session=True,
                                         attempts=-len(session.attempts))
        op = self.stats_op(session.exam_id, delta, shard_by=session.id)
        self.sessions.remove_session(removal, ([op] if op else []) + self._audit(
            "session.remove", Change("session", session.id, session, None), removal) + self._forget(session))
        return removal

    def restore(self, session_id: str, removal_id: str, restored_by: str) -> Session:
        removal = self.sessions.get_removal(session_id, removal_id)
        if removal is None:
            raise NotFound(f"no removed session '{session_id}' with removal id '{removal_id}'")
        if removal.restored_at is not None:
            raise Conflict(f"that removal was restored already, at {removal.restored_at.isoformat()}")
        latest = self.sessions.latest_removal(session_id)
        # Versions continue past every incarnation, so history copies are never overwritten.
        last_version = max(removal.session.version, latest.session.version if latest else 0)
        restored = removal.session.model_copy(update={"version": last_version + 1, "updated_at": self.now})
        marked = removal.model_copy(update={"restored_at": self.now, "restored_by": restored_by})
        delta = statistics.score_change(None, restored.score_actual, new_session=True,
                                         attempts=len(restored.attempts))
        op = self.stats_op(restored.exam_id, delta, shard_by=restored.id)
        self.sessions.restore_session(marked, restored, ([op] if op else []) + self._audit(
            "session.restore", Change("session", restored.id, None, restored), removal) + self._forget(restored))
        return restored

    def _audit(self, action: str, change: Change, removal: SessionRemoval) -> list[dict[str, Any]]:
        if self.access is None:
            return []
        return audit.ops(self.access, self.now, action, removal.session.course_id, change,
                         restorable=[restorable_of(removal)])

    def _forget(self, session: Session) -> list[dict[str, Any]]:
        return forget_counts(self.sessions, [session]) if self.own_counts else []


def forget_counts(store: RemovalStore, sessions: list[Session]) -> list[dict[str, Any]]:
    """The attempt counts of the students whose sessions one batch removes or restores, once each (a
    transaction touches an item once): the next start counts their work again (core/work.py)."""
    students = sorted({(s.exam_id, s.user_id) for s in sessions})
    return [store.forget_attempt_count_op(exam_id, user_id) for exam_id, user_id in students]


def restorable_of(removal: SessionRemoval) -> Restorable:
    """Where a removal's restorable record is: the audit event of a reset points to it."""
    return Restorable("session-removal", removal.session.id, removal.removal_id)
