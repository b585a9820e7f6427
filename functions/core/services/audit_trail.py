"""A course's audit trail (core/audit.py): list its events, and restore what a reset removed, from its event.

Both need the Course Administrator right in the course (instructors and administrators; the events hold
answers and every before/after): a member without it gets 403, anyone else 404.

Restore reuses the restorable records a reset already wrote (``SessionRemoval``, core/services/removal.py):
the event points to them. All the sessions an event removed (an Open edX reset removes each LTI context's
session of the student) are put back in ONE transaction with one summed statistics update per exam and the
restore's own audit event, or none is (409 when a newer session was begun since, or it was restored already).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import acts
from functions.core.errors import ConcurrentUpdate, Conflict, NotFound
from functions.core.models import Session
from functions.core.ports import UnitOfWork
from functions.core.rights import Access
from functions.core.services.removal import RemovalStore, ScopedRemovals, SessionRemover
from functions.core.services.work_removal import MAX_REMOVED

MAX_RESTORE = MAX_REMOVED  # one restore undoes one removal


class AuditStore(Protocol):
    def get_event(self, course_id: str, event_id: str) -> dict[str, Any] | None: ...

    def list_events(self, course_id: str | None, limit: int, token: str | None, *, object_id: str | None = None,
                    action: str | None = None) -> tuple[list[dict[str, Any]], str | None]: ...


@dataclass
class AuditTrailService:
    access: Access
    events: AuditStore
    removals: RemovalStore
    unit: UnitOfWork
    now: datetime

    def events_page(self, course_id: str, limit: int, token: str | None, object_id: str | None = None,
             action: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first; ``object_id`` / ``action`` narrow the page (a filtered page may be short)."""
        self.access.require(course_id, acts.right("read_audit"))
        return self.events.list_events(course_id, limit, token, object_id=object_id, action=action)

    def institution_events_page(self, limit: int, token: str | None, object_id: str | None = None,
                                action: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """Events of objects outside any course (users, roles, integration credentials): administrators."""
        self.access.require_global_admin()
        return self.events.list_events(None, limit, token, object_id=object_id, action=action)

    def restore(self, course_id: str, event_id: str) -> list[Session]:
        """Put back every session the event's reset removed, as they were (attempts, answers, scores)."""
        self.access.require(course_id, acts.right("restore_work"))
        event = self.events.get_event(course_id, event_id)
        if event is None:
            raise NotFound(f"audit event '{event_id}' not found in course '{course_id}'")
        pointers = [r for r in event.get("restorable", []) if r.get("kind") == "session-removal"]
        if not pointers:
            raise Conflict(f"audit event '{event_id}' ({event.get('action')}) removed nothing restorable; only "
                           "the events of resets (action session.remove) can be restored")
        if len(pointers) > MAX_RESTORE:
            raise Conflict(f"audit event '{event_id}' removed {len(pointers)} sessions; at most {MAX_RESTORE} "
                           "are restored in one request")
        remover = SessionRemover(ScopedRemovals(self.removals, course_id), self.unit, self.now)
        try:
            return remover.restore(course_id, [(p["sessionId"], p["ref"]) for p in pointers],
                                   self.access.principal.subject)
        except ConcurrentUpdate as lost:
            raise ConcurrentUpdate("a session this event removed was begun again since, or restored already; "
                                   "reset that session first to restore this one") from lost
