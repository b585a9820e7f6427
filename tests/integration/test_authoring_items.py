"""Objectives and items through the authoring routes: structure rules, alignments, keys, versions, pools."""

from __future__ import annotations

import copy

import pytest

from functions.data import keys
from functions.data.exams import ExamRepository
from functions.data.writers import seed
from tests.conftest import call
from tests.factories import exam, item
from tests.integration.test_authoring_support import (
    ADMIN,
    INSTRUCTOR,
    ITEM_BODY,
    OUTSIDER,
    STUDENT,
    TA,
    snapshot,
)
from tests.integration.test_authoring_support import world as _world

world = _world  # the shared fixture


def options(n: int, keyed: int = 0) -> list[dict]:
    return [{"content": f"option {i}", "isKey": i == keyed} for i in range(n)]


def create(body: dict, course_id: str = "course-1"):
    return call("create_item", {"courseId": course_id}, as_user=INSTRUCTOR, body=body)


# --- objectives ----------------------------------------------------------------------------------


def test_objectives(world):
    made = call("create_objective", {"courseId": "course-1"}, as_user=INSTRUCTOR,
                body={"id": "obj-fr", "text": "Add fractions", "abbreviation": "FR"})
    assert made.status == 201
    assert made.body == {"id": "obj-fr", "courseId": "course-1", "text": "Add fractions", "abbreviation": "FR"}
    before = snapshot()
    again = call("create_objective", {"courseId": "course-1"}, as_user=INSTRUCTOR,
                 body={"id": "obj-fr", "text": "Again", "abbreviation": "FR"})
    assert again.status == 409
    long = call("create_objective", {"courseId": "course-1"}, as_user=INSTRUCTOR,
                body={"text": "x" * 2001, "abbreviation": "FR"})
    assert long.status == 400 and long.body["error"]["field"] == "text"
    assert call("create_objective", {"courseId": "nope"}, as_user=ADMIN,
                body={"text": "t", "abbreviation": "a"}).status == 404
    assert snapshot() == before


# --- items ---------------------------------------------------------------------------------------


def test_create_keeps_given_ids_and_makes_the_others(world):
    answer = create(ITEM_BODY)
    assert answer.status == 201, answer.body
    question = answer.body["questions"][0]
    assert question["id"] == "q1" and question["interactionType"] == "choice"
    assert all(o["id"] for o in question["options"]) and question["options"][0]["isKey"] is True
    assert answer.body["version"] == 1 and answer.body["alignmentIds"] == ["obj-course-1"]
    assert call("get_item", {"itemId": answer.body["id"]}, as_user=TA).body == answer.body


def with_questions(questions: list[dict]) -> dict:
    return {**ITEM_BODY, "questions": questions}


@pytest.mark.parametrize("body,field,status", [
    (with_questions([]), "questions", 400),
    (with_questions([{"options": options(2)}] * 21), "questions", 400),
    (with_questions([{"options": options(1)}]), "questions.0.options", 400),
    (with_questions([{"options": options(21)}]), "questions.0.options", 400),
    (with_questions([{"options": options(3, keyed=-1)}]), "questions.0.options", 400),
    (with_questions([{"id": "q", "options": options(2)}, {"id": "q", "options": options(2)}]), "questions.id", 400),
    (with_questions([{"options": [{"id": "o", "content": "a", "isKey": True}, {"id": "o", "content": "b"}]}]),
     "questions.0.options.id", 400),
    (with_questions([{"interactionType": "essay", "options": options(2)}]), "questions.0.interactionType", 400),
    (with_questions([{"options": [{"content": "", "isKey": True}, {"content": "b"}]}]),
     "questions.0.options.0.content", 400),
    ({**ITEM_BODY, "alignmentIds": ["obj-course-1", "obj-course-1"]}, "alignmentIds", 400),
    ({**ITEM_BODY, "alignmentIds": [f"o{n}" for n in range(21)]}, "alignmentIds", 400),
    ({**ITEM_BODY, "name": ""}, "name", 400),
    # 2 MB: over RouteApp's 256 KB body limit (functions/platform/request_limits.py), refused before parsing
    (with_questions([{"options": [{"content": "x" * 5000, "isKey": True}] * 20}] * 20), "body", 413),
])
def test_invalid_items_are_refused_naming_the_field(world, body, field, status):
    before = snapshot()
    answer = create(body)
    assert answer.status == status, answer.body
    assert answer.body["error"]["field"] == field
    assert snapshot() == before


def test_alignments_must_be_objectives_of_this_course(world, dynamo_calls):
    before = snapshot()
    dynamo_calls.reset()
    answer = create({**ITEM_BODY, "alignmentIds": ["obj-course-1", "obj-course-2", "ghost"]})
    assert answer.status == 400 and answer.body["error"]["field"] == "alignmentIds"
    assert "obj-course-2" in answer.body["error"]["message"] and "ghost" in answer.body["error"]["message"]
    assert dynamo_calls.counts["BatchGetItem"] == 1
    assert snapshot() == before


def test_students_never_read_items_and_other_courses_see_nothing(world):
    assert call("get_item", {"itemId": "item-course-1-0"}, as_user=STUDENT).status == 403
    foreign = call("get_item", {"itemId": "item-course-1-0"}, as_user=OUTSIDER)
    assert foreign.status == 404 and "isKey" not in str(foreign.body)
    assert call("get_item", {"itemId": "ghost"}, as_user=TA).status == 404


def test_update_replaces_questions_and_keeps_history(world, dynamo_calls):
    new_questions = [{"id": "q9", "options": options(3, keyed=1)}]
    dynamo_calls.reset()
    answer = call("update_item", {"itemId": "item-course-1-0"}, as_user=INSTRUCTOR,
                  body={"questions": new_questions, "alignmentIds": [], "version": 1})
    assert answer.status == 200, answer.body
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "TransactWriteItems": 1}  # no alignments to read
    assert [q["id"] for q in answer.body["questions"]] == ["q9"] and answer.body["version"] == 2
    assert answer.body["name"] == "Item item-course-1-0" and answer.body["alignmentIds"] == []
    store = ExamRepository().store
    assert store.get(keys.item_key("item-course-1-0", 1))["questions"][0]["id"] == "item-course-1-0-q"
    assert store.get(keys.item_key("item-course-1-0", 2))["version"] == 2


def test_changing_alignments_reads_the_objectives_once(world, dynamo_calls):
    call("create_objective", {"courseId": "course-1"}, as_user=INSTRUCTOR,
         body={"id": "obj-2", "text": "t", "abbreviation": "T"})
    dynamo_calls.reset()
    answer = call("update_item", {"itemId": "item-course-1-0"}, as_user=INSTRUCTOR,
                  body={"alignmentIds": ["obj-course-1", "obj-2"]})
    assert answer.status == 200 and answer.body["alignmentIds"] == ["obj-course-1", "obj-2"]
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "TransactWriteItems": 1}


def test_update_refusals_write_nothing(world, monkeypatch):
    path = {"itemId": "item-course-1-0"}
    before = snapshot()
    for body, status in [({"version": 2}, 409), ({"alignmentIds": ["obj-course-2"]}, 400),
                         ({"questions": [{"options": options(2, keyed=-1)}]}, 400), ({"name": None}, 400),
                         ({"courseId": "course-2"}, 400)]:
        answer = call("update_item", path, as_user=INSTRUCTOR, body=body)
        assert answer.status == status, (body, answer.body)
    stale = ExamRepository().get_item("item-course-1-0")
    assert stale is not None
    raced = copy.deepcopy(stale)
    raced.version = 2
    seed("item", raced)  # someone else saved version 2 meanwhile
    before = snapshot()
    monkeypatch.setattr(ExamRepository, "get_item", lambda self, item_id: stale)
    answer = call("update_item", path, as_user=INSTRUCTOR, body={"name": "Mine"})
    assert answer.status == 409 and snapshot() == before


def test_list_items_pages_through_the_pool_in_order(world):
    pool = [item(f"p{n}", "course-1").id for n in range(5)]
    exam("big", "course-1", pool)
    first = call("list_items", {"examId": "big"}, as_user=INSTRUCTOR, query={"limit": ["3"]})
    assert [i["id"] for i in first.body["items"]] == pool[:3]
    rest = call("list_items", {"examId": "big"}, as_user=INSTRUCTOR,
                query={"limit": ["3"], "nextToken": [first.body["nextToken"]]})
    assert [i["id"] for i in rest.body["items"]] == pool[3:] and rest.body["nextToken"] is None
    other_pool = call("list_items", {"examId": "exam-course-1"}, as_user=INSTRUCTOR,
                      query={"nextToken": [first.body["nextToken"]]})
    assert other_pool.status == 400  # a token from another exam's pool


def test_an_exam_without_a_pool_lists_nothing_without_reading_items(world, dynamo_calls):
    exam("empty", "course-1", [])
    dynamo_calls.reset()
    answer = call("list_items", {"examId": "empty"}, as_user=INSTRUCTOR)
    assert answer.body == {"items": [], "nextToken": None}
    assert dict(dynamo_calls.counts) == {"GetItem": 3}
