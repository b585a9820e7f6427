"""Whole lists within one course: its exams, its sessions (or one exam's), its extensions.

Open edX's course-wide lists filter by a learner's username or email, sort by any column and report an exact
``count``, so they read the course's part of an index whole: the cost grows with the course's own items,
never with the table (each call is a Query of one index partition, 1 MB a page). A walk stops with a 400 at
``MAX_PAGES`` pages rather than run past the Lambda's time; docs/data-model.md lists the calls.
"""

from __future__ import annotations

from typing import Any

from functions.core.errors import InvalidInput
from functions.core.models import Exam, Extension, Session
from functions.data import keys
from functions.data.dynamo import client, deserialize, serialize, table_name, translated_errors
from functions.data.keys import Index
from functions.data.store import from_item

MAX_PAGES = 50  # 50 MB of one course's sessions: far more than any course we know of


def walk(index: Index, pk: str, prefix: str, what: str) -> list[dict[str, Any]]:
    """Every item of one index partition under ``prefix``, continuing from DynamoDB's own last key."""
    args: dict[str, Any] = {
        "TableName": table_name(), "IndexName": index.name,
        "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :prefix)",
        "ExpressionAttributeNames": {"#pk": index.pk, "#sk": index.sk},
        "ExpressionAttributeValues": serialize({":pk": pk, ":prefix": prefix}),
    }
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        with translated_errors():
            response = client().query(**args)
        items += [deserialize(i) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        if not last:
            return items
        args["ExclusiveStartKey"] = last
    raise InvalidInput(f"{what} are too many to list at once (over {MAX_PAGES} MB); "
                       "list one exam's attempts instead", field="course_id")


class CourseWalks:
    def course_exams(self, course_id: str) -> list[Exam]:
        index, pk, prefix = keys.course_exams_query(course_id)
        return [from_item(Exam, i) for i in walk(index, pk, prefix, "the course's exams")]

    def course_sessions(self, course_id: str) -> list[Session]:
        index, pk, prefix = keys.course_sessions_query(course_id)
        return [from_item(Session, i) for i in walk(index, pk, prefix, "the course's attempts")]

    def exam_sessions(self, exam_id: str) -> list[Session]:
        index, pk, prefix = keys.exam_sessions_query(exam_id)
        return [from_item(Session, i) for i in walk(index, pk, prefix, "the exam's attempts")]

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        """One student's sessions on one exam (one per LTI context), on the per-user index."""
        index, pk, prefix = keys.user_course_sessions_query(user_id, course_id, exam_id)
        return [from_item(Session, i) for i in walk(index, pk, prefix, "the student's sessions")]

    def course_extensions(self, course_id: str) -> list[Extension]:
        index, pk, prefix = keys.course_extensions_query(course_id)
        return [from_item(Extension, i) for i in walk(index, pk, prefix, "the course's allowances")]
