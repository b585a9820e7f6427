"""A course's proctoring settings (Open edX): one child item of the course,
``<course>`` / ``proctoring-settings``.

An update (a ``Saved("proctoring-settings")`` change, written by the unit of work) sets only the fields a
request sends, conditioned on the ``version`` it read: two requests changing different fields never undo each
other (the later one is a 409 that is safe to retry), and ``version`` counts the changes.
"""

from __future__ import annotations

from typing import Any

from functions.core.changes import Saved
from functions.core.models import Course
from functions.data import keys
from functions.data.store import Store, op_update, set_and_remove
from functions.data.writers import saves


class ProctoringRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_settings(self, course_id: str, consistent: bool = False) -> dict[str, Any] | None:
        return self.store.get(keys.proctoring_settings_key(course_id), consistent=consistent)

    def get_course(self, course_id: str) -> Course | None:
        return self.store.get_model(Course, keys.course_key(course_id))


@saves("proctoring-settings")
def settings_ops(change: Saved) -> list[dict[str, Any]]:
    """Set the fields sent (``extra["fields"]``; None removes one), note who and when (``by``, ``at``), only
    if the item is still ``before`` (its ``version``; None: never written)."""
    fields = {**change.extra["fields"], "updated_by": change.extra["by"],
              "updated_at": change.extra["at"].isoformat()}
    expression, names, values = set_and_remove(fields)
    names["#version"] = "version"
    values[":one"] = 1
    expression += " ADD #version :one"
    version = int((change.before or {}).get("version", 0))
    condition = "#version = :expected" if version else "attribute_not_exists(#version)"
    if version:
        values[":expected"] = version
    return [op_update(keys.proctoring_settings_key(change.ref), expression, names, values, condition)]
