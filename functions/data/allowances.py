"""Allowance writes beyond data/extensions.py's upsert: removing one, which deletes the extension when it
holds nothing any more, keeping the removed value as a history copy (who, when): restorable, never lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core.models import Extension
from functions.data import keys
from functions.data.extensions import ExtensionRepository, history_stamp
from functions.data.store import NEW_ITEM, SAME_VERSION, UNVERSIONED, op_delete, op_put, to_item


class AllowanceRepository(ExtensionRepository):
    """The extension repository (reads, upserts with history) plus deletion and a plain atomic write."""

    def delete_ops(self, before: Extension, *, by: str, at: datetime) -> list[dict[str, Any]]:
        """Delete the extension only if it is still the version read, and keep it as a history copy."""
        names, values = {"#version": "version"}, {":expected": before.version}
        condition = UNVERSIONED if before.version == 0 else SAME_VERSION
        history_key = keys.extension_history_key(before.exam_id, before.user_id, history_stamp(at))
        noted = {"replaced_by": by, "replaced_at": at.isoformat(), "deleted": True}
        history = to_item(before, history_key, noted)
        return [op_delete(keys.extension_key(before.exam_id, before.user_id), condition, names, values),
                op_put(history, NEW_ITEM)]

    def write(self, operations: list[dict[str, Any]]) -> None:
        """One TransactWriteItems (at most 100 operations: the services bound their requests to fit)."""
        self.store.transact(operations, conflict_message="an allowance was changed by another request; retry")
