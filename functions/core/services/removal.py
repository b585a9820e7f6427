"""Removing a whole session (Open edX "reset", LearningStudio "reset exam for user") and restoring it.

Nothing is lost: the removed session is kept whole, with who removed it, when and why, in the same unit that
deletes the live item and takes its score out of the exam's statistics (core/changes.py ``SessionRemoved``).
Restoring puts it back only while no newer session was begun for the same student and exam.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from functions.core.changes import SessionRemoved, SessionRestored, Work
from functions.core.errors import Conflict, NotFound
from functions.core.models import Session, SessionRemoval
from functions.core.ports import UnitOfWork


class RemovalStore(Protocol):
    def get_removal(self, session_id: str, removal_id: str) -> SessionRemoval | None: ...

    def latest_removal(self, session_id: str) -> SessionRemoval | None: ...


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


def removed(session: Session, removed_by: str, reason: str, now: datetime) -> SessionRemoved:
    """The change that removes ``session`` (the version read) and keeps it whole, restorable."""
    return SessionRemoved(SessionRemoval(session=session, removed_at=now, removed_by=removed_by, reason=reason))


@dataclass
class SessionRemover:
    """Rights are the caller's business (core/services/work_removal.py, audit_trail.py, exam_instances.py)."""

    removals: RemovalStore
    unit: UnitOfWork
    now: datetime

    def restored(self, session_id: str, removal_id: str, restored_by: str) -> SessionRestored:
        """The change that puts a removed session back as it was (attempts, answers, scores)."""
        removal = self.removals.get_removal(session_id, removal_id)
        if removal is None:
            raise NotFound(f"no removed session '{session_id}' with removal id '{removal_id}'")
        if removal.restored_at is not None:
            raise Conflict(f"that removal was restored already, at {removal.restored_at.isoformat()}")
        latest = self.removals.latest_removal(session_id)
        # Versions continue past every incarnation, so history copies are never overwritten.
        last_version = max(removal.session.version, latest.session.version if latest else 0)
        restored = removal.session.model_copy(update={"version": last_version + 1, "updated_at": self.now})
        marked = removal.model_copy(update={"restored_at": self.now, "restored_by": restored_by})
        return SessionRestored(marked, restored)

    def restore(self, course_id: str, pointers: list[tuple[str, str]], restored_by: str) -> list[Session]:
        """Put back every (session id, removal id) in ONE unit, or none (409 when a newer session was begun
        since, or it was restored already)."""
        restores = [self.restored(session_id, ref, restored_by) for session_id, ref in pointers]
        self.unit.commit(Work("session.restore", course_id, list(restores),
                              conflict="a newer session exists or it was restored already"))
        return [r.restored for r in restores]
