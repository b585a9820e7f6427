"""Exams through the authoring routes: validation, what students see, versions and concurrent changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.data import keys
from functions.data.exams import ExamRepository
from tests.conftest import call
from tests.factories import exam
from tests.integration.test_authoring_support import (
    INSTRUCTOR,
    OUTSIDER,
    STUDENT,
    TA,
    snapshot,
)
from tests.integration.test_authoring_support import world as _world

world = _world  # the shared fixture

NOW = datetime.now(UTC)
POOL = ["item-course-1-0", "item-course-1-1", "item-course-1-2"]


def iso(delta_days: float) -> str:
    return (NOW + timedelta(days=delta_days)).isoformat()


def create(body: dict, as_user: str = INSTRUCTOR):
    return call("create_exam", {"courseId": "course-1"}, as_user=as_user, body={"title": "Quiz", **body})


def patch(body: dict, exam_id: str = "exam-course-1", as_user: str = INSTRUCTOR):
    return call("update_exam", {"examId": exam_id}, as_user=as_user, body=body)


def test_create_with_every_field(world):
    body = {"id": "final", "type": "proctored", "timeLimitMinutes": 90, "opensAt": iso(1), "dueAt": iso(2),
            "closesAt": iso(3), "maxAttempts": 2, "retakable": True, "active": True, "hideAfterDue": True,
            "scoringPolicy": "LATEST", "itemPool": POOL, "drawCount": 2, "scoreMin": 0, "scoreMax": 40.5,
            "showScoreOnComplete": False, "shuffleOptions": True}
    answer = create(body)
    assert answer.status == 201, answer.body
    assert {k: answer.body[k] for k in ("id", "courseId", "version", "scoreMax", "itemPool")} == {
        "id": "final", "courseId": "course-1", "version": 1, "scoreMax": 40.5, "itemPool": POOL}
    assert datetime.fromisoformat(answer.body["dueAt"]) == datetime.fromisoformat(body["dueAt"])
    assert call("get_exam", {"examId": "final"}, as_user=TA).body == answer.body


@pytest.mark.parametrize("body,field", [
    ({"opensAt": iso(2), "dueAt": iso(1)}, "dueAt"),
    ({"dueAt": iso(3), "closesAt": iso(2)}, "closesAt"),
    ({"opensAt": iso(3), "closesAt": iso(2)}, "closesAt"),
    ({"opensAt": "2030-01-01T10:00:00"}, "opensAt"),  # no UTC offset
    ({"timeLimitMinutes": 0}, "timeLimitMinutes"),
    ({"timeLimitMinutes": 10081}, "timeLimitMinutes"),
    ({"maxAttempts": 0}, "maxAttempts"),
    ({"maxAttempts": 101}, "maxAttempts"),
    ({"itemPool": POOL, "drawCount": 4}, "drawCount"),
    ({"drawCount": 1}, "drawCount"),  # an empty pool draws nothing
    ({"itemPool": ["item-course-1-0", "item-course-1-0"]}, "itemPool"),
    ({"scoreMin": 10, "scoreMax": 10}, "scoreMax"),
    ({"type": "oral"}, "type"),
    ({"scoringPolicy": "BEST"}, "scoringPolicy"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"itemPool": [f"i{n}" for n in range(101)]}, "itemPool"),
])
def test_invalid_exams_are_400_naming_the_field_and_write_nothing(world, body, field):
    before = snapshot()
    answer = create(body)
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"].startswith(field)
    assert snapshot() == before


def test_pool_items_must_exist_in_this_course(world, dynamo_calls):
    before = snapshot()
    dynamo_calls.reset()
    answer = create({"itemPool": ["item-course-1-0", "item-course-2-0", "ghost"]})
    assert answer.status == 400 and answer.body["error"]["field"] == "itemPool"
    assert "item-course-2-0" in answer.body["error"]["message"] and "ghost" in answer.body["error"]["message"]
    assert "item-course-1-0" not in answer.body["error"]["message"]
    assert dynamo_calls.counts["BatchGetItem"] == 1
    assert snapshot() == before


def test_a_taken_exam_id_is_409(world):
    before = snapshot()
    assert create({"id": "exam-course-1"}).status == 409
    assert create({"id": "exam-course-2"}).status == 409  # ids are global, whichever course holds it
    assert snapshot() == before


def test_creating_in_a_missing_course_is_404(world):
    from tests.integration.test_authoring_support import ADMIN

    before = snapshot()
    assert call("create_exam", {"courseId": "nope"}, as_user=ADMIN, body={"title": "x"}).status == 404
    assert snapshot() == before


def test_students_see_active_unhidden_exams_without_their_pools(world):
    exam("inactive", "course-1", POOL, active=False)
    exam("hidden-past-due", "course-1", POOL, hide_after_due=True, due_at=NOW - timedelta(hours=1))
    exam("hidden-later", "course-1", POOL, hide_after_due=True, due_at=NOW + timedelta(hours=1))
    exam("shown-past-due", "course-1", POOL, due_at=NOW - timedelta(hours=1))
    student = call("list_exams", {"courseId": "course-1"}, as_user=STUDENT).body["items"]
    assert sorted(e["id"] for e in student) == ["exam-course-1", "hidden-later", "shown-past-due"]
    assert all(e["itemPool"] is None for e in student)
    staff = call("list_exams", {"courseId": "course-1"}, as_user=TA).body["items"]
    assert len(staff) == 5 and all(e["itemPool"] == POOL for e in staff)
    for hidden in ("inactive", "hidden-past-due"):
        assert call("get_exam", {"examId": hidden}, as_user=STUDENT).status == 404
        assert call("get_exam", {"examId": hidden}, as_user=TA).status == 200
    assert call("get_exam", {"examId": "hidden-later"}, as_user=STUDENT).body["itemPool"] is None


def test_another_courses_exam_is_not_confirmed(world):
    foreign = call("get_exam", {"examId": "exam-course-1"}, as_user=OUTSIDER)
    missing = call("get_exam", {"examId": "no-such-exam"}, as_user=OUTSIDER)
    assert foreign.status == missing.status == 404
    assert foreign.body["error"]["message"].replace("exam-course-1", "X") == \
        missing.body["error"]["message"].replace("no-such-exam", "X")
    assert "itemPool" not in str(foreign.body)


def test_update_writes_the_next_version_and_its_history(world):
    answer = patch({"timeLimitMinutes": None, "dueAt": iso(2), "version": 1})
    assert answer.status == 200 and answer.body["version"] == 2
    assert answer.body["timeLimitMinutes"] is None and answer.body["title"] == "Exam exam-course-1"
    store = ExamRepository().store
    assert store.get(keys.exam_key("exam-course-1", 2))["version"] == 2
    assert store.get(keys.exam_key("exam-course-1", 1))["time_limit_minutes"] == 60
    assert store.get(keys.exam_key("exam-course-1"))["version"] == 2
    assert patch({"title": "Third"}).body["version"] == 3  # version is optional


def test_update_checks_the_merged_exam(world):
    before = snapshot()
    assert patch({"dueAt": iso(30)}).body["error"]["field"] == "closesAt"  # closes in 7 days
    assert patch({"drawCount": 4}).body["error"]["field"] == "drawCount"
    assert patch({"title": None}).body["error"]["field"] == "title"
    assert patch({"itemPool": ["item-course-2-0"]}).body["error"]["field"] == "itemPool"
    assert patch({"courseId": "course-2"}).status == 400  # not a patchable field
    assert snapshot() == before


def test_a_stale_version_is_409_and_writes_nothing(world):
    assert patch({"title": "Second", "version": 1}).status == 200
    before = snapshot()
    stale = patch({"title": "Lost update", "version": 1})
    assert stale.status == 409 and "version 2" in stale.body["error"]["message"]
    assert snapshot() == before


def test_a_concurrent_change_between_read_and_write_is_409(world, monkeypatch):
    stale = ExamRepository().get_exam("exam-course-1")
    assert patch({"title": "Someone else"}).status == 200
    monkeypatch.setattr(ExamRepository, "get_exam", lambda self, exam_id: stale)
    before = snapshot()
    answer = patch({"title": "Mine"})
    assert answer.status == 409 and answer.body["error"]["code"] == "concurrent_update"
    assert snapshot() == before


def test_changing_the_pool_reads_the_new_pool_once(world, dynamo_calls):
    dynamo_calls.reset()
    answer = patch({"itemPool": POOL[:2], "drawCount": 2})
    assert answer.status == 200 and answer.body["itemPool"] == POOL[:2]
    assert dict(dynamo_calls.counts) == {"GetItem": 3, "BatchGetItem": 1, "TransactWriteItems": 1}


def test_list_exams_for_an_admin_of_a_course_without_exams(world):
    from tests.integration.test_authoring_support import ADMIN

    assert call("list_exams", {"courseId": "nope"}, as_user=ADMIN).body == {"items": [], "nextToken": None}
