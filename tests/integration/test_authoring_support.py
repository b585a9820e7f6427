"""Shared setup for the authoring route tests (this module holds no tests): a two-course world, table
snapshots, one valid request per route, the refusals each route owes, and the DynamoDB calls each route makes
(asserted in test_authoring_routes.py and listed in docs/data-model.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from functions.core.models import Role
from functions.data.writers import seed
from tests.conftest import call
from tests.factories import classroom, user
from tests.integration.audit_helpers import SEEDED_EVENT, seeded_reset

ADMIN = "boss"
INSTRUCTOR, TA, STUDENT = "instructor-course-1", "ta-course-1", "student-course-1"
OUTSIDER = "instructor-course-2"  # instructor of the other course: nothing of course-1 is visible to them
CREDENTIAL = "key-existing"  # an integration credential for course-1 (the credential routes' object)


@pytest.fixture
def world(table: str) -> dict[str, Any]:
    """course-1 and course-2 (each: instructor, TA, two students, an objective, three items, an exam), an
    institution administrator and a custom role ``grader``."""
    rooms = {cid: classroom(cid) for cid in ("course-1", "course-2")}
    user(ADMIN, admin=True)
    issued = call("create_credential", as_user=ADMIN, body={"id": CREDENTIAL, "kind": "basic", "name": "Existing",
                                                            "courses": ["course-1"], "rights": ["course:view"]})
    assert issued.status == 201, issued.body  # also the institution audit trail's first event
    seed("role", Role(id="grader", name="Grader", rights=["course:view"]))
    seeded_reset("course-1", "exam-course-1", "other-course-1", INSTRUCTOR)  # an audit event to restore
    return rooms


def snapshot(table_name: str = "examdesk-test") -> list[str]:
    """Every item in the table (tests may scan; request paths may not)."""
    from functions.data.dynamo import client

    items = client().scan(TableName=table_name, ConsistentRead=True)["Items"]
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def camel_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all("_" not in k and camel_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(camel_only(v) for v in value)
    return True


ITEM_BODY = {
    "name": "Fractions 1",
    "alignmentIds": ["obj-course-1"],
    "questions": [{"id": "q1", "options": [{"content": "1/2", "isKey": True}, {"content": "2/3"}]}],
}


@dataclass(frozen=True)
class Case:
    path: dict[str, str]
    caller: str
    body: Any = None
    status: int = 200


CASES: dict[str, Case] = {
    "create_course": Case({}, ADMIN, {"title": "Geometry"}, 201),
    "list_courses": Case({}, ADMIN),
    "get_course": Case({"courseId": "course-1"}, STUDENT),
    "update_course": Case({"courseId": "course-1"}, ADMIN, {"title": "Algebra I"}),
    "create_user": Case({}, ADMIN, {"username": "newbie", "email": "newbie@example.edu", "name": "New Bie"}, 201),
    "list_users": Case({}, ADMIN),
    "get_user": Case({"userId": STUDENT}, STUDENT),
    "update_user": Case({"userId": STUDENT}, ADMIN, {"name": "Stu Dent"}),
    "create_role": Case({}, ADMIN, {"id": "observer", "name": "Observer", "rights": ["course:view"]}, 201),
    "list_roles": Case({}, STUDENT),
    "update_role": Case({"roleId": "grader"}, ADMIN, {"name": "Marker"}),
    "put_enrollment": Case({"courseId": "course-1", "userId": "student-course-2"}, INSTRUCTOR, {"role": "student"}),
    "list_enrollments": Case({"courseId": "course-1"}, TA),
    "create_exam": Case({"courseId": "course-1"}, INSTRUCTOR,
                        {"title": "Quiz 1", "itemPool": ["item-course-1-0", "item-course-1-1"], "drawCount": 1}, 201),
    "list_exams": Case({"courseId": "course-1"}, STUDENT),
    "get_exam": Case({"examId": "exam-course-1"}, STUDENT),
    "update_exam": Case({"examId": "exam-course-1"}, INSTRUCTOR, {"title": "Midterm", "version": 1}),
    "create_objective": Case({"courseId": "course-1"}, INSTRUCTOR, {"text": "Add fractions", "abbreviation": "FR"},
                             201),
    "create_item": Case({"courseId": "course-1"}, INSTRUCTOR, ITEM_BODY, 201),
    "get_item": Case({"itemId": "item-course-1-0"}, TA),
    "update_item": Case({"itemId": "item-course-1-0"}, INSTRUCTOR, {"name": "Renamed", "version": 1}),
    "list_items": Case({"examId": "exam-course-1"}, INSTRUCTOR),
    "list_audit_events": Case({"courseId": "course-1"}, INSTRUCTOR),
    "restore_audit_event": Case({"courseId": "course-1", "eventId": SEEDED_EVENT}, INSTRUCTOR),
    "list_institution_audit_events": Case({}, ADMIN),
    "create_credential": Case({}, ADMIN, {"kind": "basic", "name": "Grades sync", "courses": ["course-1"],
                                          "rights": ["course:view"]}, 201),
    "list_credentials": Case({}, ADMIN),
    "get_credential": Case({"credentialId": CREDENTIAL}, ADMIN),
    "rotate_credential": Case({"credentialId": CREDENTIAL}, ADMIN, {"overlapSeconds": 600}),
    "revoke_credential": Case({"credentialId": CREDENTIAL}, ADMIN),
}

WRITES = [name for name, case in CASES.items() if case.body is not None]
LISTS = [name for name in CASES if name.startswith("list_")]

# route -> (field, a value of the wrong type); the 400 must name the field
WRONG_TYPES: dict[str, tuple[str, Any]] = {
    "create_course": ("title", 5),
    "update_course": ("active", "yes"),
    "create_user": ("admin", "yes"),
    "update_user": ("email", 5),
    "create_role": ("rights", "course:view"),
    "update_role": ("rights", ["no-such-right"]),
    "put_enrollment": ("role", 5),
    "create_exam": ("maxAttempts", "3"),
    "update_exam": ("opensAt", "yesterday"),
    "create_objective": ("abbreviation", 7),
    "create_item": ("questions", {"options": []}),
    "update_item": ("version", "1"),
    "create_credential": ("courses", "course-1"),
    "rotate_credential": ("overlapSeconds", "60"),
}

# (route, caller, status): members without the right get 403; non-members get 404 (existence not confirmed)
DENIED: list[tuple[str, str, int]] = [
    ("create_course", INSTRUCTOR, 403), ("list_courses", INSTRUCTOR, 403), ("get_course", OUTSIDER, 404),
    ("update_course", INSTRUCTOR, 403), ("create_user", INSTRUCTOR, 403), ("list_users", TA, 403),
    ("get_user", TA, 403), ("update_user", STUDENT, 403), ("create_role", INSTRUCTOR, 403),
    ("update_role", INSTRUCTOR, 403), ("put_enrollment", TA, 403), ("put_enrollment", OUTSIDER, 404),
    ("list_enrollments", STUDENT, 403), ("list_enrollments", OUTSIDER, 404), ("create_exam", TA, 403),
    ("create_exam", STUDENT, 403), ("create_exam", OUTSIDER, 404), ("list_exams", OUTSIDER, 404),
    ("get_exam", OUTSIDER, 404), ("update_exam", TA, 403), ("update_exam", STUDENT, 403),
    ("update_exam", OUTSIDER, 404), ("create_objective", TA, 403), ("create_objective", OUTSIDER, 404),
    ("create_item", TA, 403), ("create_item", STUDENT, 403), ("create_item", OUTSIDER, 404),
    ("get_item", STUDENT, 403), ("get_item", OUTSIDER, 404), ("update_item", TA, 403),
    ("update_item", OUTSIDER, 404), ("list_items", STUDENT, 403),
    ("list_items", OUTSIDER, 404), ("list_audit_events", TA, 403), ("list_audit_events", STUDENT, 403),
    ("list_audit_events", OUTSIDER, 404), ("restore_audit_event", TA, 403), ("restore_audit_event", STUDENT, 403),
    ("restore_audit_event", OUTSIDER, 404), ("list_institution_audit_events", INSTRUCTOR, 403),
    ("create_credential", INSTRUCTOR, 403), ("list_credentials", TA, 403), ("get_credential", STUDENT, 403),
    ("rotate_credential", INSTRUCTOR, 403), ("revoke_credential", OUTSIDER, 403),
]

# route -> (DynamoDB calls for the CASES request, what they are); docs/data-model.md lists the same
CALLS: dict[str, tuple[dict[str, int], str]] = {
    "create_course": ({"GetItem": 1, "TransactWriteItems": 1}, "caller (admin?); conditional put + audit event"),
    "list_courses": ({"GetItem": 1, "Query": 1}, "caller (admin?); gsi1 `courses`"),
    "get_course": ({"GetItem": 3}, "caller, enrollment; course"),
    "update_course": ({"GetItem": 2, "TransactWriteItems": 1},
                      "caller (admin?), course; put if it exists + audit event"),
    "create_user": ({"GetItem": 1, "TransactWriteItems": 1}, "caller (admin?); user + username + email lookups"),
    "list_users": ({"GetItem": 1, "Query": 1}, "caller (admin?); gsi1 `users`"),
    "get_user": ({"GetItem": 1}, "the user (oneself: no rights read; an admin reading another: +1 GetItem)"),
    "update_user": ({"GetItem": 2, "TransactWriteItems": 1}, "caller (admin?), user; user + lookups moved"),
    "create_role": ({"GetItem": 1, "TransactWriteItems": 1}, "caller (admin?); conditional put + audit event"),
    "list_roles": ({"Query": 1}, "built-in roles cost nothing; gsi1 `roles` for the custom ones"),
    "update_role": ({"GetItem": 2, "TransactWriteItems": 1}, "caller (admin?), role; put if it exists + audit event"),
    "put_enrollment": ({"GetItem": 5, "TransactWriteItems": 1},
                       "caller, enrollment; course, user (a custom role: +1 GetItem), the enrollment before; "
                       "put + audit event"),
    "list_enrollments": ({"GetItem": 2, "Query": 1}, "caller, enrollment; the course's `enrollment#` rows"),
    "create_exam": ({"GetItem": 3, "BatchGetItem": 1, "TransactWriteItems": 1},
                    "caller, enrollment, course; the pool (≤ 100 items); `#v0` + `#v1`"),
    "list_exams": ({"GetItem": 3, "Query": 1},
                   "caller, enrollment, course (active? students only); gsi1 `course#<id>` / `exam#`"),
    "get_exam": ({"GetItem": 4}, "exam; caller, enrollment, course (active? students only, for a visible exam)"),
    "update_exam": ({"GetItem": 3, "TransactWriteItems": 1},
                    "exam; caller, enrollment; `#v0` (version check) + `#v<n>` (pool changed: +1 BatchGetItem)"),
    "create_objective": ({"GetItem": 3, "TransactWriteItems": 1},
                         "caller, enrollment, course; conditional put + audit event"),
    "create_item": ({"GetItem": 3, "BatchGetItem": 1, "TransactWriteItems": 1},
                    "caller, enrollment, course; the aligned objectives; `#v0` + `#v1`"),
    "get_item": ({"GetItem": 3}, "item; caller, enrollment"),
    "update_item": ({"GetItem": 3, "TransactWriteItems": 1},
                    "item; caller, enrollment; `#v0` + `#v<n>` (alignments changed: +1 BatchGetItem)"),
    "list_items": ({"GetItem": 3, "BatchGetItem": 1}, "exam; caller, enrollment; one page of the pool"),
    "list_audit_events": ({"GetItem": 2, "Query": 16},
                          "caller, enrollment; `audit#<course>#<s>` / `event#`, one Query per shard, merged newest "
                          "first (filters after the read)"),
    "restore_audit_event": ({"GetItem": 4, "Query": 1, "TransactWriteItems": 1},
                            "caller, enrollment; the event; per removed session its record and latest removal; "
                            "sessions + records marked + stats + audit event"),
    "list_institution_audit_events": ({"GetItem": 1, "Query": 1},
                                      "caller (admin?); `audit-institution` / `event#`, newest first"),
    "create_credential": ({"GetItem": 1, "BatchGetItem": 1, "TransactWriteItems": 1},
                          "caller (admin?); the courses exist (none for `*`); conditional put + audit event"),
    "list_credentials": ({"GetItem": 1, "Query": 1}, "caller (admin?); gsi1 `credentials`"),
    "get_credential": ({"GetItem": 2}, "caller (admin?); the credential (consistent)"),
    "rotate_credential": ({"GetItem": 2, "TransactWriteItems": 1},
                          "caller (admin?), the credential; put if its version is unchanged + audit event"),
    "revoke_credential": ({"GetItem": 2, "TransactWriteItems": 1},
                          "caller (admin?), the credential; put if its version is unchanged + audit event"),
}

OPERATION_ORDER = ("GetItem", "BatchGetItem", "Query", "PutItem", "TransactWriteItems")


def calls_text(counts: dict[str, int]) -> str:
    return " + ".join(f"{counts[op]} {op}" for op in OPERATION_ORDER if counts.get(op))
