"""The list backfill (functions/jobs/backfill_lists.py) on moto: items written in the shapes a stack deployed
before the write-sharded lists holds (spelled here from those formats, commit 8721272^ and fd01649^: not built
with today's key functions) are read through today's routes after a run, with exact counters; a second run
changes nothing; a dry run writes nothing; a live write between the job's read and write wins; a stopped run
continues from its cursor; bad events run nothing."""

from __future__ import annotations

from typing import Any

import pytest

from functions.core import backfill as rules
from functions.core.errors import Unavailable
from functions.core.models import Session
from functions.data import backfill as lists
from functions.data import dynamo, keys, tokens
from functions.data.extensions import ExtensionRepository
from functions.data.sessions import session_item
from functions.data.stats import StatsRepository
from functions.data.store import Store, from_item
from functions.jobs import backfill_lists as job
from tests.conftest import LambdaContext, call
from tests.factories import enroll, user
from tests.integration.openedx_helpers import (
    COURSE,
    INSTRUCTOR,
    OTHER,
    PROCTORED,
    STUDENT,
    TIMED,
    edx,
    edx_room,
    grant,
    start,
)

DAY = "2026-11-02"
REPLACED_AT = f"{DAY}T09:00:00.000000Z"
EVENT_ID = "20261102T100000.000000Z-0123456789ab"


@pytest.fixture
def room(table):
    return edx_room()


# --- the old shapes ----------------------------------------------------------------------------------
def old_session(sid: str, exam_id: str, user_id: str, attempts: int, version: int = 3) -> dict[str, Any]:
    """A live session as written before 8721272: unsharded list entries, no name entries, no username."""
    tries = [{"number": n + 1, "record": f"rec{n}", "detached": True, "answered": 0,
              "started_at": f"{DAY}T1{n}:00:00+00:00", "ends_at": f"{DAY}T1{n}:30:00+00:00",
              "limited_by": "time_limit", "submitted_at": f"{DAY}T1{n}:20:00+00:00"} for n in range(attempts)]
    return {"id": sid, "sk": "exam-session", "exam_id": exam_id, "course_id": COURSE, "user_id": user_id,
            "name": "", "lti": {}, "item_ids": [], "draw_number": 1, "attempts": tries, "version": version,
            "created_at": f"{DAY}T10:00:00+00:00", "updated_at": f"{DAY}T12:00:00+00:00", "attempt_parts": True,
            "gsi1pk": f"exam#{exam_id}", "gsi1sk": f"session#{sid}",
            "gsi2pk": f"user#{user_id}", "gsi2sk": f"session#{COURSE}#{exam_id}#{sid}",
            "gsi3pk": f"course#{COURSE}", "gsi3sk": f"session#{exam_id}#{user_id}#{sid}"}


def old_inline_session(sid: str, exam_id: str, user_id: str) -> dict[str, Any]:
    """A session from before attempts had parts of their own (21055cb^): its attempt's responses inline, no
    ``attempt_parts``; the backfill changes its list entries only."""
    item = old_session(sid, exam_id, user_id, attempts=1)
    item["attempts"] = [{"number": 1, "started_at": f"{DAY}T10:00:00+00:00", "ends_at": f"{DAY}T10:30:00+00:00",
                         "limited_by": "time_limit", "responses": {"item-a": {"q1": [2]}}}]
    del item["attempt_parts"]
    return item


def old_extension(exam_id: str, user_id: str, **fields: Any) -> dict[str, Any]:
    """An extension under its exam's partition (before fd01649), with the unsharded course entry."""
    return {"id": exam_id, "sk": f"extension#{user_id}", "course_id": COURSE, "exam_id": exam_id,
            "user_id": user_id, "extra_attempts": 0, "extra_time_minutes": 0, "manually_unlocked": False,
            "version": 2, "updated_by": INSTRUCTOR, "updated_at": f"{DAY}T09:00:00+00:00",
            "gsi3pk": f"course#{COURSE}", "gsi3sk": f"extension#{exam_id}#{user_id}", **fields}


def old_history(exam_id: str, user_id: str) -> dict[str, Any]:
    return {"id": exam_id, "sk": f"extension-history#{user_id}#{REPLACED_AT}", "course_id": COURSE,
            "exam_id": exam_id, "user_id": user_id, "extra_time_minutes": 10, "version": 1,
            "replaced_by": INSTRUCTOR, "replaced_at": f"{DAY}T09:00:00+00:00"}


def old_event(event_id: str = EVENT_ID) -> dict[str, Any]:
    """A course audit event in the course's one partition (before fd01649)."""
    return {"id": f"audit#{COURSE}", "sk": f"event#{event_id}", "eventId": event_id, "courseId": COURSE,
            "at": f"{DAY}T10:00:00+00:00", "action": "allowance.grant", "actorKind": "user", "actorId": INSTRUCTOR,
            "objectIds": [PROCTORED], "changes": [], "restorable": []}


def put(*items: dict[str, Any]) -> None:
    for item in items:
        Store().put(item)


def old_world() -> None:
    """Three old sessions (3 + 2 + 1 attempts) on the timed and proctored exams, one with its responses inline,
    an extension with two allowance rows and its history copy, one course audit event."""
    put(old_session("old-s1", TIMED, STUDENT, attempts=3), old_session("old-s2", PROCTORED, OTHER, attempts=2),
        old_inline_session("old-s3", PROCTORED, STUDENT),
        old_extension(PROCTORED, STUDENT, extra_time_minutes=30, review_policy_exception="quiet room"),
        old_history(PROCTORED, STUDENT), old_event())


def everything() -> dict[tuple[str, str], dict[str, Any]]:
    items, start = [], None
    while True:
        page = dynamo.client().scan(TableName=dynamo.table_name(), **({"ExclusiveStartKey": start} if start else {}))
        items += [dynamo.deserialize(i) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return {(i["id"], i["sk"]): i for i in items}


def run(**event: Any) -> dict[str, Any]:
    return job.lambda_handler(event, LambdaContext())


def run_all(segments: int = 2, **event: Any) -> list[dict[str, Any]]:
    return [run(segment=n, segments=segments, **event) for n in range(segments)]


def attempts_count() -> int:
    return int(edx("list_course_attempts").body["count"])


def counters() -> dict[str, tuple[int, int]]:
    """Per exam its ``attempts`` statistics counter (summed over its shards) and its ``allowances`` counter: what
    the Open edX lists' ``count`` reads (a last page may show its own rows instead, so the tests read them)."""
    stats = {s["id"]: int(s.get("attempts", 0)) for s in StatsRepository().get_many([TIMED, PROCTORED])}
    return {e: (stats.get(e, 0), int((Store().get(keys.list_counts_key(e)) or {}).get("allowances", 0)))
            for e in (TIMED, PROCTORED)}


def allowances() -> dict[str, Any]:
    answer = edx("list_course_allowances")
    assert answer.status == 200, answer.body
    return dict(answer.body)


# --- tests -------------------------------------------------------------------------------------------------
def test_old_items_are_in_todays_lists_after_a_run_with_exact_counters(room):
    start(TIMED, user=OTHER)  # written by the live code: listed and counted already (1 attempt)
    grant(PROCTORED, [OTHER])  # one allowance row, counted by the grant
    old_world()
    assert attempts_count() == 1 and allowances()["count"] == 1
    assert counters() == {TIMED: (1, 0), PROCTORED: (0, 1)}
    answers = run_all(dry_run=False)
    assert all(a["done"] and a["next"] is None and not a["skipped"] for a in answers)
    done = {k: sum(a["changed"][k] for a in answers) for k in answers[0]["changed"]}
    assert done == {"sessions": 3, "extensions": 1, "extension_history": 1, "audit_events": 1,
                    "attempts_added": 6, "allowances_added": 2}
    assert sum(a["already_current"] for a in answers) == 1  # the live session
    assert counters() == {TIMED: (1 + 3, 0), PROCTORED: (2 + 1, 1 + 2)}

    listed = edx("list_course_attempts", query={"page_size": ["20"]}).body
    assert listed["count"] == 7 and len(listed["results"]) == 7  # 1 + 3 + 2 + 1 attempts, each a row
    by_name = edx("list_course_attempts", query={"search": [STUDENT]}).body  # the name entry from the user
    assert by_name["count"] == 4 and {r["exam_type"] for r in by_name["results"]} == {"timed", "proctored"}
    assert len(edx("list_exam_attempts", exam_id=PROCTORED).body) == 3  # the exam's list (gsi1)
    rows = allowances()
    assert rows["count"] == 3
    assert sorted((r["user"]["username"], r["key"]) for r in rows["results"]) == [
        (OTHER, "additional_time_granted"), (STUDENT, "additional_time_granted"),
        (STUDENT, "review_policy_exception")]
    canvas = call("canvas_list_course_extensions", {"course_id": COURSE}, as_user=INSTRUCTOR)
    assert canvas.status == 200
    entries = {e["sis_user_id"]: e for e in canvas.body["quiz_extensions"]}
    assert entries[STUDENT]["extra_time"] == 30 and set(entries) == {STUDENT, OTHER}
    audit = call("list_audit_events", {"courseId": COURSE}, as_user=INSTRUCTOR, query={"limit": ["100"]})
    assert EVENT_ID in {e["id"] for e in audit.body["items"]}
    history = ExtensionRepository().history(PROCTORED, STUDENT)
    assert [h["extra_time_minutes"] for h in history] == [10]
    # The old keys are gone; the session kept its version (a live writer that read it still wins).
    stored = everything()
    old_keys = [(PROCTORED, f"extension#{STUDENT}"), (PROCTORED, f"extension-history#{STUDENT}#{REPLACED_AT}"),
                (f"audit#{COURSE}", f"event#{EVENT_ID}")]
    assert not [k for k in old_keys if k in stored]
    assert stored[("old-s1", "exam-session")]["version"] == 3
    assert stored[("old-s1", "exam-session")]["username"] == STUDENT
    inline = stored[("old-s3", "exam-session")]
    assert inline["attempts"] == old_inline_session("old-s3", PROCTORED, STUDENT)["attempts"]  # body untouched
    assert "attempt_parts" not in inline

    again = run_all(dry_run=False)
    assert all(a["summary"].count("nothing to change") == 1 for a in again)
    assert all(not any(a["changed"].values()) and not a["skipped"] for a in again)
    assert everything() == stored
    assert attempts_count() == 7 and allowances()["count"] == 3
    assert counters() == {TIMED: (4, 0), PROCTORED: (3, 3)}


def test_one_transaction_per_item_and_one_user_read_per_learner(room, dynamo_calls):
    old_world()
    dynamo_calls.reset()
    answer = run(dry_run=False)
    assert answer["done"] and answer["changed"]["sessions"] == 3
    assert "rewrote 3 session(s) (+6 attempts), moved 1 extension(s) (+2 allowance rows)" in answer["summary"]
    # One Scan page; each learner's user item once (STUDENT's session and extension share it); the student's
    # sessions on the exam for the extension's session pointer (it predates it); one TransactWriteItems per old
    # item (3 sessions, the extension, its history copy, the audit event).
    assert dynamo_calls.counts == {"Scan": 1, "GetItem": 2, "Query": 1, "TransactWriteItems": 6}
    moved = ExtensionRepository().get_extension(PROCTORED, STUDENT)
    assert moved is not None and moved.session_tracked and moved.latest_session_id == "old-s3"


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(room, dynamo_calls):
    old_world()
    before = everything()
    dynamo_calls.reset()
    answer = run()  # dry_run is the default
    assert answer["dry_run"] is True and answer["summary"].startswith("DRY RUN, nothing written")
    assert answer["would_change"] == {"sessions": 3, "extensions": 1, "extension_history": 1, "audit_events": 1,
                                      "attempts_added": 6, "allowances_added": 2}
    assert "changed" not in answer
    # Reads only: the Scan, the two learners, the extension's new key (is it taken?).
    assert dynamo_calls.counts == {"Scan": 1, "GetItem": 3}
    assert everything() == before
    assert counters() == {TIMED: (0, 0), PROCTORED: (0, 0)}


class _LiveWriteAfterRead(Store):
    """A store whose Scan page is followed, before the job writes, by the live system's writes."""

    def __init__(self, between: Any) -> None:
        super().__init__()
        self.between = between

    def scan_page(self, *args: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        found = super().scan_page(*args, **kwargs)
        self.between()
        return found


def test_a_live_write_between_read_and_write_is_never_overwritten(room):
    old_world()

    def live() -> None:
        # A submit by the live code on old-s1 (version 3 -> 4, today's entries, its own username), and a grant
        # that did not see the old extension (today's key, counted by the grant itself).
        session = from_item(Session, Store().get(keys.session_key("old-s1")) or {})
        renamed = {"version": 4, "username": "renamed", "email": "r@example.edu"}
        Store().put(session_item(session.model_copy(update=renamed)))
        grant(PROCTORED, [STUDENT], value="45")

    request = rules.parse({"dry_run": False})
    answer = lists.run(request, None, 60, store=_LiveWriteAfterRead(live)).answer()
    assert answer["skipped"] == {"lost_race": 1, "superseded": 1}
    assert answer["superseded"] == [{"id": PROCTORED, "sk": f"extension#{STUDENT}"}]
    assert answer["changed"]["sessions"] == 2 and answer["changed"]["attempts_added"] == 3  # old-s2, old-s3
    stored = Store().get(keys.session_key("old-s1")) or {}
    assert stored["version"] == 4 and stored["username"] == "renamed"  # the live write stands
    extension = ExtensionRepository().get_extension(PROCTORED, STUDENT)
    assert extension is not None and extension.extra_time_minutes == 45
    assert Store().get({"id": PROCTORED, "sk": f"extension#{STUDENT}"})  # superseded: left in place
    assert allowances()["count"] == 1  # the grant's own row; the superseded extension is not counted
    # old-s2 and old-s3; old-s1, rewritten by the live code first, brings none of its 3 attempts from before the
    # deploy: the documented limit (docs/data-model.md, "Existing deployments": run the backfill right after).
    assert counters() == {TIMED: (0, 0), PROCTORED: (3, 1)}
    # A re-run: the session is in today's shape now, and the superseded extension is reported again.
    again = run(dry_run=False)
    assert again["skipped"] == {"superseded": 1} and not any(again["changed"].values())


def test_a_stopped_run_continues_from_its_cursor(room, monkeypatch):
    monkeypatch.setattr(rules, "PAGE", 4)
    ids = [f"20261102T1000{n:02d}.000000Z-{n:012d}" for n in range(10)]
    put(*(old_event(i) for i in ids))
    request = rules.parse({"dry_run": False})
    first = lists.run(request, None, 0).answer()  # out of time after its first page
    assert not first["done"] and first["next"] and first["examined"] == 4
    assert "NOT finished" in first["summary"]
    answers = [first]
    while answers[-1]["next"]:
        answers.append(run(dry_run=False, start=answers[-1]["next"], max_seconds=1))
    assert answers[-1]["done"]
    assert sum(a["changed"]["audit_events"] for a in answers) == 10
    listed = call("list_audit_events", {"courseId": COURSE}, as_user=INSTRUCTOR, query={"limit": ["100"]}).body
    assert sorted(e["id"] for e in listed["items"] if e["id"] in ids) == ids


ANOTHER_SEGMENTS_CURSOR = tokens.encode([{"id": "x", "sk": "y"}, keys.SCAN_PLACE.write(0, 2)])
A_PAGE_TOKEN = tokens.encode([{"id": "x", "sk": "y"}])


@pytest.mark.parametrize("event", [
    {"segment": 4, "segments": 4}, {"segments": 0}, {"segments": 1001}, {"segment": -1}, {"segment": True},
    {"dry_run": "false"}, {"dryrun": False}, {"start": "not a cursor"}, {"start": 7}, {"start": A_PAGE_TOKEN},
    {"segment": 1, "segments": 2, "start": ANOTHER_SEGMENTS_CURSOR}, {"start": ANOTHER_SEGMENTS_CURSOR},
    {"max_seconds": 661}, {"max_seconds": 0}, [], "run",
])
def test_bad_events_are_refused_and_run_nothing(room, dynamo_calls, event):
    old_world()
    before = everything()
    dynamo_calls.reset()
    answer = job.lambda_handler(event, LambdaContext())
    assert answer["statusCode"] == 400 and answer["summary"].startswith("nothing run: ")
    assert dynamo_calls.total == 0 and everything() == before


def test_a_console_event_of_nothing_is_a_dry_run_of_the_whole_table(room):
    old_world()
    answer = job.lambda_handler({}, LambdaContext())
    assert answer["dry_run"] and answer["segments"] == 1 and answer["done"]
    assert answer["would_change"]["sessions"] == 3


def test_a_session_without_names_is_found_by_its_learners_email(room):
    user("late")
    enroll(COURSE, "late", "student")
    put(old_session("old-late", TIMED, "late", attempts=1))
    run(dry_run=False)
    assert edx("list_course_attempts", query={"search": ["LATE@"]}).body["count"] == 1  # by email


class _BusyAfterOnePage(Store):
    """A store whose second Scan page is throttled past botocore's retries."""

    pages = 0

    def scan_page(self, *args: Any, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        self.pages += 1
        if self.pages == 2:
            raise Unavailable("the store is busy; retry shortly")
        return super().scan_page(*args, **kwargs)


def test_a_throttled_scan_stops_with_its_cursor(room, monkeypatch):
    monkeypatch.setattr(rules, "PAGE", 4)
    ids = [f"20261102T1000{n:02d}.000000Z-{n:012d}" for n in range(10)]
    put(*(old_event(i) for i in ids))
    stopped = lists.run(rules.parse({"dry_run": False}), None, 60, store=_BusyAfterOnePage()).answer()
    assert not stopped["done"] and stopped["next"] and stopped["changed"]["audit_events"] == 4
    assert "NOT finished (the store was busy)" in stopped["summary"]
    rest = run(dry_run=False, start=stopped["next"])
    assert rest["done"] and rest["changed"]["audit_events"] == 6
