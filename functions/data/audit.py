"""Audit events in the single table: ``audit#<course>`` / ``event#<event id>`` (keys.audit_event_key).

``audit_op`` turns an event (functions/core/audit.py) into the put that goes in the transaction of the change
it records (``attribute_not_exists``: an event is never overwritten). Snapshots are stored as compact JSON
text, so their size is what ``core/audit.py`` budgeted.
"""

from __future__ import annotations

import json
from typing import Any

from functions.core.audit import AuditEvent
from functions.data import keys, tokens
from functions.data.store import NEW_ITEM, Store, op_put

MAX_PAGE = 100


def audit_item(event: AuditEvent) -> dict[str, Any]:
    return {
        **keys.audit_event_key(event.course_id, event.event_id),
        "eventId": event.event_id,
        "courseId": event.course_id,
        "at": event.at.isoformat(),
        "action": event.action,
        "actorKind": event.actor_kind,
        "actorId": event.actor_id,
        "objectIds": event.object_ids,
        "changes": [dict(c) for c in event.changes],
        "restorable": [{"kind": r.kind, "sessionId": r.session_id, "ref": r.ref} for r in event.restorable],
        **({"operator": event.operator} if event.operator else {}),
    }


def audit_op(event: AuditEvent) -> dict[str, Any]:
    return op_put(audit_item(event), NEW_ITEM)


def event_view(item: dict[str, Any]) -> dict[str, Any]:
    """A stored event as our API shows it: snapshots parsed back from their JSON text."""
    parse = lambda text: json.loads(text) if text else None  # noqa: E731
    return {
        "id": item["eventId"], "courseId": item.get("courseId"), "at": item["at"], "action": item["action"],
        "actor": {"kind": item["actorKind"], "id": item["actorId"],
                  **({"operator": item["operator"]} if item.get("operator") else {})},
        "objectIds": item.get("objectIds", []),
        "changes": [{"type": c["type"], "id": c["id"], "fields": c.get("fields", []), "form": c["form"],
                     "before": parse(c.get("before")), "after": parse(c.get("after"))}
                    for c in item.get("changes", [])],
        "restorable": item.get("restorable", []),
    }


class AuditRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_event(self, course_id: str, event_id: str) -> dict[str, Any] | None:
        return self.store.get(keys.audit_event_key(course_id, event_id), consistent=True)

    def list_events(self, course_id: str | None, limit: int, token: str | None, *, object_id: str | None = None,
                    action: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first, one Query. Filters apply after the page is read (DynamoDB's Limit counts the events
        read), so a filtered page may hold fewer than ``limit`` events, even none, and still continue."""
        if token:
            tokens.decode(token)  # a garbled token: 400 before any read
        conditions, names, values = [], {}, {}
        if object_id is not None:
            conditions.append("contains(#objects, :object)")
            names["#objects"], values[":object"] = "objectIds", object_id
        if action is not None:
            conditions.append("#action = :action")
            names["#action"], values[":action"] = "action", action
        page = self.store.query_page(
            keys.audit_partition(course_id), keys.AUDIT_EVENT_PREFIX, limit=min(limit, MAX_PAGE), token=token,
            forward=False, filter_expression=" AND ".join(conditions) or None, filter_names=names or None,
            filter_values=values or None)
        return page.items, page.next_token
