"""Audit-trail fixtures: a reset whose event has a known id (so a route table can name it in a path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from functions.core import audit, changes
from functions.core.changes import Work
from functions.core.models import Attempt, Session
from functions.core.rights import Principal
from functions.core.services.removal import removed
from functions.core.services.sessions import session_id_for
from functions.data.audit import AuditRepository, audit_item
from functions.data.sessions import SessionRepository
from functions.data.store import Store
from functions.data.unit_of_work import DynamoUnitOfWork

SEEDED_EVENT = "20240101T000000.000000Z-0000000000a1"


def seeded_reset(course_id: str, exam_id: str, user_id: str, by: str, event_id: str = SEEDED_EVENT) -> Session:
    """A session of ``user_id`` removed (restorable) with its audit event stored under ``event_id``."""
    now = datetime.now(UTC)
    session = Session(id=session_id_for(exam_id, user_id), exam_id=exam_id, course_id=course_id, user_id=user_id,
                      attempts=[Attempt(number=1, started_at=now, responses={"i": {"q": [1]}})],
                      created_at=now, updated_at=now)
    sessions = SessionRepository()
    sessions.create_session(session)
    removal = removed(session, by, "reset", now)
    writes = DynamoUnitOfWork(Principal("user", by), now).operations(Work("session.remove", course_id, [removal]))
    Store().transact(writes[:-1])  # the removal, without its audit event: stored below under ``event_id``
    event = audit.event(Principal("user", by), now, "session.remove", course_id, changes.audit_changes([removal]),
                        changes.restorables([removal]))
    Store().put(audit_item(replace(event, event_id=event_id)))
    return session


def events(course_id: str | None, **filters: Any) -> list[dict[str, Any]]:
    """A course's events, newest first (test reads: all of them)."""
    items, _ = AuditRepository().list_events(course_id, 100, None, **filters) if course_id is not None else (
        Store().query_page("audit-institution", "event#", limit=100, forward=False).items, None)
    return items
