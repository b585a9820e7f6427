"""A course's audit trail (core/audit.py): list its events, and restore what a reset removed, from its event.

Both need the Course Administrator right in the course (instructors and administrators; the events hold
answers and every before/after): a member without it gets 403, anyone else 404.

Restore reuses the restorable records a reset already wrote (``SessionRemoval``, core/services/removal.py):
the event points to them. All the sessions an event removed (an Open edX reset removes each LTI context's
session of the student) are put back in ONE transaction with one summed statistics update per exam and the
restore's own audit event, or none is (409 when a newer session was begun since, or it was restored already).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.core import acts, audit
from functions.core.audit import Change
from functions.core.errors import ConcurrentUpdate, Conflict, NotFound
from functions.core.models import Session
from functions.core.ports import StatsOps
from functions.core.rights import Access
from functions.core.services.removal import ScopedRemovals, SessionRemover, forget_counts
from functions.core.special_exam_ports import ResetBatch

MAX_RESTORE = 33  # sessions in one restore: 2 writes each + statistics per exam + 1 audit event <= 100


class AuditStore(Protocol):
    def get_event(self, course_id: str, event_id: str) -> dict[str, Any] | None: ...

    def list_events(self, course_id: str | None, limit: int, token: str | None, *, object_id: str | None = None,
                    action: str | None = None) -> tuple[list[dict[str, Any]], str | None]: ...


@dataclass
class AuditTrailService:
    access: Access
    events: AuditStore
    batches: Callable[[], ResetBatch]  # a fresh write batch per transaction (functions/data/resets.py)
    stats_op: StatsOps
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
        totals: dict[str, dict[str, float]] = defaultdict(dict)

        def summed(exam_id: str, delta: dict[str, float], shard_by: str | None = None) -> None:
            for name, value in delta.items():
                totals[exam_id][name] = totals[exam_id].get(name, 0) + value

        batch = self.batches()
        remover = SessionRemover(ScopedRemovals(batch.sessions, course_id), summed, self.now, own_counts=False)
        restored = [remover.restore(p["sessionId"], p["ref"], self.access.principal.subject) for p in pointers]
        batch.add(forget_counts(batch.sessions, restored))
        for exam_id, delta in totals.items():
            op = self.stats_op(exam_id, {k: round(v, 4) for k, v in delta.items() if round(v, 4) != 0})
            if op:
                batch.add([op])
        batch.add(audit.ops(self.access, self.now, "session.restore", course_id,
                            *(Change("session", s.id, None, s) for s in restored),
                            restorable=[audit.Restorable("session-removal", p["sessionId"], p["ref"])
                                        for p in pointers]))
        try:
            batch.commit()
        except ConcurrentUpdate as lost:
            raise ConcurrentUpdate("a session this event removed was begun again since, or restored already; "
                                   "reset that session first to restore this one") from lost
        return restored
