"""PowerPath authoring on moto: lessons (component resources) and subject tracks; rights, bad input (nothing
written), the replaced track kept as history, DynamoDB calls."""

from __future__ import annotations

import importlib

import pytest

from functions.data import keys
from functions.data.store import Store
from functions.routes import route
from tests.conftest import LambdaContext, call, principal_context
from tests.factories import classroom, course, enroll
from tests.integration.powerpath_helpers import INSTRUCTOR, STUDENT, TA, item_count

CREATE, GET, TRACK = "powerpath_create_lesson", "powerpath_get_lesson", "powerpath_put_subject_track"
LESSON = {"sourcedId": "math-placement", "courseId": "course-1", "title": "Math placement",
          "lessonType": "placement", "toolProvider": "edulastic", "subject": "Math", "grade": 2,
          "testId": "edu-math-2"}


@pytest.fixture
def room(table):
    classroom("course-1")
    course("course-2")
    enroll("course-2", INSTRUCTOR, "instructor")
    return table


def create(body=None, as_user=INSTRUCTOR):
    return call(CREATE, as_user=as_user, body=LESSON if body is None else body)


def track(subject="Math", grade="2", course_id="course-1", as_user=INSTRUCTOR):
    return call(TRACK, {"subject": subject, "grade": grade}, as_user=as_user, body={"courseId": course_id})


def test_create_and_read_a_lesson(room):
    created = create()
    assert created.status == 201, created.body
    assert created.body["sourcedId"] == "math-placement" and created.body["createdBy"] == INSTRUCTOR
    assert created.body["toolProvider"] == "edulastic" and created.body["grade"] == 2
    got = call(GET, {"lessonId": "math-placement"}, as_user=STUDENT)  # students see their course's lessons
    assert got.status == 200 and got.body == created.body
    assert create().status == 409  # the id is taken
    generated = create({k: v for k, v in LESSON.items() if k != "sourcedId"})
    assert generated.status == 201 and len(generated.body["sourcedId"]) == 36


def test_lesson_rights(room):
    assert create(as_user=TA).status == 403  # a member without exam:author
    assert create(as_user="nobody").status == 404
    assert create({**LESSON, "courseId": "course-2"}, as_user=TA).status == 404  # not a member there
    assert call(CREATE, body=LESSON).status == 401
    key = principal_context("key", "k", courses="course-1", rights="exam:author")
    assert call(CREATE, authorizer=key, body={**LESSON, "sourcedId": "by-key"}).status == 201
    create()
    assert call(GET, {"lessonId": "math-placement"}, as_user="nobody").status == 404
    assert call(GET, {"lessonId": "missing"}, as_user=STUDENT).status == 404


@pytest.mark.parametrize("change,field", [
    ({"lessonType": "essay"}, "lessonType"),
    ({"subject": "Cooking"}, "subject"),
    ({"grade": 14}, "grade"),
    ({"grade": "2"}, "grade"),
    ({"toolProvider": "Edu Lastic"}, "toolProvider"),
    ({"sourcedId": "has|bar"}, "sourcedId"),
    ({"title": ""}, "title"),
    ({"lessonType": "quiz"}, "toolProvider"),  # only external test types have a provider
    ({"xp": 10}, "xp"),
])
def test_bad_lessons_are_400_and_write_nothing(room, change, field):
    before = item_count()
    answer = create({**LESSON, **change})
    assert answer.status == 400, answer.body
    assert field in (answer.body["error"].get("field") or "") or field in answer.body["error"]["message"]
    assert item_count() == before


def test_an_unknown_course_is_404(room):
    boss = principal_context("key", "k", courses="*", rights="exam:author")
    assert call(CREATE, authorizer=boss, body={**LESSON, "courseId": "nope"}).status == 404


def test_subject_tracks_keep_what_they_replace(room):
    first = track()
    assert first.status == 200 and first.body["courseId"] == "course-1" and first.body["version"] == 1
    assert track().body["version"] == 1  # the same mapping again: nothing written
    moved = track(course_id="course-2")
    assert moved.body["version"] == 2 and moved.body["courseId"] == "course-2"
    history = Store().get(keys.subject_track_key("Math", 2, 1))
    assert history["course_id"] == "course-1"  # the replaced mapping, restorable
    spaced = track(subject="Social%20Studies", grade="-1")
    assert spaced.status == 200 and spaced.body["subject"] == "Social Studies" and spaced.body["grade"] == -1


def test_subject_track_rights_and_bad_input(room):
    track(course_id="course-2")
    assert track(course_id="course-1", as_user=TA).status == 403
    enroll("course-1", "other-course-1", "instructor")
    refused = track(course_id="course-1", as_user="other-course-1")  # the track leads to course-2
    assert refused.status == 403 and "only that course's authors" in refused.body["error"]["message"]
    assert track(course_id="nope", as_user=STUDENT).status == 404
    boss = principal_context("key", "k", courses="*", rights="exam:author")
    missing = call(TRACK, {"subject": "Math", "grade": "3"}, authorizer=boss, body={"courseId": "nope"})
    assert missing.status == 400 and missing.body["error"]["field"] == "courseId"
    for subject, grade in (("Cooking", "2"), ("Math", "14"), ("Math", "two")):
        answer = track(subject=subject, grade=grade)
        assert answer.status == 400 and answer.body["error"]["field"] in ("subject", "grade")
    assert call(TRACK, {"subject": "Math", "grade": "2"}, as_user=INSTRUCTOR, body={}).status == 400


def test_dynamodb_calls(room, dynamo_calls):
    dynamo_calls.reset()
    create()
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "TransactWriteItems": 1}  # put + audit event
    dynamo_calls.reset()
    call(GET, {"lessonId": "math-placement"}, as_user=STUDENT)
    assert dict(dynamo_calls.counts) == {"GetItem": 3}  # lesson; caller, enrollment
    dynamo_calls.reset()
    track()
    # caller, enrollment, course, the current track; the track
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "TransactWriteItems": 1}
    dynamo_calls.reset()
    track(course_id="course-2")
    # ... + the caller's enrollment in the course the track led to; the track + its history copy
    assert dict(dynamo_calls.counts) == {"GetItem": 5, "TransactWriteItems": 1}


def test_console_event(room):
    module = importlib.import_module(route(CREATE).import_path)
    answer = module.lambda_handler({"body": LESSON}, LambdaContext())
    assert answer["statusCode"] == 201 and answer["body"]["sourcedId"] == "math-placement"
