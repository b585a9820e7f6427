"""Audit events in the single table: ``audit#<course>#<shard>`` / ``event#<event id>`` (keys.audit_event_key;
the institution's in ``audit-institution``).

``audit_op`` turns an event (functions/core/audit.py) into the put that goes in the transaction of the change
it records (``attribute_not_exists``: an event is never overwritten). Snapshots are stored as compact JSON
text, so their size is what ``core/audit.py`` budgeted.
"""

from __future__ import annotations

import json
from typing import Any

from functions.core.audit import AuditEvent
from functions.core.errors import InvalidInput
from functions.data import keys, tokens
from functions.data.course_walks import shard_round
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
        """Newest first. Filters apply after the page is read (DynamoDB's Limit counts the events read), so a
        filtered page may hold fewer than ``limit`` events, even none, and still continue. The institution's
        events: one Query; a course's: one Query per shard, merged (``course_page``)."""
        if token:
            tokens.decode(token)  # a garbled token: 400 before any read
        conditions, names, values = [], {}, {}
        if object_id is not None:
            conditions.append("contains(#objects, :object)")
            names["#objects"], values[":object"] = "objectIds", object_id
        if action is not None:
            conditions.append("#action = :action")
            names["#action"], values[":action"] = "action", action
        limit = min(limit, MAX_PAGE)
        filters: dict[str, Any] = {"filter_expression": " AND ".join(conditions) or None,
                                   "filter_names": names or None, "filter_values": values or None}
        if course_id is not None:
            return self.course_page(course_id, limit, token, **filters)
        page = self.store.query_page(keys.audit_partition(None), keys.AUDIT_EVENT_PREFIX, limit=limit,
                                     token=token, forward=False, **filters)
        return page.items, page.next_token

    def course_page(self, course_id: str, limit: int, token: str | None, **filters: Any
                    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the course's sharded events. The token is the seed's format naming a position in the
        merged list, ``["id=audit#<course>|sk=event#<event id>"]`` (the events after it, older, follow): one
        naming another partition or not an event's sort key is a 400, so it can only move within this list."""
        start = None
        if token:
            entries = tokens.decode(token)
            sk = entries[0][keys.SK]
            if (len(entries) != 1 or entries[0][keys.PK] != keys.audit_partition(course_id)
                    or not sk.startswith(keys.AUDIT_EVENT_PREFIX)):
                raise InvalidInput("nextToken does not belong to this list", field="nextToken")
            start = sk
        # One more per shard than the page: the token's own event (read again, in its shard) is dropped.
        items, frontier = shard_round(keys.course_audit_list(course_id), limit + (1 if start else 0),
                                      start=start, forward=False, **filters)
        items = [i for i in items if i[keys.SK] != start]
        if len(items) > limit:
            items, resume = items[:limit], items[limit - 1][keys.SK]
        else:
            resume = frontier  # every event down to the frontier was read (some filtered out); go on from it
        if resume is None:
            return items, None
        return items, tokens.encode([{keys.PK: keys.audit_partition(course_id), keys.SK: resume}])
