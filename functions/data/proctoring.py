"""A course's proctoring settings (Open edX): one child item of the course,
``<course>`` / ``proctoring-settings``.

An update sets only the fields a request sends, in one UpdateItem that returns the result: two requests
changing different fields never undo each other, and ``version`` counts the changes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core.models import Course
from functions.data import keys
from functions.data.dynamo import (
    client,
    deserialize,
    serialize,
    serialize_value,
    table_name,
    translated_errors,
)
from functions.data.store import Store


class ProctoringRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def get_settings(self, course_id: str) -> dict[str, Any] | None:
        return self.store.get(keys.proctoring_settings_key(course_id))

    def get_course(self, course_id: str) -> Course | None:
        return self.store.get_model(Course, keys.course_key(course_id))

    def update_settings(self, course_id: str, changes: dict[str, Any], by: str, at: datetime
                        ) -> dict[str, Any]:
        """Set ``changes`` (None removes a field), note who and when; the whole item afterwards."""
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
        with translated_errors():
            response = client().update_item(
                TableName=table_name(), Key=serialize(keys.proctoring_settings_key(course_id)),
                UpdateExpression=expression, ExpressionAttributeNames=names,
                ExpressionAttributeValues={k: serialize_value(v) for k, v in values.items()},
                ReturnValues="ALL_NEW")
        return deserialize(response["Attributes"])
