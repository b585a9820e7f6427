"""Open edX allowances on moto: grant / update / delete / 400 / 404 with per-user results, bulk, the course
list with search and pages, one domain with ExamSpark and Canvas, denials, DynamoDB calls."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pytest

from functions.core.services.allowances import MAX_PAIRS, max_pairs
from functions.data.extensions import ExtensionRepository
from functions.data.keys import LIST_SHARDS
from infra.local import openapi
from tests.conftest import call
from tests.factories import enroll, exam, user
from tests.integration.openedx_helpers import (
    COURSE,
    FOREIGN,
    INSTRUCTOR,
    OTHER,
    OTHER_COURSE,
    PRACTICE,
    PROCTORED,
    STANDARD,
    STUDENT,
    TA,
    TIMED,
    edx,
    edx_room,
    grant,
    item_count,
    num,
    start,
    user_num,
)

ADD, MULT, REVIEW = "additional_time_granted", "time_multiplier", "review_policy_exception"


@pytest.fixture
def room(table):
    return edx_room()


def stored(exam_id: str = PROCTORED, user_id: str = STUDENT):  # type: ignore[no-untyped-def]
    return ExtensionRepository().get_extension(exam_id, user_id)


def remove(exam_id: str, users: list, kind: str = ADD, as_user: str | None = INSTRUCTOR):  # type: ignore[no-untyped-def]
    return edx("remove_allowance", exam_id=exam_id, as_user=as_user,
               body={"user_ids": users, "allowance_type": kind})


def bulk(exams: list, users: list, kind: str = ADD, value: object = "30", as_user: str | None = INSTRUCTOR):  # type: ignore[no-untyped-def]
    return edx("bulk_create_allowances", as_user=as_user,
               body={"exam_ids": exams, "user_ids": users, "allowance_type": kind, "value": value})


def listed(**query: str) -> dict:
    answer = edx("list_course_allowances", query={k: [v] for k, v in query.items()})
    assert answer.status == 200, answer.body
    return dict(answer.body)


# --- grant -----------------------------------------------------------------------------------------------
def test_grant_answers_per_user_and_by_username_or_email(room):
    answer = grant(PROCTORED, [STUDENT, f"{OTHER}@example.edu"])
    assert answer.status == 200
    assert answer.body["success"] is True and answer.body["allowance_type"] == ADD
    assert [(r["identifier"], r["success"]) for r in answer.body["results"]] == [
        (STUDENT, True), (f"{OTHER}@example.edu", True)]
    assert stored().extra_time_minutes == 30 and stored(user_id=OTHER).extra_time_minutes == 30
    assert stored().updated_by == INSTRUCTOR


def test_grant_is_an_upsert_per_user_exam_and_key(room):
    grant(PROCTORED, [STUDENT], value="30")
    updated = grant(PROCTORED, [STUDENT], value="60")
    assert updated.status == 200 and updated.body["results"][0]["success"] is True
    grant(PROCTORED, [STUDENT], REVIEW, "Learner may use a scribe")
    ext = stored()
    assert (ext.extra_time_minutes, ext.review_policy_exception) == (60, "Learner may use a scribe")
    history = ExtensionRepository().history(PROCTORED, STUDENT)
    assert [h["extra_time_minutes"] for h in history][-1] == 30  # the replaced values stay restorable
    rows = listed(search=STUDENT)["results"]
    assert sorted((r["key"], r["value"]) for r in rows) == [(ADD, "60"), (REVIEW, "Learner may use a scribe")]


def test_some_users_fail_and_the_rest_is_written(room):
    answer = grant(PROCTORED, [STUDENT, "nobody", TA])
    assert answer.status == 200 and answer.body["success"] is False
    results = {r["identifier"]: r for r in answer.body["results"]}
    assert results[STUDENT]["success"] is True
    assert results["nobody"]["success"] is False and "nobody" in results["nobody"]["error"]
    assert results[TA]["success"] is False and "not a student" in results[TA]["error"]
    assert stored() is not None and stored(user_id=TA) is None


@pytest.mark.parametrize("body,field", [
    ({"user_ids": [STUDENT]}, "allowance_type"),
    ({"user_ids": [STUDENT], "allowance_type": ADD}, "value"),
    ({"allowance_type": ADD, "value": "30"}, "user_ids"),
    ({"user_ids": STUDENT, "allowance_type": ADD, "value": "30"}, "user_ids"),
    ({"user_ids": [STUDENT], "allowance_type": ADD, "value": True}, "value"),
    ({"user_ids": [STUDENT], "allowance_type": ADD, "value": 45}, "value"),  # the spec's value is a string
    ('{"user_ids": [', "body"),
])
def test_malformed_grants_are_400_and_write_nothing(room, body, field):
    """A body the spec's schema does not allow (a missing field, a wrong type, broken JSON)."""
    before = item_count()
    answer = edx("grant_allowance", exam_id=PROCTORED, body=body)
    assert answer.status == 400, answer.body
    assert field in answer.body["message"] and answer.body["status_code"] == 400
    assert item_count() == before


@pytest.mark.parametrize("body,field", [
    ({"user_ids": [], "allowance_type": ADD, "value": "30"}, "user_ids"),
    ({"user_ids": [STUDENT], "allowance_type": "extra_attempts", "value": "3"}, "allowance_type"),
    ({"user_ids": [STUDENT], "allowance_type": "", "value": "3"}, "allowance_type"),
    ({"user_ids": [STUDENT], "allowance_type": ADD, "value": "-5"}, "value"),
    ({"user_ids": [STUDENT], "allowance_type": ADD, "value": "forever"}, "value"),
    ({"user_ids": [STUDENT], "allowance_type": MULT, "value": "0.5"}, "value"),
    ({"user_ids": [STUDENT], "allowance_type": REVIEW, "value": ""}, "value"),
    ({"user_ids": [f"u{n}" for n in range(51)], "allowance_type": ADD, "value": "5"}, "user_ids"),
    ({"user_ids": [""], "allowance_type": ADD, "value": "5"}, "user_ids[0]"),
])
def test_grants_the_schema_allows_but_that_cannot_be_done_are_refused_in_the_spec_s_answer(room, body, field):
    """The spec's schema allows them, so they are its 200 with success false and why, not a 400; nothing is
    written."""
    before = item_count()
    answer = edx("grant_allowance", exam_id=PROCTORED, body=body)
    assert answer.status == 200, answer.body
    assert answer.body["success"] is False and answer.body["field"] == field and answer.body["results"] == []
    assert item_count() == before


def test_grant_on_an_unknown_foreign_standard_or_inactive_exam(room):
    for ref in ("99999", FOREIGN, STANDARD):
        assert grant(ref, [STUDENT]).status == 404
    assert edx("grant_allowance", path={"exam_id": "x"}, body={"user_ids": [STUDENT], "allowance_type": ADD,
                                                              "value": "5"}).status == 404
    exam("closed-one", COURSE, room["items"], type="proctored", time_limit_minutes=30, active=False)
    inactive = grant("closed-one", [STUDENT])
    assert inactive.status == 200 and inactive.body["success"] is False
    assert "not active" in inactive.body["message"] and stored("closed-one") is None


# --- remove ----------------------------------------------------------------------------------------------
def test_remove_by_username_email_or_number_keeps_history(room):
    grant(PROCTORED, [STUDENT, OTHER])
    grant(PROCTORED, [OTHER], REVIEW, "scribe")
    answer = remove(PROCTORED, [STUDENT, str(user_num(OTHER))])
    assert answer.status == 200 and answer.body["success"] is True
    assert [r["success"] for r in answer.body["results"]] == [True, True]
    assert stored() is None  # nothing left: deleted, and the value kept as history
    deleted = ExtensionRepository().history(PROCTORED, STUDENT)[0]
    assert deleted["deleted"] is True and deleted["extra_time_minutes"] == 30
    assert deleted["replaced_by"] == INSTRUCTOR
    other = stored(user_id=OTHER)
    assert other.extra_time_minutes == 0 and other.review_policy_exception == "scribe"  # the other key stays


def test_remove_reports_users_without_the_allowance(room):
    grant(PROCTORED, [STUDENT])
    answer = remove(PROCTORED, [STUDENT, OTHER, "ghost", str(10**12)], kind=REVIEW)
    assert answer.status == 200 and answer.body["success"] is False
    assert [r["success"] for r in answer.body["results"]] == [False, False, False, False]
    assert "no review_policy_exception" in answer.body["results"][0]["error"]
    assert stored().extra_time_minutes == 30


@pytest.mark.parametrize("body,field,status", [
    ({"user_ids": [STUDENT]}, "allowance_type", 400),
    ({"allowance_type": ADD}, "user_ids", 400),
    ({"user_ids": [True], "allowance_type": ADD}, "user_ids", 400),
    ({"user_ids": [STUDENT], "allowance_type": "nope"}, "allowance_type", 200),
    ({"user_ids": [], "allowance_type": ADD}, "user_ids", 200),
])
def test_bad_removals_write_nothing(room, body, field, status):
    """Malformed bodies are a 400; ones the spec's schema allows are its 200 with success false."""
    grant(PROCTORED, [STUDENT])
    before = item_count()
    answer = edx("remove_allowance", exam_id=PROCTORED, body=body)
    assert answer.status == status and field in answer.body["message"], answer.body
    assert status == 400 or answer.body["success"] is False
    assert item_count() == before


# --- bulk ------------------------------------------------------------------------------------------------
def test_bulk_answers_one_result_per_exam_and_user(room):
    answer = bulk([int(num(TIMED)), int(num(PROCTORED))], [STUDENT, OTHER])
    assert answer.status == 200
    assert (answer.body["successes"], answer.body["failures"]) == (4, 0)
    assert answer.body["allowance_type"] == ADD and answer.body["value"] == "30"
    assert len(answer.body["results"]) == 4
    assert {(d["exam_id"], d["user_id"]) for d in answer.body["data"]} == {
        (int(num(e)), u) for e in (TIMED, PROCTORED) for u in (STUDENT, OTHER)}
    assert stored(TIMED).extra_time_minutes == stored(PROCTORED, OTHER).extra_time_minutes == 30


def test_bulk_reports_exams_that_are_not_this_course_s_and_unknown_users(room):
    answer = bulk([int(num(PROCTORED)), int(num(FOREIGN)), 12345], [STUDENT, "ghost"], REVIEW, "scribe")
    assert answer.status == 200 and (answer.body["successes"], answer.body["failures"]) == (1, 5)
    failed = [r for r in answer.body["results"] if not r["success"]]
    assert {r["exam_id"] for r in failed} == {int(num(PROCTORED)), int(num(FOREIGN)), 12345}
    assert ExtensionRepository().get_extension(FOREIGN, STUDENT) is None


def test_bulk_multiplier_is_a_rule_reported_in_each_exam_s_minutes(room):
    bulk([int(num(TIMED)), int(num(PROCTORED)), int(num(PRACTICE))], [STUDENT], MULT, "1.5")
    rows = {r["proctored_exam"]["content_id"]: r for r in listed(search=STUDENT)["results"]}
    assert {k: (r["value"], r["additional_minutes"]) for k, r in rows.items()} == {
        TIMED: ("1.5", 30), PROCTORED: ("1.5", 45), PRACTICE: ("1.5", 15)}
    assert stored(TIMED).time_multiplier == 1.5


@pytest.mark.parametrize("body,field,status", [
    ({"exam_ids": [1]}, "user_ids", 400),
    ({"exam_ids": ["x"], "user_ids": [STUDENT], "allowance_type": ADD, "value": "5"}, "exam_ids", 400),
    ({"exam_ids": [], "user_ids": [STUDENT], "allowance_type": ADD, "value": "5"}, "exam_ids", 200),
    ({"exam_ids": [1], "user_ids": [STUDENT], "allowance_type": ADD, "value": "x"}, "value", 200),
    ({"exam_ids": list(range(1, 11)), "user_ids": [f"u{n}" for n in range(6)], "allowance_type": ADD,
      "value": "5"}, "at most 49", 200),
])
def test_bad_bulk_requests_write_nothing(room, body, field, status):
    """Malformed bodies are a 400; ones the spec's schema allows are its 200 with no successes."""
    before = item_count()
    answer = edx("bulk_create_allowances", body=body)
    assert answer.status == status and field in answer.body["message"], answer.body
    assert status == 400 or (answer.body["successes"], answer.body["data"]) == (0, [])
    assert item_count() == before


def test_bulk_pairs_on_exam_numbers_that_are_not_ours_fail(room):
    answer = bulk([0, -4, 10**30], [STUDENT])
    assert answer.status == 200 and (answer.body["successes"], answer.body["failures"]) == (0, 3)


# --- bounds: what the OpenAPI states is what the service accepts ----------------------------------------
def documented_pairs() -> tuple[int, Callable[[int], int], int]:
    """From the OpenAPI document: the pairs on one exam, the rule on n exams, the users of a grant's list."""
    schemas = openapi.build()["components"]["schemas"]
    text = schemas["BulkAllowanceRequest"]["properties"]["exam_ids"]["description"]
    assert text == schemas["BulkAllowanceRequest"]["properties"]["user_ids"]["description"]
    one = re.search(r"at most (\d+) pairs on one exam", text)
    rule = re.search(r"on n exams at most \((\d+) - n\) // (\d+) pairs", text)
    users = re.search(r"at most (\d+)", schemas["AllowanceRequest"]["properties"]["user_ids"]["description"])
    assert one and rule and users, text
    assert schemas["AllowanceDeleteRequest"]["properties"]["user_ids"]["description"] == \
        schemas["AllowanceRequest"]["properties"]["user_ids"]["description"]
    room_for, per_pair = int(rule[1]), int(rule[2])
    return int(one[1]), lambda n: (room_for - n) // per_pair, int(users[1])


def learners(count: int) -> list[str]:
    uids = [f"learner{n:03d}" for n in range(count)]
    for uid in uids:
        user(uid)
        enroll(COURSE, uid, "student")
    return uids


def transactions() -> tuple[list[int], Callable[[], None]]:
    """The item count of each TransactWriteItems made until the returned function is called."""
    from functions.data import dynamo

    sizes: list[int] = []

    def record(params: dict, **_: object) -> None:
        sizes.append(len(params["TransactItems"]))

    event = "provide-client-params.dynamodb.TransactWriteItems"
    dynamo.client().meta.events.register(event, record)
    return sizes, lambda: dynamo.client().meta.events.unregister(event, record)


def test_the_documented_bounds_are_the_service_s(room):
    on_one, on_n, users = documented_pairs()
    assert on_one == users == MAX_PAIRS == 49  # was 49, derived by hand; now changes.fit
    assert [on_n(n) for n in range(1, 40)] == [max_pairs(n) for n in range(1, 40)]
    assert on_n(1) == on_one


def test_a_grant_of_the_documented_most_users_is_one_full_transaction_and_one_more_is_refused(room):
    """The worst case: every user's extension changes (a history copy each) and gains a row (the counter)."""
    most = documented_pairs()[2]
    uids = learners(most + 1)
    assert grant(PROCTORED, uids[:most], REVIEW, "scribe").status == 200  # an extension each, to replace
    before = item_count()
    refused = grant(PROCTORED, uids)
    assert refused.status == 200 and refused.body["success"] is False and refused.body["field"] == "user_ids"
    assert f"at most {most}" in refused.body["message"] and item_count() == before
    sizes, stop = transactions()
    try:
        answer = grant(PROCTORED, uids[:most])
    finally:
        stop()
    assert answer.status == 200 and answer.body["success"] is True, answer.body
    assert sizes == [2 * most + 2]  # each extension and its history copy, the counter, the audit event
    assert sizes[0] <= 100 and all(stored(user_id=u).extra_time_minutes == 30 for u in uids[:most])
    assert stored(user_id=uids[most]) is None
    assert listed()["count"] == 2 * most  # the counter moved by the rows written


def test_a_bulk_grant_of_the_documented_most_pairs_on_two_exams_is_accepted_and_more_refused(room):
    exams = [int(num(TIMED)), int(num(PROCTORED))]
    most = documented_pairs()[1](len(exams))
    uids = learners(most // 2 + 1)
    assert bulk(exams, uids[:most // 2], REVIEW, "scribe").body["successes"] == most
    before = item_count()
    refused = bulk(exams, uids)
    assert refused.status == 200 and (refused.body["successes"], refused.body["data"]) == (0, []), refused.body
    assert f"and {most} on 2 exams" in refused.body["message"] and item_count() == before
    sizes, stop = transactions()
    try:
        answer = bulk(exams, uids[:most // 2])
    finally:
        stop()
    assert answer.status == 200 and answer.body["successes"] == most, answer.body
    assert sizes == [2 * most + len(exams) + 1] and sizes[0] <= 100


# --- list ------------------------------------------------------------------------------------------------
def test_list_search_and_pages(room):
    for n in range(3):
        user(f"learner{n}")
        enroll(COURSE, f"learner{n}", "student")
    grant(PROCTORED, [STUDENT, "learner0", "learner1", "learner2"])
    grant(TIMED, ["learner0"], REVIEW, "scribe")
    assert listed()["count"] == 5
    assert listed(search="LEARNER0")["count"] == 2
    assert listed(search="student-course-1@")["count"] == 1
    assert listed(search="nonexistent")["count"] == 0
    first = listed(page_size="2")
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    last = listed(page_size="2", page="3")
    assert len(last["results"]) == 1 and last["next"] is None and "page=2" in last["previous"]
    (row,) = [r for r in listed(search="learner0")["results"] if r["key"] == ADD]
    assert row["key"] == ADD and row["user"]["id"] == user_num("learner0")
    assert row["proctored_exam"]["id"] == int(num(PROCTORED))
    assert datetime.fromisoformat(row["created"]) == datetime.fromisoformat(row["modified"])
    assert listed(ordering="-username")["results"][0]["user"]["username"] == STUDENT


def test_every_ordering_reverses(room):
    user("alice")
    enroll(COURSE, "alice", "student")
    grant(PROCTORED, [STUDENT], value="30")
    grant(TIMED, ["alice"], REVIEW, "60")
    for field in ("username", "user.username", "email", "user.email"):
        up, down = listed(ordering=field)["results"], listed(ordering=f"-{field}")["results"]
        assert len(up) == 2 and up == list(reversed(down)), field
    # Orderings the store does not keep are ignored (DRF ignores unknown fields): by exam, then user.
    default = listed()["results"]
    for field in ("exam_name", "proctored_exam.exam_name", "allowance_type", "key", "value"):
        assert listed(ordering=field)["results"] == listed(ordering=f"-{field}")["results"] == default, field


def test_canvas_extra_time_is_the_same_allowance_and_standard_exams_are_left_out(room):
    answer = call("canvas_quiz_extensions", {"course_id": COURSE, "quiz_id": PROCTORED}, as_user=INSTRUCTOR,
                  body={"quiz_extensions": [{"user_id": STUDENT, "extra_time": 20, "extra_attempts": 1}]})
    assert answer.status == 200, answer.body
    call("canvas_quiz_extensions", {"course_id": COURSE, "quiz_id": STANDARD}, as_user=INSTRUCTOR,
         body={"quiz_extensions": [{"user_id": STUDENT, "extra_time": 20}]})
    rows = listed()["results"]
    shown = [(r["key"], r["value"], r["proctored_exam"]["content_id"]) for r in rows]
    assert shown == [(ADD, "20", PROCTORED)]
    remove(PROCTORED, [STUDENT])
    assert stored().extra_attempts == 1 and stored().extra_time_minutes == 0  # Canvas' grant stays


def test_an_allowance_lengthens_the_next_examspark_attempt(room):
    assert bulk([int(num(TIMED))], [STUDENT], MULT, "1.5").status == 200
    assert grant(TIMED, [STUDENT], ADD, "10").status == 200
    session = start()
    started, ends = (datetime.fromisoformat(session[k]) for k in ("startedAt", "endsAt"))
    assert round((ends - started).total_seconds() / 60) == 60 * 1.5 + 10
    assert session["limitedBy"] == "extension"
    other = start(user=OTHER)
    assert round((datetime.fromisoformat(other["endsAt"]) - datetime.fromisoformat(other["startedAt"]))
                 .total_seconds() / 60) == 60


@pytest.mark.parametrize("name", ["grant", "remove", "bulk", "list"])
def test_denials_write_nothing(room, name):
    grant(PROCTORED, [STUDENT])
    before = item_count()

    def attempt(as_user):  # type: ignore[no-untyped-def]
        if name == "grant":
            return grant(PROCTORED, [STUDENT], value="99", as_user=as_user)
        if name == "remove":
            return remove(PROCTORED, [STUDENT], as_user=as_user)
        if name == "bulk":
            return bulk([int(num(PROCTORED))], [STUDENT], value="99", as_user=as_user)
        return edx("list_course_allowances", as_user=as_user)

    assert attempt(None).status == 401
    for caller in (STUDENT, f"instructor-{OTHER_COURSE}"):
        refused = attempt(caller)
        assert refused.status == 403 and "additional" not in str(refused.body)
    assert item_count() == before and stored().extra_time_minutes == 30
    assert attempt(TA).status == 200  # a TA may grant


def test_dynamodb_calls(room, dynamo_calls):
    dynamo_calls.reset()
    grant(PROCTORED, [STUDENT, OTHER])
    # caller, enrollment; alias, exam; the users' username/email lookups; the users; their enrollments and
    # extensions; each NEW extension's student's sessions on the exam (its session pointer, read by the
    # Canvas lists); one transaction
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "BatchGetItem": 3, "Query": 2, "TransactWriteItems": 1}
    dynamo_calls.reset()
    remove(PROCTORED, [STUDENT, str(user_num(OTHER))])
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "BatchGetItem": 3, "TransactWriteItems": 1}
    dynamo_calls.reset()
    bulk([int(num(TIMED)), int(num(PROCTORED))], [STUDENT, OTHER])
    # caller, enrollment; aliases, exams, lookups, users, enrollments + extensions; per student with a new
    # extension one Query of their sessions in the course (all the request's exams at once); one transaction
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "BatchGetItem": 5, "Query": 2, "TransactWriteItems": 1}
    dynamo_calls.reset()
    listed()
    # caller, enrollment; the course's exams (gsi1) and extensions (gsi3, a Query per shard); the exams'
    # allowance counters; the page's users
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": 1 + LIST_SHARDS, "BatchGetItem": 2}
    dynamo_calls.reset()
    grant(PROCTORED, [STUDENT, OTHER])  # nothing changes: nothing is written
    assert "TransactWriteItems" not in dynamo_calls.counts


def test_a_write_that_keeps_losing_its_race_is_a_503_to_retry(room, monkeypatch):
    """The spec documents no 409: the core's concurrent_update (after its one retry) is told as a transient
    failure, 503 with Retry-After, like the gateway's."""
    from functions.api.openedx import grant_allowance
    from functions.core.errors import ConcurrentUpdate

    class Losing:
        def grant(self, *_: object) -> None:
            raise ConcurrentUpdate("these allowances keep changing under this request; retry")

    monkeypatch.setattr(grant_allowance, "allowances", lambda app: Losing())
    answer = grant(PROCTORED, [STUDENT])
    assert answer.status == 503 and answer.headers["Retry-After"] == "1"
    assert answer.body["status_code"] == 503 and "retry" in answer.body["message"]
