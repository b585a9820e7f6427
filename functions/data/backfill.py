"""The list backfill's reads and writes (rules and the counting argument: core/backfill.py; the operator's job:
functions/jobs/backfill_lists.py; runbook: docs/operations.md, "Backfilling the lists").

One segment of a parallel Scan, a page at a time. Each item the current code cannot read is put right in its own
TransactWriteItems, conditioned on the item still being the one read, so that a job that dies mid-way, a re-run,
or a write by the live system in between never loses, duplicates or double-counts anything:

- a live session whose list entries are old or missing: an Update that SETs the current index attributes
  (``session_item``) and the learner's ``username`` / ``email`` if missing (from the user item) and REMOVEs stale
  ones, conditioned on the same ``version`` and exam-list entry; + an ADD of its ``attempts`` on its statistics
  shard if it was in the pre-sharding shape;
- an extension at ``<exam>`` / ``extension#<user>``: a Put at ``keys.extension_key`` (absent; with its session
  pointer set from the student's sessions, one Query of gsi2, if it predates the pointer) + a Delete of the old
  (same ``version``) + an ADD of its rows to the exam's ``list-counts`` ``allowances``;
- an extension history copy at ``<exam>`` / ``extension-history#<user>#<t>``, a course audit event at
  ``audit#<course>`` / ``event#<id>``: a Put at ``keys.extension_history_key`` / ``keys.audit_event_key``
  (absent) + a Delete of the old (present).

These are a migration's own operations on shapes no service knows, so they are built here, not by the unit of
work (data/unit_of_work.py), which writes the domain's changes. A session is updated in place and keeps its
``version``: a live writer that read it before the backfill still wins its own conditional write (and writes
the same current entries), so the backfill causes no 409.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from functions.core import backfill
from functions.core.backfill import Report, Request
from functions.core.errors import ConcurrentUpdate, InvalidInput, Unavailable
from functions.core.extensions import pointed
from functions.core.models import Extension, Session
from functions.data import keys, tokens
from functions.data.extensions import ExtensionRepository, allowance_count_ops
from functions.data.sessions import extension_index, session_item
from functions.data.stats import stats_op
from functions.data.store import NEW_ITEM, Store, from_item, op_delete, op_put, op_update, set_and_remove
from functions.platform.clock import utcnow

Op = dict[str, Any]


def start_key(request: Request) -> dict[str, str] | None:
    """The Scan position an earlier answer's ``next`` names (refused, InvalidInput, unless it is one)."""
    if request.start is None:
        return None
    found = tokens.decode(request.start, field="start")
    place = keys.SCAN_PLACE.read(found[-1]) if len(found) == 2 else None
    if place is None:
        raise InvalidInput("start must be the cursor (next) a previous run answered", field="start")
    if place != (request.segment, request.segments):
        raise InvalidInput(f"start is the cursor of segment {place[0]} of {place[1]}; this event asks for segment "
                           f"{request.segment} of {request.segments}", field="start")
    return found[0]


def _unchanged(item: dict[str, Any], *, list_entry: bool = False) -> tuple[str, dict[str, str], dict[str, Any]]:
    """A condition that holds only while the stored item is still ``item``: its ``version`` (items written before
    ``version`` have none) and, for a session, its exam-list entry (what tells whether it was counted)."""
    names = {"#version": "version"}
    values: dict[str, Any] = {}
    parts = [keys.ITEM_EXISTS]
    if "version" in item:
        parts.append("#version = :version")
        values[":version"] = item["version"]
    else:
        parts.append("attribute_not_exists(#version)")
    if list_entry:
        names["#entry"] = keys.BY_PARENT.pk
        if keys.BY_PARENT.pk in item:
            parts.append("#entry = :entry")
            values[":entry"] = item[keys.BY_PARENT.pk]
        else:
            parts.append("attribute_not_exists(#entry)")
    return " AND ".join(parts), names, values


def _body(item: dict[str, Any]) -> dict[str, Any]:
    """The item without its key and list entries (the moved item gets its new ones)."""
    dropped = {keys.PK, keys.SK, *keys.LIST_INDEX_ATTRIBUTES}
    return {k: v for k, v in item.items() if k not in dropped}


class ListBackfill:
    def __init__(self, request: Request, store: Store | None = None) -> None:
        self.request = request
        self.store = store or Store()
        self.report = Report(request)
        self._users: dict[str, dict[str, Any] | None] = {}

    def run(self, start: dict[str, str] | None, time_left: Callable[[], float]) -> Report:
        """Scan the segment from ``start`` until its end, or until ``time_left()`` runs out after a page (then
        the answer's ``next`` is where to go on)."""
        while True:
            try:
                items, last = self.store.scan_page(self.request.segment, self.request.segments,
                                                   limit=backfill.PAGE, start=start)
            except Unavailable:  # throttled past botocore's retries: answer where to go on from
                self.report.busy = True
                self.report.next = self._cursor(start)
                return self.report
            for item in items:
                self.one(item)
            if last is None:
                return self.report
            start = last
            if time_left() <= 0:
                self.report.next = self._cursor(start)
                return self.report

    def _cursor(self, last: dict[str, Any] | None) -> str | None:
        if last is None:
            return None
        return tokens.encode([{keys.PK: str(last[keys.PK]), keys.SK: str(last[keys.SK])},
                              keys.SCAN_PLACE.write(self.request.segment, self.request.segments)])

    def one(self, item: dict[str, Any]) -> None:
        self.report.examined += 1
        key = {keys.PK: str(item[keys.PK]), keys.SK: str(item[keys.SK])}
        if keys.is_live_session(key):
            self._session(item)
        elif (extension := keys.legacy_extension(key)) is not None:
            self._extension(item, key, *extension)
        elif (history := keys.legacy_extension_history(key)) is not None:
            exam_id, user_id, replaced_at = history
            self._move(item, key, keys.extension_history_key(exam_id, user_id, replaced_at), "extension_history")
        elif (event := keys.legacy_audit_event(key)) is not None:
            self._move(item, key, keys.audit_event_key(*event), "audit_events")

    # --- per kind -----------------------------------------------------------------------------------
    def _session(self, item: dict[str, Any]) -> None:
        try:
            session = from_item(Session, item)
        except ValidationError:
            self.report.skip("unreadable")
            return
        fills = self._names(session.user_id, session.username, session.email)
        session = session.model_copy(update=fills)
        wanted = {k: v for k, v in session_item(session).items() if k in keys.LIST_INDEX_ATTRIBUTES}
        held = {k: item[k] for k in keys.LIST_INDEX_ATTRIBUTES if k in item}
        if wanted == held and not fills:
            self.report.current += 1
            return
        # Counted by the live code already when it wrote the sharded entries (core/backfill.py).
        attempts = 0 if keys.session_lists_sharded(item) else backfill.attempts_counted(session)
        stale = dict.fromkeys(sorted(set(held) - set(wanted)))  # None: removed
        expression, names, values = set_and_remove({**wanted, **fills, **stale})
        condition, cond_names, cond_values = _unchanged(item, list_entry=True)
        ops = [op_update(keys.session_key(session.id), expression, names | cond_names, values | cond_values,
                         condition)]
        counter = stats_op(session.exam_id, {"attempts": attempts}, session.id) if attempts else None
        if self._commit(ops + ([counter] if counter else []), "sessions"):
            self.report.attempts_added += attempts

    def _extension(self, item: dict[str, Any], old_key: dict[str, str], exam_id: str, user_id: str) -> None:
        try:
            extension = from_item(Extension, item)
        except ValidationError:
            self.report.skip("unreadable")
            return
        if (extension.exam_id, extension.user_id) != (exam_id, user_id):
            self.report.skip("unreadable")
            return
        fills: dict[str, Any] = self._names(user_id, extension.username, extension.email)
        new_key = keys.extension_key(exam_id, user_id)
        if self.request.dry_run:
            if self.store.get(new_key) is not None:
                self.report.skip("superseded", old_key)
                return
        elif not extension.session_tracked:
            # Written before the session pointer: set it as a grant does (the latest of the student's sessions
            # on the exam, gsi2), so the Canvas lists read the one session it names, never the student's all.
            sessions = ExtensionRepository(self.store).user_sessions(extension.course_id, user_id, exam_id)
            tracked = pointed(extension, [], sessions, utcnow())
            fills |= {"latest_session_id": tracked.latest_session_id, "session_tracked": True}
        extension = extension.model_copy(update=fills)
        moved = {**_body(item), **{k: v for k, v in fills.items() if v is not None}, **extension_index(extension),
                 **new_key}
        rows = backfill.allowance_rows(extension)
        ops = [op_put(moved, NEW_ITEM), op_delete(old_key, *_unchanged(item)),
               *allowance_count_ops({exam_id: rows})]
        if self._commit(ops, "extensions", old_key=old_key):
            self.report.allowances_added += rows

    def _move(self, item: dict[str, Any], old_key: dict[str, str], new_key: dict[str, str], kind: str) -> None:
        """An item that only changes key (an extension's history copy, a course audit event)."""
        self._commit([op_put({**_body(item), **new_key}, NEW_ITEM), op_delete(old_key, keys.ITEM_EXISTS)], kind)

    # --- helpers ---------------------------------------------------------------------------------------
    def _names(self, user_id: str, username: str | None, email: str | None) -> dict[str, str]:
        """The learner's username / email for a session or extension that has none (from the user item, one
        GetItem per user per invocation)."""
        if username and email:
            return {}
        if user_id not in self._users:
            self._users[user_id] = self.store.get(keys.user_key(user_id))
        user = self._users[user_id] or {}
        fills = {}
        if not username and user.get("username"):
            fills["username"] = str(user["username"])
        if not email and user.get("email"):
            fills["email"] = str(user["email"])
        return fills

    def _commit(self, ops: list[Op], kind: str, *, old_key: dict[str, str] | None = None) -> bool:
        """One TransactWriteItems (none in a dry run: counted as what it would do). A failed first put of an
        extension's move means the new key is taken (superseded); any other failed condition, a lost race."""
        if not self.request.dry_run:
            try:
                self.store.transact(ops)
            except ConcurrentUpdate as lost:
                superseded = old_key is not None and 0 in lost.failed
                self.report.skip("superseded" if superseded else "lost_race", old_key)
                return False
            except Unavailable:
                self.report.skip("busy")
                return False
        self.report.changed[kind] += 1
        return True


def run(request: Request, start: dict[str, str] | None, seconds: float, store: Store | None = None) -> Report:
    """One invocation: the segment from ``start`` for at most ``seconds`` (checked between pages)."""
    ends = time.monotonic() + seconds
    return ListBackfill(request, store).run(start, lambda: ends - time.monotonic())
