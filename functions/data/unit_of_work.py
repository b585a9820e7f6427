"""The unit of work: turns one ``core.changes.Work`` into ONE TransactWriteItems, the only place transaction
items are built from changes (docs/data-model.md, "Writes").

Per unit, in this order: each change's own writes (with the conditions on the versions read), the
extension pointers of the attempts begun, the forgotten attempt counts, each exam's summed statistics, each
exam's allowance-row counter, and the audit event. Its size is checked here, against DynamoDB's limits,
before anything is sent: a unit that does not fit is a 413 and nothing is written.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core import allowances, changes
from functions.core.audit import event
from functions.core.changes import (
    AttemptBegun,
    AttemptCount,
    ExtensionRemoved,
    ExtensionSaved,
    SessionChanged,
    SessionRemoved,
    SessionRestored,
    SessionStarted,
    Work,
)
from functions.core.errors import TooLarge
from functions.core.models import Extension, HistoryNote, Session
from functions.data import keys
from functions.data.audit import audit_op
from functions.data.extensions import allowance_count_ops, extension_delete_ops, extension_save_ops
from functions.data.sessions import (
    attempt_count_op,
    forget_attempt_count_op,
    history_item,
    latest_session_op,
    part_ops,
    removal_item,
    session_item,
)
from functions.data.stats import stats_op
from functions.data.store import NEW_ITEM, SAME_VERSION, Store, op_delete, op_put
from functions.data.writers import Op, writer

if TYPE_CHECKING:
    from functions.core.rights import Principal

# How each other entity (``changes.Saved.kind``) is written: data/writers.py (each data module registers its own).


class DynamoUnitOfWork:
    """Writes for one caller (``principal``: the audit event's actor and history copies' author) at ``now``."""

    def __init__(self, principal: Principal, now: datetime, store: Store | None = None) -> None:
        self.principal = principal
        self.now = now
        self.store = store or Store()

    def commit(self, work: Work) -> None:
        operations = self.operations(work)
        check_size(operations, work)
        self.store.transact(operations, conflict_message=work.conflict)

    def operations(self, work: Work) -> list[Op]:
        ops: list[Op] = []
        saved = {(c.after.exam_id, c.after.user_id) for c in work.changes if isinstance(c, ExtensionSaved)}
        pointers: dict[tuple[str, str], tuple[Extension | None, str]] = {}
        for change in work.changes:
            ops += self._writes(change)
            begun, session = _begun(change)
            if begun is not None and session is not None and (session.exam_id, session.user_id) not in saved:
                pointers[(session.exam_id, session.user_id)] = (begun.extension, session.id)
        ops += [latest_session_op(exam_id, user_id, extension, session_id)
                for (exam_id, user_id), (extension, session_id) in pointers.items()]
        ops += [forget_attempt_count_op(exam_id, user_id) for exam_id, user_id in changes.forgotten_counts(
            work.changes)]
        ops += [op for d in changes.stats_deltas(work.changes)
                if (op := stats_op(d.exam_id, d.delta, shard_by=d.session_id)) is not None]
        ops += _allowance_counts(work)
        listed = changes.audit_changes(work.changes)
        if listed:
            ops.append(audit_op(event(self.principal, self.now, work.action, work.course_id, listed,
                                      changes.restorables(work.changes))))
        return ops

    def _writes(self, change: changes.Change) -> list[Op]:
        if isinstance(change, SessionStarted):
            s = change.session
            return [op_put(session_item(s), NEW_ITEM), *part_ops(None, s, history=False),
                    *_counted(s, change.counted)]
        if isinstance(change, SessionChanged):
            return self._session_changed(change)
        if isinstance(change, SessionRemoved):
            s = change.removal.session
            return [op_delete(keys.session_key(s.id), SAME_VERSION, {"#version": "version"},
                              {":expected": s.version}),
                    op_put(removal_item(change.removal), NEW_ITEM)]
        if isinstance(change, SessionRestored):
            return [op_put(session_item(change.restored), NEW_ITEM),
                    *part_ops(None, change.restored, history=False),
                    op_put(removal_item(change.removal), f"{keys.ITEM_EXISTS} AND attribute_not_exists(restored_at)")]
        if isinstance(change, ExtensionSaved):
            return extension_save_ops(change.before, change.after, by=self.principal.subject, at=self.now)
        if isinstance(change, ExtensionRemoved):
            return extension_delete_ops(change.before, by=self.principal.subject, at=self.now)
        return writer(change.kind)(change)

    def _session_changed(self, change: SessionChanged) -> list[Op]:
        """The session (only if still the version before it), the current attempt's changed parts, and with
        ``keep_history`` the earlier state as ``exam-session#v<n>`` noting why, who and when."""
        after = change.after
        kept = None
        if change.keep_history:
            kept = change.before.model_copy(deep=True)
            kept.history_note = HistoryNote(reason=change.reason, by=self.principal.subject, at=self.now)
        parts = part_ops(kept or change.before, after, history=kept is not None)
        ops = [op_put(session_item(after), SAME_VERSION, {"#version": "version"}, {":expected": after.version - 1}),
               *parts]
        if kept is not None:
            ops.append(op_put(history_item(kept, after.id), NEW_ITEM))
        return ops + _counted(after, change.counted)


def _begun(change: changes.Change) -> tuple[AttemptBegun | None, Session | None]:
    if isinstance(change, SessionStarted):
        return change.begun, change.session
    if isinstance(change, SessionChanged):
        return change.begun, change.after
    return None, None


def _counted(session: Session, counted: AttemptCount | None) -> list[Op]:
    if counted is None:
        return []
    return [attempt_count_op(session.exam_id, session.user_id, counted)]


def _allowance_counts(work: Work) -> list[Op]:
    """One ADD per exam to its allowance-row counter (the Open edX allowances list's ``count``)."""
    pairs: list[tuple[Extension | None, Extension | None]] = [
        (c.before, c.after) if isinstance(c, ExtensionSaved) else (c.before, None)
        for c in work.changes if isinstance(c, ExtensionSaved | ExtensionRemoved)]
    return allowance_count_ops(allowances.count_deltas(pairs))


def check_size(operations: list[Op], work: Work) -> None:
    """DynamoDB's limits on one transaction, checked before it is sent: the one place they are enforced."""
    if len(operations) > changes.TRANSACTION_ITEMS:
        raise TooLarge(f"this request needs {len(operations)} writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_ITEMS} ({work.action}); send fewer at a time")
    size = sum(len(json.dumps(op, default=str)) for op in operations)
    if size > changes.TRANSACTION_BYTES:
        raise TooLarge(f"this request needs about {size:,} bytes of writes and one atomic write holds at most "
                       f"{changes.TRANSACTION_BYTES:,} ({work.action}); send less at a time")
