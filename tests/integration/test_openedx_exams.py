"""Open edX special exams and proctoring settings on moto: Open edX's own v2 cases (list and filter, wrong
course 404, settings 400), denials, bad input, DynamoDB calls, a console event."""

from __future__ import annotations

import importlib

import pytest

from functions.routes import route
from tests.conftest import LambdaContext, principal_context
from tests.factories import user
from tests.integration.openedx_helpers import (
    COURSE,
    FOREIGN,
    INSTRUCTOR,
    OTHER_COURSE,
    PRACTICE,
    PROCTORED,
    STANDARD,
    STUDENT,
    TA,
    TIMED,
    edx,
    edx_room,
    item_count,
    num,
)


@pytest.fixture
def room(table):
    return edx_room()


def test_list_special_exams_leaves_out_standard_exams_and_maps_types(room):
    answer = edx("list_special_exams")
    assert answer.status == 200
    by_name = {e["content_id"]: e for e in answer.body}
    assert set(by_name) == {TIMED, PROCTORED, PRACTICE}
    timed, proctored, practice = by_name[TIMED], by_name[PROCTORED], by_name[PRACTICE]
    assert timed["id"] == int(num(TIMED)) and timed["course_id"] == COURSE and timed["time_limit_mins"] == 60
    assert (timed["is_proctored"], timed["is_practice_exam"], timed["exam_type"]) == (False, False, "timed")
    assert (proctored["is_proctored"], proctored["is_practice_exam"], proctored["exam_type"]) == (
        True, False, "proctored")
    assert (practice["is_proctored"], practice["is_practice_exam"], practice["exam_type"]) == (
        True, True, "practice")
    assert timed["is_active"] is True and timed["hide_after_due"] is False and timed["due_date"] is None


@pytest.mark.parametrize("exam_type,expected", [("timed", TIMED), ("proctored", PROCTORED),
                                                 ("practice", PRACTICE)])
def test_filter_by_exam_type(room, exam_type, expected):
    answer = edx("list_special_exams", query={"exam_type": [exam_type]})
    assert answer.status == 200 and [e["content_id"] for e in answer.body] == [expected]


@pytest.mark.parametrize("exam_type", ["standard", "PROCTORED", "nonsense"])
def test_unknown_exam_type_is_404_naming_the_accepted_ones(room, exam_type):
    """The spec documents no 400 for this list: a type outside its enum names nothing there is (404)."""
    answer = edx("list_special_exams", query={"exam_type": [exam_type]})
    assert answer.status == 404
    assert answer.body == {"error": "not_found", "status_code": 404, "message": answer.body["message"]}
    assert "timed, proctored, practice" in answer.body["message"]


def test_a_repeated_exam_type_counts_its_last_value(room):
    answer = edx("list_special_exams", query={"exam_type": ["nonsense", "timed"]})
    assert answer.status == 200 and [e["content_id"] for e in answer.body] == [TIMED]


def test_get_exam_and_the_wrong_course_and_unknown_numbers_are_404(room):
    got = edx("get_special_exam", exam_id=PROCTORED)
    assert got.status == 200 and got.body["exam_name"] == f"Exam {PROCTORED}"
    for ref in (FOREIGN, STANDARD, "99999", "abc", "0", "-1", "1" * 20):
        missing = edx("get_special_exam", exam_id=ref)
        assert missing.status == 404, ref
        assert missing.body["status_code"] == 404 and FOREIGN not in str(missing.body)
    # the other course's staff sees its own exam, and ours not even through their own course
    assert edx("get_special_exam", OTHER_COURSE, FOREIGN, as_user=f"instructor-{OTHER_COURSE}").status == 200
    assert edx("get_special_exam", OTHER_COURSE, TIMED, as_user=f"instructor-{OTHER_COURSE}").status == 404


@pytest.mark.parametrize("name,exam", [("list_special_exams", None), ("get_special_exam", TIMED),
                                       ("get_proctoring_settings", None)])
def test_denials(room, name, exam):
    assert edx(name, exam_id=exam, as_user=TA).status == 200  # a TA may view
    assert edx(name, exam_id=exam, as_user=None).status == 401
    student = edx(name, exam_id=exam, as_user=STUDENT)
    assert student.status == 403 and student.body["error"] == "forbidden"
    other = edx(name, exam_id=exam, as_user=f"instructor-{OTHER_COURSE}")
    assert other.status == 403 and "Exam" not in str(other.body)
    key = principal_context("key", "k", courses=OTHER_COURSE, rights="course:view")
    assert edx(name, exam_id=exam, as_user=None, authorizer=key).status == 403
    assert edx(name, "x" * 300, exam, as_user=INSTRUCTOR).status == 403  # no such course can exist


def test_an_administrator_sees_any_course_and_an_unknown_course_has_no_special_exams(room):
    user("boss", admin=True)
    assert len(edx("list_special_exams", as_user="boss").body) == 3
    assert edx("list_special_exams", "no-such-course", as_user="boss").body == []
    assert edx("get_proctoring_settings", "no-such-course", as_user="boss").status == 404


def test_proctoring_settings_defaults_patch_and_only_the_fields_sent(room):
    assert edx("get_proctoring_settings").body == {
        "proctoring_provider": None, "proctoring_escalation_email": None, "create_zendesk_tickets": True,
        "enable_proctored_exams": False}
    patched = edx("update_proctoring_settings", body={"proctoring_escalation_email": "proctor@example.com"})
    assert patched.status == 200 and patched.body["proctoring_escalation_email"] == "proctor@example.com"
    second = edx("update_proctoring_settings", body={"enable_proctored_exams": True, "unrelated": 1})
    # kept: only the fields sent change
    assert second.body["proctoring_escalation_email"] == "proctor@example.com"
    assert second.body["enable_proctored_exams"] is True
    assert edx("get_proctoring_settings", as_user=TA).body == second.body
    cleared = edx("update_proctoring_settings", body={"proctoring_escalation_email": ""})
    assert cleared.body["proctoring_escalation_email"] is None
    assert edx("update_proctoring_settings", body={}).body == cleared.body


def test_the_read_only_provider_is_ignored_as_edx_does(room):
    answer = edx("update_proctoring_settings", body={"proctoring_provider": "proctortrack",
                                                     "enable_proctored_exams": True})
    assert answer.status == 200 and answer.body["proctoring_provider"] is None
    assert answer.body["enable_proctored_exams"] is True


@pytest.mark.parametrize("body,field", [
    ({"enable_proctored_exams": "not_a_boolean"}, "enable_proctored_exams"),
    ({"create_zendesk_tickets": 1}, "create_zendesk_tickets"),
    ({"create_zendesk_tickets": None}, "create_zendesk_tickets"),
    ({"proctoring_escalation_email": "not an email"}, "proctoring_escalation_email"),
    ({"proctoring_escalation_email": 5}, "proctoring_escalation_email"),
    ({"proctoring_escalation_email": None}, "proctoring_escalation_email"),
    ('{"enable_proctored_exams": tru', "body"),
    ([True], None),
    (None, None),
])
def test_bad_settings_are_400_and_write_nothing(room, body, field):
    before = item_count()
    answer = edx("update_proctoring_settings", body=body)
    assert answer.status == 400, answer.body
    if field:
        assert field in answer.body["message"]
    assert item_count() == before


@pytest.mark.parametrize("name,exam_id", [("update_proctoring_settings", None),
                                          ("grant_allowance", PROCTORED), ("remove_allowance", PROCTORED),
                                          ("bulk_create_allowances", None)])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
def test_bodies_in_another_content_type_are_400_not_500(room, name, exam_id, content_type):
    before = item_count()
    answer = edx(name, exam_id=exam_id, body='{"enable_proctored_exams": true}',
                 headers={"Content-Type": content_type})
    assert answer.status == 400 and "application/json" in answer.body["message"]
    assert answer.body["status_code"] == 400 and item_count() == before


def test_settings_patch_needs_course_admin(room):
    change = {"create_zendesk_tickets": False}
    assert edx("update_proctoring_settings", as_user=TA, body=change).status == 403
    assert edx("update_proctoring_settings", as_user=STUDENT, body=change).status == 403
    assert edx("update_proctoring_settings", as_user=None, body=change).status == 401
    assert edx("get_proctoring_settings").body["create_zendesk_tickets"] is True


def test_dynamodb_calls(room, dynamo_calls):
    dynamo_calls.reset()
    edx("list_special_exams")
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": 1}  # caller, enrollment; the course's exams
    dynamo_calls.reset()
    edx("get_special_exam", exam_id=TIMED)
    assert dict(dynamo_calls.counts) == {"GetItem": 4}  # caller, enrollment; number alias, exam
    dynamo_calls.reset()
    edx("get_proctoring_settings")
    assert dict(dynamo_calls.counts) == {"GetItem": 4}  # caller, enrollment; settings (none yet), course
    dynamo_calls.reset()
    edx("update_proctoring_settings", body={"create_zendesk_tickets": False})
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "TransactWriteItems": 1}  # + settings read; update + audit
    dynamo_calls.reset()
    edx("get_proctoring_settings")
    assert dict(dynamo_calls.counts) == {"GetItem": 3}  # caller, enrollment; settings
    dynamo_calls.reset()
    edx("list_special_exams", as_user=None)
    edx("list_special_exams", query={"exam_type": ["nope"]})
    assert dynamo_calls.counts["Query"] == 0  # refused before any list is read


def test_console_event_says_what_it_did(room):
    module = importlib.import_module(route("openedx_get_special_exam").import_path)
    answer = module.lambda_handler({"course_id": COURSE, "exam_id": num(PROCTORED)}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["content_id"] == PROCTORED
    assert answer["summary"].startswith("Get a special exam: GET /api/instructor/v2/courses/course-1/")
    missing = module.lambda_handler({"course_id": COURSE, "exam_id": "12"}, LambdaContext())
    assert missing["statusCode"] == 404 and "refused" in missing["summary"]
