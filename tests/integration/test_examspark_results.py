"""GET /api/exam-session/{sessionId}/results on moto: content, what a student may see and when, rights, cost."""

from __future__ import annotations

import importlib

import pytest

from functions.data.exams import ExamRepository
from functions.data.writers import seed
from functions.routes import route
from tests.conftest import LambdaContext, call
from tests.factories import classroom
from tests.integration.examspark_helpers import (
    COURSE,
    EXAM,
    OTHER,
    STUDENT,
    TA,
    choice,
    key,
    respond,
    start,
    submit_all,
)

RESULTS = "examspark_get_results"


@pytest.fixture
def room(table):
    return classroom()


def results(sid, as_user=STUDENT, authorizer=None):
    return call(RESULTS, {"sessionId": sid}, as_user=as_user, authorizer=authorizer)


def test_results_after_submit(room):
    sid = start()
    first, second, third = room["items"]
    respond(sid, [choice(first, 2), choice(second, 1), choice(third, 2)], True)
    answer = results(sid)
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["examConfig"] == {"id": EXAM} and body["examSession"]["examId"] == EXAM
    assert body["examSession"]["maturity"] == "COMPLETE" and body["examSession"]["scoreActual"] == 66.67
    by_id = {i["id"]: i for i in body["results"]["items"]}
    assert set(by_id) == set(room["items"])
    assert by_id[second]["score"] == {"actual": 0, "isScorable": True, "min": 0, "max": 1}
    question = by_id[second]["questions"][0]
    assert question["keys"] == [{"value": f"{second}-o2", "index": 2}]
    assert [o["isKey"] for o in question["options"]] == [False, False, True, False]
    assert question["options"][1] == {"id": f"{second}-o1", "content": "<p>option 1</p>", "isKey": False,
                                      "index": 1}
    assert question["response"] == {"options": [{"index": 1}]} and question["interactionType"] == "choice"
    objective = body["results"]["objectives"][f"obj-{COURSE}"]
    assert (objective["text"], objective["abbreviation"]) == (f"objective obj-{COURSE}", f"OBJ-{COURSE.upper()}")
    assert objective["score"]["actual"] == 2 and len(objective["scores"]) == 3
    assert body["results"]["points"] == {"actual": 2, "isScorable": True, "min": 0, "max": 3}


def test_a_student_sees_results_only_once_complete_staff_any_time(room):
    sid = start()
    respond(sid, [choice(room["items"][0], 2)])
    early = results(sid)
    assert early.status == 409 and "IN_PROGRESS" in early.body["error"]["message"]
    assert "isKey" not in str(early.body)
    staff = results(sid, as_user=TA)
    assert staff.status == 200 and staff.body["results"]["points"] is None
    assert {i["id"]: i["score"] for i in staff.body["results"]["items"]}[room["items"][0]] is None
    assert staff.body["results"]["items"][0]["questions"][0]["keys"]  # staff see the keys
    submit_all(sid, room["items"], right=3)
    assert results(sid).status == 200


def test_exams_that_hide_scores_keep_them_and_the_keys_from_the_student(room):
    exam = ExamRepository().get_exam(EXAM)
    assert exam is not None
    seed("exam", exam.model_copy(update={"show_score_on_complete": False, "version": 2}))
    sid = start()
    submitted = submit_all(sid, room["items"], right=2)
    assert submitted.body["examSession"]["scoreActual"] is None and submitted.body["examSession"]["results"] is None
    refused = results(sid)
    assert refused.status == 403 and "does not show scores" in refused.body["error"]["message"]
    got = call("examspark_get_session", {"sessionId": sid}, as_user=STUDENT, query={"include[]": ["results"]})
    assert got.body["examSession"]["scoreActual"] is None and got.body["examSession"]["results"] is None
    staff = results(sid, as_user=TA)
    assert staff.status == 200 and staff.body["examSession"]["scoreActual"] == 66.67


def test_rights(room):
    sid = start()
    submit_all(sid, room["items"], right=1)
    assert results(sid, as_user=None).status == 401
    other = results(sid, as_user=OTHER)
    assert other.status == 404 and "isKey" not in str(other.body)
    assert results(sid, as_user=None, authorizer=key(courses="course-2")).status == 404
    assert results(sid, as_user=None, authorizer=key(rights="course:view")).status == 200
    assert results("no-such-session").status == 404


def test_dynamodb_calls(room, dynamo_calls):
    sid = start()
    submit_all(sid, room["items"], right=1)
    dynamo_calls.reset()
    assert results(sid).status == 200
    # session, user + enrollment, exam; the drawn items; their objectives
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "BatchGetItem": 2}


def test_console_event(room):
    sid = start()
    submit_all(sid, room["items"], right=3)
    module = importlib.import_module(route(RESULTS).import_path)
    answer = module.lambda_handler({"sessionId": sid}, LambdaContext())
    assert answer["statusCode"] == 200 and answer["body"]["examSession"]["scoreActual"] == 100
    assert answer["summary"].startswith("Get an exam session's results")
