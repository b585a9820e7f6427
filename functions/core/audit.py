"""The audit trail: who did what to which object, when, with before and after.

The unit of work writes ONE event per unit (core/changes.py ``Work``), built here by ``event`` from the unit's
action and changes, in the same transaction as the changes: no change is stored without its event and no
event without its change.

What an event holds, and what it never holds:
- who: the principal's kind and id (a user id, an integration key's id, the console operator, the importer),
  never a token, a name or an email; and when an operator acted as that principal from the console, the
  operator's name too (``operator``);
- what: an ``action`` such as ``session.submit`` or ``exam.update``, the course (None: institution-wide
  objects such as users and roles), and per changed object its type, id, the names of the fields that
  changed, and compact JSON snapshots of before and after;
- personal data is redacted from snapshots (``PERSONAL``): an event says *that* an email changed, never
  which email;
- a removal (reset) points to its restorable record (``restorable``) rather than copying it: the record
  already holds the whole session, and restoring from the event restores that record.

Size (DynamoDB: 400 KB per item, 4 MB and 100 items per transaction): a change's snapshots are kept whole up
to ``SNAPSHOT_BUDGET`` bytes of JSON (before and after together); larger ones keep only the fields that
changed (``form: "diff"``), and when even that is too large, a SHA-256 digest and size of each side
(``form: "digest"``). Each event shares ``EVENT_BUDGET`` among its changes, so an event (one item, one slot
of the transaction) stays far below 400 KB whatever the batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from functions.core.rights import Principal

SNAPSHOT_BUDGET = 16_000  # bytes of JSON per change (before + after) kept whole
EVENT_BUDGET = 300_000  # bytes of JSON of all snapshots of one event
REDACTED = "[redacted]"
# Personal data and secrets: never copied into an event (any depth). "name" is personal only on people.
PERSONAL = frozenset({"email", "username", "student_email", "credentials", "password", "secretHash", "secret",
                      "token", "lti", "writeback", "proctoring_escalation_email", "student_name"})
PERSONAL_BY_TYPE = {"user": frozenset({"name"}), "session": frozenset({"name"})}


@dataclass(frozen=True)
class Change:
    """One object an action changed: ``before`` None when created, ``after`` None when removed."""

    type: str  # course | user | role | enrollment | exam | objective | item | session | extension | ...
    id: str
    before: Any = None  # a pydantic model, a dict or None
    after: Any = None


@dataclass(frozen=True)
class Restorable:
    """Where the restorable record of a change is kept (functions/data/resets.py, data/sessions.py)."""

    kind: str  # "session-removal": restore with SessionRemover.restore(session_id, ref)
    session_id: str
    ref: str  # the removal id


@dataclass(frozen=True)
class AuditEvent:
    event_id: str  # sortable: "<UTC time>-<random>"; newest first by Query on the course's partition
    course_id: str | None
    at: datetime
    action: str
    actor_kind: str  # user | key | operator | system | webhook
    actor_id: str
    changes: tuple[dict[str, Any], ...]  # each: type, id, fields, form, before, after (JSON text or None)
    restorable: tuple[Restorable, ...] = field(default=())
    operator: str | None = None  # the console operator who acted as the actor, when one did

    @property
    def object_ids(self) -> list[str]:
        return list(dict.fromkeys(c["id"] for c in self.changes))


AuditOp = Callable[[AuditEvent], dict[str, Any]]


def event_id(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}-{uuid.uuid4().hex[:12]}"


def snapshot(kind: str, value: Any) -> dict[str, Any] | None:
    """The object as JSON-ready data, personal fields redacted."""
    if value is None:
        return None
    data = value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value
    hidden = PERSONAL | PERSONAL_BY_TYPE.get(kind, frozenset())
    return {k: (REDACTED if k in hidden else _redact(v)) for k, v in dict(data).items()}


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in PERSONAL else _redact(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, default=str)


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Top-level fields whose value differs (a redacted field counts: compared before redaction)."""
    b, a = before or {}, after or {}
    return sorted(k for k in set(b) | set(a) if b.get(k) != a.get(k))


def compact(before: dict[str, Any] | None, after: dict[str, Any] | None, budget: int
            ) -> tuple[str, str | None, str | None]:
    """(form, before JSON, after JSON) within ``budget`` bytes: whole, else the changed fields, else digests."""
    def size(pair: tuple[str | None, str | None]) -> int:
        return sum(len(text.encode()) for text in pair if text is not None)

    whole = (_json_or_none(before), _json_or_none(after))
    if size(whole) <= budget:
        return "full", *whole
    names = changed_fields(before, after)
    diff = (_json_or_none(_only(before, names)), _json_or_none(_only(after, names)))
    if size(diff) <= budget:
        return "diff", *diff
    return "digest", _digest(whole[0]), _digest(whole[1])


def _json_or_none(value: Any) -> str | None:
    return None if value is None else _json(value)


def _only(side: dict[str, Any] | None, names: list[str]) -> dict[str, Any] | None:
    return None if side is None else {k: side.get(k) for k in names}


def _digest(text: str | None) -> str | None:
    if text is None:
        return None
    return _json({"sha256": hashlib.sha256(text.encode()).hexdigest(), "bytes": len(text.encode())})


def event(principal: Principal, at: datetime, action: str, course_id: str | None, changes: Iterable[Change],
          restorable: Iterable[Restorable] = ()) -> AuditEvent:
    """Build the event (pure: no I/O). Only ids of people are kept; see the module's notes on size."""
    changes = list(changes)
    budget = min(SNAPSHOT_BUDGET, EVENT_BUDGET // max(1, len(changes)))
    rendered = []
    for change in changes:
        raw_before = _plain(change.before)
        raw_after = _plain(change.after)
        before, after = snapshot(change.type, raw_before), snapshot(change.type, raw_after)
        form, before_json, after_json = compact(before, after, budget)
        rendered.append({"type": change.type, "id": change.id, "fields": changed_fields(raw_before, raw_after),
                         "form": form, "before": before_json, "after": after_json})
    return AuditEvent(event_id=event_id(at), course_id=course_id, at=at, action=action,
                      actor_kind=principal.kind, actor_id=principal.subject, changes=tuple(rendered),
                      restorable=tuple(restorable), operator=principal.operator)


def _plain(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return json.loads(_json(value))
