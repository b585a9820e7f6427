"""Courses, users, roles and enrollments through the authoring routes: the rules beyond the common checks."""

from __future__ import annotations

import uuid

import pytest

from functions.data.directory import DirectoryRepository
from tests.conftest import call, principal_context
from tests.integration.test_authoring_support import (
    ADMIN,
    INSTRUCTOR,
    OUTSIDER,
    STUDENT,
    TA,
    snapshot,
)
from tests.integration.test_authoring_support import world as _world

world = _world  # the shared fixture

# --- courses -------------------------------------------------------------------------------------


def test_course_ids_are_kept_or_made_and_never_reused(world):
    given = call("create_course", as_user=ADMIN, body={"id": "geo-101", "title": "Geometry", "active": False})
    assert given.status == 201 and given.body["id"] == "geo-101" and given.body["active"] is False
    assert given.body["createdAt"].startswith("20") and given.body["institution"] == "default"
    made = call("create_course", as_user=ADMIN, body={"title": "Geometry"})
    assert uuid.UUID(made.body["id"]).version == 4
    before = snapshot()
    again = call("create_course", as_user=ADMIN, body={"id": "geo-101", "title": "Other"})
    assert again.status == 409 and snapshot() == before


@pytest.mark.parametrize("bad", ["has space", "a#b", "", "x" * 129, "pipe|d"])
def test_a_bad_client_id_is_400(world, bad):
    answer = call("create_course", as_user=ADMIN, body={"id": bad, "title": "Geometry"})
    assert answer.status == 400 and answer.body["error"]["field"] == "id"


def test_a_global_admin_key_acts_as_an_administrator(world):
    key = principal_context("key", "ops", courses="*", rights="course:admin")
    assert call("create_course", authorizer=key, body={"title": "From a key"}).status == 201
    narrow = principal_context("key", "ops", courses="course-1", rights="course:admin")
    assert call("list_courses", authorizer=narrow).status == 403


def test_students_do_not_see_an_inactive_course_but_staff_do(world):
    assert call("update_course", {"courseId": "course-1"}, as_user=ADMIN, body={"active": False}).status == 200
    assert call("get_course", {"courseId": "course-1"}, as_user=STUDENT).status == 404
    assert call("get_course", {"courseId": "course-1"}, as_user=TA).body["active"] is False


def test_update_course_changes_only_the_given_fields(world):
    answer = call("update_course", {"courseId": "course-1"}, as_user=ADMIN, body={"institution": "north"})
    assert answer.body["institution"] == "north" and answer.body["title"] == "Course course-1"
    assert call("get_course", {"courseId": "course-1"}, as_user=TA).body["institution"] == "north"


def test_update_course_refuses_null_and_a_missing_course(world):
    before = snapshot()
    null = call("update_course", {"courseId": "course-1"}, as_user=ADMIN, body={"title": None})
    assert null.status == 400 and null.body["error"]["field"] == "title"
    assert call("update_course", {"courseId": "nope"}, as_user=ADMIN, body={"title": "x"}).status == 404
    assert snapshot() == before


def test_get_course_for_a_missing_course_is_404(world):
    assert call("get_course", {"courseId": "nope"}, as_user=ADMIN).status == 404
    assert call("get_course", {"courseId": "bad id"}, as_user=ADMIN).status == 400


# --- users ---------------------------------------------------------------------------------------


def test_users_are_unique_by_id_username_and_email(world):
    body = {"id": "u1", "username": "Newbie", "email": "newbie@example.edu", "name": "New Bie"}
    assert call("create_user", as_user=ADMIN, body=body).status == 201
    before = snapshot()
    for clash in ({"id": "u2", "username": "newbie"}, {"id": "u2", "username": "n2", "email": "NEWBIE@example.edu"},
                  {"username": "n3", "email": "n3@example.edu"}):
        answer = call("create_user", as_user=ADMIN, body={**body, **clash})
        assert answer.status == 409, clash
    assert snapshot() == before


@pytest.mark.parametrize("field,value", [("email", "not-an-email"), ("username", "has space"),
                                         ("name", ""), ("name", "x" * 201)])
def test_user_fields_are_checked(world, field, value):
    body = {"username": "newbie", "email": "newbie@example.edu", "name": "New Bie", field: value}
    answer = call("create_user", as_user=ADMIN, body=body)
    assert answer.status == 400 and answer.body["error"]["field"] == field


def test_get_user_self_or_admin(world, dynamo_calls):
    assert call("get_user", {"userId": TA}, as_user=TA).body["email"] == "ta-course-1@example.edu"
    dynamo_calls.reset()
    assert call("get_user", {"userId": TA}, as_user=ADMIN).status == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 2}
    assert call("get_user", {"userId": "ghost"}, as_user=ADMIN).status == 404


def test_update_user_moves_the_username_and_email_lookups(world):
    answer = call("update_user", {"userId": STUDENT}, as_user=ADMIN,
                  body={"username": "stu", "email": "stu@example.edu"})
    assert answer.status == 200 and answer.body["username"] == "stu"
    directory = DirectoryRepository()
    assert directory.find_user("stu").id == STUDENT and directory.find_user("stu@example.edu").id == STUDENT
    assert directory.find_user(STUDENT) is None
    before = snapshot()
    taken = call("update_user", {"userId": TA}, as_user=ADMIN, body={"email": "stu@example.edu"})
    assert taken.status == 409 and snapshot() == before


def test_update_user_can_make_an_administrator(world):
    assert call("update_user", {"userId": TA}, as_user=ADMIN, body={"admin": True}).body["admin"] is True
    assert call("list_users", as_user=TA).status == 200


# --- roles ---------------------------------------------------------------------------------------


def test_list_roles_is_built_ins_then_custom_ones(world):
    ids = [r["id"] for r in call("list_roles", as_user=STUDENT).body["items"]]
    assert ids == ["administrator", "instructor", "teaching_assistant", "student", "grader"]
    key = principal_context("key", "k", courses="course-1", rights="course:view")
    assert call("list_roles", authorizer=key).status == 200


def test_a_page_within_the_built_in_roles_costs_nothing(world, dynamo_calls):
    dynamo_calls.reset()
    first = call("list_roles", as_user=STUDENT, query={"limit": ["2"]})
    assert len(first.body["items"]) == 2 and dynamo_calls.total == 0
    dynamo_calls.reset()
    rest = call("list_roles", as_user=STUDENT, query={"limit": ["3"], "nextToken": [first.body["nextToken"]]})
    assert [r["id"] for r in rest.body["items"]] == ["teaching_assistant", "student", "grader"]
    assert dict(dynamo_calls.counts) == {"Query": 1}


def test_built_in_roles_are_immutable(world):
    before = snapshot()
    for role_id in ("student", "instructor"):
        answer = call("update_role", {"roleId": role_id}, as_user=ADMIN, body={"rights": ["course:view"]})
        assert answer.status == 409
    clash = call("create_role", as_user=ADMIN, body={"id": "student", "name": "S", "rights": ["exam:take"]})
    assert clash.status == 409
    assert snapshot() == before


def test_custom_roles(world):
    made = call("create_role", as_user=ADMIN, body={"name": "Proctor", "rights": ["course:view", "extension:grant"]})
    assert made.status == 201 and made.body["custom"] is True
    before = snapshot()
    taken = call("create_role", as_user=ADMIN, body={"id": "grader", "name": "G", "rights": ["course:view"]})
    assert taken.status == 409
    dup = call("create_role", as_user=ADMIN, body={"name": "D", "rights": ["course:view", "course:view"]})
    assert dup.status == 400 and dup.body["error"]["field"] == "rights"
    assert call("create_role", as_user=ADMIN, body={"name": "Empty", "rights": []}).status == 400
    assert call("update_role", {"roleId": "ghost"}, as_user=ADMIN, body={"name": "x"}).status == 404
    assert snapshot() == before
    changed = call("update_role", {"roleId": "grader"}, as_user=ADMIN, body={"rights": ["course:view", "exam:author"]})
    assert changed.body == {"id": "grader", "name": "Grader", "rights": ["course:view", "exam:author"], "custom": True}


# --- enrollments ---------------------------------------------------------------------------------


def test_enroll_then_change_the_role(world):
    path = {"courseId": "course-1", "userId": "student-course-2"}
    assert call("put_enrollment", path, as_user=INSTRUCTOR, body={"role": "student"}).body == {
        "courseId": "course-1", "userId": "student-course-2", "role": "student", "active": True}
    assert call("get_exam", {"examId": "exam-course-1"}, as_user="student-course-2").status == 200
    call("put_enrollment", path, as_user=INSTRUCTOR, body={"role": "teaching_assistant"})
    rows = call("list_enrollments", {"courseId": "course-1"}, as_user=TA).body["items"]
    assert {"courseId": "course-1", "userId": "student-course-2", "role": "teaching_assistant",
            "active": True} in rows
    call("put_enrollment", path, as_user=INSTRUCTOR, body={"role": "student", "active": False})
    assert call("get_exam", {"examId": "exam-course-1"}, as_user="student-course-2").status == 404


def test_a_custom_role_grants_its_rights_and_costs_one_more_read(world, dynamo_calls):
    path = {"courseId": "course-1", "userId": "student-course-2"}
    dynamo_calls.reset()
    assert call("put_enrollment", path, as_user=INSTRUCTOR, body={"role": "grader"}).status == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 6, "TransactWriteItems": 1}  # + the enrollment before (audit)
    assert call("list_enrollments", {"courseId": "course-1"}, as_user="student-course-2").status == 200


def test_unknown_role_or_user_is_400_naming_it(world):
    before = snapshot()
    role = call("put_enrollment", {"courseId": "course-1", "userId": OUTSIDER}, as_user=INSTRUCTOR,
                body={"role": "wizard"})
    assert role.status == 400 and role.body["error"]["field"] == "role" and "wizard" in role.body["error"]["message"]
    ghost = call("put_enrollment", {"courseId": "course-1", "userId": "ghost"}, as_user=INSTRUCTOR,
                 body={"role": "student"})
    assert ghost.status == 400 and ghost.body["error"]["field"] == "userId"
    assert "ghost" in ghost.body["error"]["message"]
    missing = call("put_enrollment", {"courseId": "nope", "userId": TA}, as_user=ADMIN, body={"role": "student"})
    assert missing.status == 404
    assert snapshot() == before


def test_enrollments_list_only_that_course(world):
    rows = call("list_enrollments", {"courseId": "course-1"}, as_user=TA).body["items"]
    assert {r["courseId"] for r in rows} == {"course-1"} and len(rows) == 4
