"""`make run` loads demo data only where it is absent (issue 17, point 8): restarting it (loading again)
never undoes what was changed through the API, on moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from functions.core.numeric_ids import Kind, number
from tests.conftest import call


def snapshot() -> list[str]:
    from functions.data import dynamo

    items = dynamo.client().scan(TableName="examdesk-test")["Items"]  # a test's whole-table look, not a request path
    return sorted(json.dumps(i, sort_keys=True) for i in items)


def test_loading_again_changes_nothing(table):
    from infra.local import demo_data

    demo_data.load(datetime(2026, 1, 5, tzinfo=UTC))
    first = snapshot()
    demo_data.load(datetime(2026, 1, 6, tzinfo=UTC))
    assert snapshot() == first


def test_loading_again_keeps_what_the_api_changed(table):
    from infra.local import demo_data

    demo_data.load()
    edx = {"course_id": demo_data.OPENEDX_COURSE}
    proctored, timed = (str(number(Kind.EXAM, e)) for e in ("edx-demo-proctored", "edx-demo-timed"))
    changes = {
        "maria now assists": call("put_enrollment", {"courseId": demo_data.COURSE, "userId": "maria"},
                                  as_user="ada", body={"role": "teaching_assistant"}),
        "irene now assists": call("put_enrollment", {"courseId": demo_data.COURSE, "userId": "irene"},
                                  as_user="ada", body={"role": "teaching_assistant"}),
        "maria's allowance removed": call("openedx_remove_allowance", {**edx, "exam_id": proctored}, as_user="ada",
                                          body={"user_ids": ["maria"], "allowance_type": "review_policy_exception"}),
        "kevin's attempt reset": call("openedx_reset_attempt", {**edx, "exam_id": timed, "username": "kevin"},
                                      as_user="ada"),
        "course renamed": call("update_course", {"courseId": demo_data.COURSE}, as_user="ada",
                               body={"title": "Renamed through the API"}),
    }
    for what, answer in changes.items():
        assert answer.status == 200, f"{what}: {answer.status} {answer.body}"
    changed = snapshot()

    demo_data.load()  # `make run` restarted
    demo_data.load()
    assert snapshot() == changed
    enrollments = call("list_enrollments", {"courseId": demo_data.COURSE}, as_user="ada").body
    roles = {e["userId"]: e["role"] for e in enrollments["items"]}
    assert roles["maria"] == roles["irene"] == "teaching_assistant", roles
    assert call("get_course", {"courseId": demo_data.COURSE}, as_user="ada").body["title"] == "Renamed through the API"
    attempts = call("openedx_list_exam_attempts", {**edx, "exam_id": timed}, as_user="ada").body
    assert attempts == [], attempts
