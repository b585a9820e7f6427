"""The audit trail on moto: each dialect's write leaves one event (who, what, before, after) in the same
transaction; the list route's rights, filters and pages; restoring a reset from its event."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from functions.core import audit
from functions.core.audit import Change
from functions.core.rights import Principal
from functions.core.services.sessions import session_id_for
from functions.data import keys
from functions.data.audit import audit_item
from functions.data.store import Store
from tests.conftest import call, principal_context
from tests.factories import classroom
from tests.integration.audit_helpers import SEEDED_EVENT, events, seeded_reset
from tests.integration.openedx_helpers import TIMED, edx, edx_room

COURSE = "course-1"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
EXAM = f"exam-{COURSE}"


@pytest.fixture
def room(table):
    return classroom()


def start(user: str = STUDENT, exam_id: str = EXAM) -> str:
    answer = call("examspark_start_session", {"examConfigId": exam_id}, as_user=user,
                  body={"user_id": user, "context_id": ""})
    assert answer.status in (200, 201), answer.body
    return answer.body["examSession"]["id"]


def listed(as_user: str = INSTRUCTOR, **query: str):
    return call("list_audit_events", {"courseId": COURSE}, as_user=as_user,
                query={k: [v] for k, v in query.items()})


def test_examspark_start_and_submit_are_recorded_with_who_and_before_after(room):
    sid = start()
    answer = call("examspark_set_responses", {"sessionId": sid}, as_user=STUDENT,
                  body={"submitForScoring": True, "responses": []})
    assert answer.status == 200, answer.body
    submit, begin = events(COURSE)[:2]
    assert (begin["action"], begin["actorKind"], begin["actorId"], begin["objectIds"]) == (
        "session.start", "user", STUDENT, [sid])
    assert submit["action"] == "session.submit"
    change = submit["changes"][0]
    assert json.loads(change["before"])["version"] == 1 and json.loads(change["after"])["version"] == 2
    assert "version" in change["fields"] and "attempts" in change["fields"]


def test_examspark_reset_by_an_integration_key_names_the_key(room):
    sid = start()
    key = principal_context("key", "integration-7", courses=COURSE, rights="course:view,attempt:manage")
    assert call("examspark_reset", {"sessionId": sid}, authorizer=key).status == 200
    reset = events(COURSE, action="session.reset")[0]
    assert (reset["actorKind"], reset["actorId"]) == ("key", "integration-7")


def test_authoring_and_canvas_writes_are_recorded(room):
    assert call("update_exam", {"examId": EXAM}, as_user=INSTRUCTOR, body={"title": "Midterm"}).status == 200
    update = events(COURSE, action="exam.update")[0]
    assert json.loads(update["changes"][0]["before"])["title"] != "Midterm"
    assert json.loads(update["changes"][0]["after"])["title"] == "Midterm"
    answer = call("canvas_quiz_extensions", {"course_id": COURSE, "quiz_id": EXAM}, as_user=INSTRUCTOR,
                  body={"quiz_extensions": [{"user_id": STUDENT, "extra_attempts": 2}]})
    assert answer.status == 200, answer.body
    grant = events(COURSE, action="extension.grant")[0]
    change = grant["changes"][0]
    assert change["type"] == "extension" and change.get("before") is None
    assert json.loads(change["after"])["extra_attempts"] == 2


def test_learningstudio_reset_points_to_its_restorable_record_and_restores_from_the_event(room):
    sid = start()
    path = {"userId": STUDENT, "courseId": COURSE, "examId": EXAM}
    assert call("learningstudio_reset_exam", path, as_user=INSTRUCTOR).status == 200
    event = events(COURSE, action="session.remove")[0]
    assert event["restorable"][0]["sessionId"] == sid and event["changes"][0].get("after") is None
    restored = call("restore_audit_event", {"courseId": COURSE, "eventId": event["eventId"]}, as_user=INSTRUCTOR)
    assert restored.status == 200, restored.body
    assert restored.body["restored"][0]["sessionId"] == sid
    assert events(COURSE)[0]["action"] == "session.restore"
    again = call("restore_audit_event", {"courseId": COURSE, "eventId": event["eventId"]}, as_user=INSTRUCTOR)
    assert again.status == 409  # restored already: nothing written twice


def test_openedx_reset_is_restored_from_its_event(table):
    edx_room()
    sids = [start(STUDENT, TIMED)]
    assert edx("reset_attempt", exam_id=TIMED, path={"username": STUDENT}).status == 200
    event = events(COURSE, action="session.remove")[0]
    assert [r["sessionId"] for r in event["restorable"]] == sids
    assert call("examspark_get_session", {"sessionId": sids[0]}, as_user=STUDENT).status == 404
    answer = call("restore_audit_event", {"courseId": COURSE, "eventId": event["eventId"]}, as_user=INSTRUCTOR)
    assert answer.status == 200, answer.body
    assert call("examspark_get_session", {"sessionId": sids[0]}, as_user=STUDENT).status == 200


def test_openedx_proctoring_settings_change_is_recorded_without_the_email(table):
    edx_room()
    answer = edx("update_proctoring_settings", body={"proctoring_escalation_email": "proctor@example.com",
                                                     "enable_proctored_exams": True})
    assert answer.status == 200, answer.body
    event = events(COURSE, action="proctoring.update")[0]
    assert "proctor@example.com" not in json.dumps(event)
    assert event["changes"][0]["fields"] == ["enable_proctored_exams", "proctoring_escalation_email"]


def test_an_event_that_removed_nothing_cannot_be_restored(room):
    start()
    event = events(COURSE)[0]
    answer = call("restore_audit_event", {"courseId": COURSE, "eventId": event["eventId"]}, as_user=INSTRUCTOR)
    assert answer.status == 409


def test_list_rights_filters_and_pages(room, dynamo_calls):
    seeded_reset(COURSE, EXAM, OTHER, INSTRUCTOR)
    sid = start()
    assert listed(as_user=STUDENT).status == 403 and listed(as_user=TA).status == 403
    assert listed(as_user="instructor-course-2").status == 404
    everything = listed(limit="100").body["items"]
    assert [e["action"] for e in everything] == ["session.start", "session.remove"]
    assert everything[1]["id"] == SEEDED_EVENT and everything[1]["restorable"][0]["kind"] == "session-removal"
    assert everything[0]["actor"] == {"kind": "user", "id": STUDENT, "operator": None}
    assert [e["objectIds"] for e in listed(objectId=sid).body["items"]] == [[sid]]
    assert [e["action"] for e in listed(action="session.remove").body["items"]] == ["session.remove"]
    first = listed(limit="1")
    assert first.status == 200 and len(first.body["items"]) == 1 and first.body["nextToken"]
    dynamo_calls.reset()
    second = listed(limit="1", nextToken=first.body["nextToken"])
    assert second.body["items"][0]["id"] == SEEDED_EVENT
    # A base-table token is checked unread; one Query per shard of the course's events.
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": keys.AUDIT_SHARDS}


def test_a_courses_events_spread_over_its_shards_and_page_newest_first_filtered_or_not(room, dynamo_calls):
    """Events land in one shard each (named by the event id alone); pages merge every shard in time order, each
    page costs one Query per shard whatever the course holds, and a filtered page may be short but goes on."""
    store, principal = Store(), Principal("user", INSTRUCTOR)
    ids = [f"20250101T0000{n:02d}.000000Z-{n:012x}" for n in range(40)]
    for n, event_id in enumerate(ids):
        event = audit.event(principal, datetime.now(UTC), "exam.update" if n % 3 else "exam.create", COURSE,
                            [Change("exam", f"obj-{n % 5}", None, {"n": n})])
        store.put(audit_item(replace(event, event_id=event_id)))
    assert len({keys.audit_event_key(COURSE, e)["id"] for e in ids}) > keys.AUDIT_SHARDS // 2
    newest_first = list(reversed(ids))
    for query, expected in [({}, newest_first),
                            ({"action": "exam.create"}, [e for n, e in enumerate(ids) if n % 3 == 0][::-1]),
                            ({"objectId": "obj-2"}, [e for n, e in enumerate(ids) if n % 5 == 2][::-1])]:
        seen: list[str] = []
        token: str | None = None
        for _ in range(60):
            dynamo_calls.reset()
            page = listed(limit="7", **query, **({"nextToken": token} if token else {}))
            assert page.status == 200, page.body
            assert dynamo_calls.counts["Query"] == keys.AUDIT_SHARDS
            if not query:
                assert len(page.body["items"]) == 7 or not page.body["nextToken"]  # unfiltered pages are full
            seen += [e["id"] for e in page.body["items"]]
            token = page.body["nextToken"]
            if not token:
                break
        assert seen == expected, query


def test_a_token_naming_one_shard_is_400(room):
    shard = keys.audit_event_key(COURSE, SEEDED_EVENT)["id"]
    forged = base64.b64encode(json.dumps([f"id={shard}|sk=event#{SEEDED_EVENT}"]).encode()).decode()
    answer = listed(nextToken=forged)
    assert answer.status == 400 and answer.body["error"]["field"].endswith("nextToken"), answer.body


@pytest.mark.parametrize("token", [
    "garbled!",
    base64.b64encode(json.dumps(["id=audit#course-2|sk=event#x"]).encode()).decode(),  # another course's
    base64.b64encode(json.dumps([f"id={EXAM}|sk=exam#v0"]).encode()).decode(),
])
def test_a_forged_token_is_400(room, token):
    answer = listed(nextToken=token)
    assert answer.status == 400 and answer.body["error"]["field"].endswith("nextToken"), answer.body


@pytest.mark.parametrize("limit", ["0", "101"])
def test_page_size_is_bounded(room, limit):
    assert listed(limit=limit).status == 400


def test_every_write_route_of_a_session_leaves_exactly_one_event_per_transaction(room, dynamo_calls):
    before = len(events(COURSE))
    sid = start()
    call("examspark_set_responses", {"sessionId": sid}, as_user=STUDENT, body={"responses": []})
    assert len(events(COURSE)) == before + 2
    assert session_id_for(EXAM, STUDENT) == sid


def test_restore_from_an_event_costs_what_the_data_model_says_and_refuses_unknown_or_foreign_ids(room,
                                                                                                  dynamo_calls):
    start()
    assert call("learningstudio_reset_exam", {"userId": STUDENT, "courseId": COURSE, "examId": EXAM},
                as_user=INSTRUCTOR).status == 200
    event_id = events(COURSE, action="session.remove")[0]["eventId"]
    before = len(events(COURSE))
    for path, as_user, status in [
        ({"courseId": COURSE, "eventId": "no-such-event"}, INSTRUCTOR, 400),  # not an event id's shape
        ({"courseId": COURSE, "eventId": "20260101T000000.000000Z-0123456789ab"}, INSTRUCTOR, 404),
        ({"courseId": "course-2", "eventId": event_id}, "instructor-course-2", 404),  # not that course's event
        ({"courseId": COURSE, "eventId": event_id}, STUDENT, 403),
        ({"courseId": COURSE, "eventId": event_id}, TA, 403),
    ]:
        answer = call("restore_audit_event", path, as_user=as_user)
        assert answer.status == status, (path, as_user, answer.body)
    assert len(events(COURSE)) == before  # refusals wrote nothing
    dynamo_calls.reset()
    assert call("restore_audit_event", {"courseId": COURSE, "eventId": event_id}, as_user=INSTRUCTOR).status == 200
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "Query": 1, "TransactWriteItems": 1}  # docs/data-model.md
