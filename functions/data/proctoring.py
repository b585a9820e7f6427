"""A course's proctoring settings (Open edX): one child item of the course,
``<course>`` / ``proctoring-settings``.

An update sets only the fields a request sends, conditioned on the ``version`` it read, in one
TransactWriteItems with its audit event: two requests changing different fields never undo each other (the
later one is a 409 that is safe to retry), and ``version`` counts the changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core.models import Course
from functions.data import keys
from functions.data.store import Store, op_update


class ProctoringRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_settings(self, course_id: str, consistent: bool = False) -> dict[str, Any] | None:
        return self.store.get(keys.proctoring_settings_key(course_id), consistent=consistent)

    def get_course(self, course_id: str) -> Course | None:
        return self.store.get_model(Course, keys.course_key(course_id))

    def update_settings(self, course_id: str, changes: dict[str, Any], by: str, at: datetime,
                        before: dict[str, Any] | None = None, extra_ops: list[dict[str, Any]] | None = None
                        ) -> dict[str, Any]:
        """Set ``changes`` (None removes a field), note who and when, only if the item is still ``before``
        (its ``version``; absent: never written), in one transaction with ``extra_ops`` (the audit event).
        Returns the whole item afterwards."""
        fields = {**changes, "updated_by": by, "updated_at": at.isoformat()}
        names = {f"#f{n}": name for n, name in enumerate(fields)}
        values = {f":f{n}": value for n, value in enumerate(fields.values()) if value is not None}
        sets = [f"#f{n} = :f{n}" for n, value in enumerate(fields.values()) if value is not None]
        removes = [f"#f{n}" for n, value in enumerate(fields.values()) if value is None]
        names["#version"] = "version"
        values[":one"] = 1
        expression = "SET " + ", ".join(sets) + " ADD #version :one"
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        version = int((before or {}).get("version", 0))
        condition = "#version = :expected" if version else "attribute_not_exists(#version)"
        if version:
            values[":expected"] = version
        key = keys.proctoring_settings_key(course_id)
        self.store.transact([op_update(key, expression, names, values, condition), *(extra_ops or [])],
                            conflict_message="the proctoring settings were changed meanwhile; retry")
        after = {k: v for k, v in {**(before or key), **fields}.items() if v is not None}
        return {**after, "version": version + 1}
