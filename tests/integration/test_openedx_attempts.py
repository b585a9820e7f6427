"""Open edX attempts on moto: the attempts of ExamSpark sessions (one domain), statuses and lazy expiry, the
allowed time of each attempt, course-wide search, pages and ordering, and the reset (200 / 404 / 404)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.rights import Principal
from functions.core.services.removal import SessionRemover
from functions.data.keys import LIST_SHARDS as SHARDS
from functions.data.sessions import SessionRepository
from functions.data.stats import StatsRepository
from functions.data.unit_of_work import DynamoUnitOfWork
from tests.conftest import call, principal_context
from tests.factories import enroll, exam, user
from tests.integration.openedx_helpers import (
    COURSE,
    FOREIGN,
    INSTRUCTOR,
    OTHER,
    OTHER_COURSE,
    PROCTORED,
    STANDARD,
    STUDENT,
    TA,
    TIMED,
    edx,
    edx_headers,
    edx_room,
    grant,
    item_count,
    num,
    start,
    store_session,
    stored,
    user_num,
)


@pytest.fixture
def room(table):
    return edx_room()


def attempts_of(exam_id: str, **kw) -> list[dict]:
    answer = edx("list_exam_attempts", exam_id=exam_id, **kw)
    assert answer.status == 200, answer.body
    return list(answer.body)


def submit(session_id: str, as_user: str = STUDENT) -> None:
    answer = call("examspark_set_responses", {"sessionId": session_id}, as_user=as_user,
                  body={"submitForScoring": True, "responses": []})
    assert answer.status == 200, answer.body


def age(session_id: str, minutes: int) -> None:
    """Move a session's running attempt ``minutes`` into the past."""
    session = stored(session_id)
    assert session.current is not None
    session.current.started_at -= timedelta(minutes=minutes)
    assert session.current.ends_at is not None
    session.current.ends_at -= timedelta(minutes=minutes)
    store_session(session)


def test_attempts_of_an_exam_are_its_sessions_attempts_with_edx_fields(room):
    session = start()
    start(PROCTORED, user=OTHER)
    rows = attempts_of(TIMED)
    assert len(rows) == 1
    row = rows[0]
    assert row["exam_id"] == int(num(TIMED)) and row["exam_name"] == f"Exam {TIMED}"
    assert row["exam_type"] == "timed"
    assert row["user"] == {"id": user_num(STUDENT), "username": STUDENT, "email": f"{STUDENT}@example.edu"}
    assert row["status"] == "started" and row["end_time"] is None and row["ready_to_resume"] is False
    assert row["allowed_time_limit_mins"] == 60
    assert row["start_time"] == session["startedAt"].replace("+00:00", "Z")
    assert [r["exam_type"] for r in attempts_of(PROCTORED)] == ["proctored"]


def test_submitted_and_timed_out_attempts(room):
    submitted = start()["id"]
    submit(submitted)
    timed_out = start(user=OTHER)["id"]
    age(timed_out, 61)  # past its end; nothing has written it yet
    rows = {r["user"]["username"]: r for r in attempts_of(TIMED)}
    assert rows[STUDENT]["status"] == "submitted" and rows[STUDENT]["end_time"] is not None
    # lazy expiry: the read shows it ended at its end (timed_out -> submitted) without writing it
    expected_end = stored(timed_out).current.ends_at  # type: ignore[union-attr]
    assert rows[OTHER]["status"] == "submitted"
    assert rows[OTHER]["end_time"] == expected_end.isoformat().replace("+00:00", "Z")  # type: ignore[union-attr]
    assert stored(timed_out).current.submitted_at is None  # type: ignore[union-attr]


def test_allowed_time_is_fixed_at_start_with_the_allowance_and_capped_by_the_close_date(room):
    assert grant(TIMED, [STUDENT], value="30").status == 200
    first = start()["id"]
    assert grant(TIMED, [STUDENT], value="45").status == 200  # later change: the running attempt keeps 90
    assert attempts_of(TIMED)[0]["allowed_time_limit_mins"] == 90
    assert start()["id"] == first  # a second start never resets it
    assert attempts_of(TIMED)[0]["allowed_time_limit_mins"] == 90
    soon = datetime.now(UTC) + timedelta(minutes=20)
    exam("closing", COURSE, room["items"], type="timed", time_limit_minutes=60, closes_at=soon)
    start("closing")
    assert attempts_of("closing")[0]["allowed_time_limit_mins"] in (19, 20)  # the close date cut it


def test_a_foreign_or_standard_exam_has_no_attempts_here(room):
    """The spec documents no 404 for this list: an exam number that is no special exam of the course lists no
    attempts; a path value that is not a number is no such resource (404)."""
    start(STANDARD)
    for ref in (num(STANDARD), num(FOREIGN), "0", "-1", "99999999999999999999"):
        empty = edx("list_exam_attempts", path={"exam_id": ref})
        assert (empty.status, empty.body, empty.headers["X-Total-Count"]) == (200, [], "0"), ref
    assert edx("list_exam_attempts", path={"exam_id": "nope"}).status == 404
    assert edx("list_course_attempts").body["count"] == 0  # a standard exam is not special


def many_attempts() -> None:
    for n in range(5):
        user(f"learner{n}")
        enroll(COURSE, f"learner{n}", "student")
        start(user=f"learner{n}")
    start(PROCTORED, user=STUDENT)


def test_course_attempts_search_partial_case_insensitive_username_or_email(room):
    many_attempts()
    assert edx("list_course_attempts").body["count"] == 6
    assert edx("list_course_attempts", query={"search": ["LEARNER"]}).body["count"] == 5
    by_email = edx("list_course_attempts", query={"search": ["student-course-1@example"]}).body
    assert by_email["count"] == 1 and by_email["results"][0]["exam_type"] == "proctored"
    assert edx("list_course_attempts", query={"search": ["nonexistent"]}).body["count"] == 0


def test_course_attempts_pages(room):
    many_attempts()
    first = edx("list_course_attempts", query={"page_size": ["4"], "search": ["learner"]}).body
    assert first["count"] == 5 and len(first["results"]) == 4 and first["previous"] is None
    link = urlsplit(first["next"])
    assert link.path == f"/api/instructor/v2/courses/{COURSE}/special_exams/attempts"
    query = parse_qs(link.query)
    assert query.pop("cursor") and query == {"page": ["2"], "page_size": ["4"], "search": ["learner"]}
    second = edx("list_course_attempts", query=parse_qs(link.query)).body
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    assert second["count"] == 5  # exact on the last page of a search
    ids = {r["id"] for r in first["results"]} | {r["id"] for r in second["results"]}
    assert len(ids) == 5
    # The same page by its number alone (no cursor): the rows before it are read, the page is the same.
    by_number = edx("list_course_attempts", query={"page": ["2"], "page_size": ["4"], "search": ["learner"]}).body
    assert by_number["results"] == second["results"]
    # A cursor that is garbled, forged or names a row of another list: the page by its number.
    for cursor in ("garbage", "WyJpZD1ub3BlfHNrPWV4YW0tc2Vzc2lvbiIsImlkPXBoYXNlMHxzaz1zaG93biMxIl0="):
        again = edx("list_course_attempts", query={"page": ["2"], "page_size": ["4"], "search": ["learner"],
                                                   "cursor": [cursor]})
        assert again.status == 200 and again.body["results"] == second["results"]
    beyond = edx("list_course_attempts", query={"page": ["9"], "page_size": ["4"]}).body
    assert beyond["results"] == [] and beyond["count"] == 6 and "page=2" in beyond["previous"]


def ordered(ordering: str, size: int) -> list[dict]:
    answer = edx("list_course_attempts", query={"ordering": [ordering], "page_size": [str(size)]})
    assert answer.status == 200, answer.body
    return list(answer.body["results"])


def test_newest_first_and_every_ordering_reverses(room):
    many_attempts()
    rows = edx("list_course_attempts", query={"page_size": ["100"]}).body["results"]
    starts = [r["start_time"] for r in rows]
    assert starts == sorted(starts, reverse=True)
    submit(start(user=OTHER)["id"], as_user=OTHER)
    for field in ("username", "user.username", "email", "user.email", "started_at", "start_time"):
        up = ordered(field, 100)
        down = ordered(f"-{field}", 100)
        assert up == list(reversed(down)) and len(up) == 7, field
    # Orderings the store does not keep are ignored, as DRF ignores unknown fields: the default order.
    newest = ordered("", 100)
    for field in ("exam_name", "proctored_exam.exam_name", "time_limit", "type", "completed_at", "end_time",
                  "status"):
        assert ordered(field, 100) == ordered(f"-{field}", 100) == newest, field
    names = [r["user"]["username"] for r in ordered("-username", 3)]
    assert names == [STUDENT, OTHER, "learner4"]


@pytest.mark.parametrize("query,field", [({"page": ["x"]}, "page"), ({"page_size": ["1.5"]}, "page_size")])
def test_list_parameters_that_are_not_numbers_are_404_naming_them(room, query, field):
    """DRF's "Invalid page": the spec documents no 400 for these lists."""
    for name, exam_id in (("list_course_attempts", None), ("list_exam_attempts", TIMED)):
        answer = edx(name, exam_id=exam_id, query=query)
        assert answer.status == 404 and field in answer.body["message"], (name, answer.body)


@pytest.mark.parametrize("query", [{"page_size": ["101"]}, {"page_size": ["0"]}, {"page": ["0"]},
                                   {"page": ["-3"]}, {"ordering": ["password"]}, {"search": ["s" * 300]},
                                   {"page": ["99999999999999999999"]}, {"page_size": ["-1", "2"]}])
def test_list_parameters_the_spec_allows_are_answered_as_drf_reads_them(room, query):
    """page_size below 1: the default, above 100: 100; page below 1: the first; an unknown ordering is ignored;
    a search longer than any username or email matches nothing; the last of a repeated parameter counts."""
    many_attempts()
    answer = edx("list_course_attempts", query=query)
    assert answer.status == 200, answer.body
    rows, count = answer.body["results"], answer.body["count"]
    if "search" in query:
        assert rows == [] and count == 0
    elif query.get("page") == ["99999999999999999999"]:
        assert rows == [] and count == 6
    elif query.get("page_size") == ["-1", "2"]:
        assert len(rows) == 2
    elif query.get("page_size") == ["101"]:
        assert len(rows) == 6
    else:
        assert len(rows) == 6 and answer.body["previous"] is None  # the default page size is 10: page 1


@pytest.mark.parametrize("name,exam_id", [("list_course_attempts", None), ("list_exam_attempts", TIMED)])
def test_list_denials(room, name, exam_id):
    start()
    assert edx(name, exam_id=exam_id, as_user=TA).status == 200
    assert edx(name, exam_id=exam_id, as_user=None).status == 401
    for caller in (STUDENT, f"instructor-{OTHER_COURSE}"):
        refused = edx(name, exam_id=exam_id, as_user=caller)
        assert refused.status == 403 and STUDENT not in str(refused.body)


def test_exam_attempts_pages_beyond_the_spec_with_link_and_total_headers(room):
    many_attempts()
    answer = edx_headers("list_exam_attempts", exam_id=TIMED, query={"page_size": ["2"]})
    assert len(answer.body) == 2 and answer.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in answer.headers["Link"] and "page=2" in answer.headers["Link"]
    everything = edx_headers("list_exam_attempts", exam_id=TIMED)
    assert len(everything.body) == 5 and "Link" not in everything.headers


# --- reset -------------------------------------------------------------------------------------------------
def test_reset_removes_every_session_of_the_user_on_the_exam_and_keeps_them_restorable(room):
    exam(TIMED, COURSE, room["items"], type="timed", time_limit_minutes=60, max_attempts=2, version=2)
    first = start(context_id="ctx-a", as_user=INSTRUCTOR)
    second = start(context_id="ctx-b", as_user=INSTRUCTOR)
    start(user=OTHER)
    start(PROCTORED)
    answer = edx("reset_attempt", exam_id=TIMED, path={"username": STUDENT})
    assert answer.status == 200
    assert answer.body["success"] is True and STUDENT in answer.body["message"]
    assert answer.body["attempts_removed"] == 2
    assert [r["user"]["username"] for r in attempts_of(TIMED)] == [OTHER]
    assert len(attempts_of(PROCTORED)) == 1  # another exam is untouched
    repo = SessionRepository()
    for session in (first, second):
        assert repo.get_session(session["id"]) is None
        kept = repo.latest_removal(session["id"])
        assert kept and kept.removed_by == INSTRUCTOR and kept.session.user_id == STUDENT
    assert StatsRepository().get_many([TIMED])[0]["sessions"] == 1
    # restorable: the record puts the session back whole
    now = datetime.now(UTC)
    [restored] = SessionRemover(repo, DynamoUnitOfWork(Principal("user", "admin"), now), now).restore(
        COURSE, [(first["id"], repo.latest_removal(first["id"]).removal_id)], "admin")  # type: ignore[union-attr]
    assert restored.id == first["id"] and len(attempts_of(TIMED)) == 2


def test_reset_404s_name_the_user(room):
    start()
    unknown = edx("reset_attempt", exam_id=TIMED, path={"username": "nonexistent"})
    assert unknown.status == 404 and "nonexistent" in unknown.body["message"]
    none = edx("reset_attempt", exam_id=TIMED, path={"username": OTHER})
    assert none.status == 404 and OTHER in none.body["message"] and "no attempts" in none.body["message"]
    assert edx("reset_attempt", exam_id=TIMED, path={"username": STUDENT}).status == 200
    assert edx("reset_attempt", exam_id=TIMED, path={"username": STUDENT}).status == 404  # nothing left
    assert edx("reset_attempt", exam_id=FOREIGN, path={"username": STUDENT}).status == 404
    assert edx("reset_attempt", exam_id="x1", path={"username": STUDENT}).status == 404


def test_reset_denials_write_nothing(room):
    session = start()["id"]
    before = item_count()
    assert edx("reset_attempt", exam_id=TIMED, as_user=None, path={"username": STUDENT}).status == 401
    # Removing a student's work needs course:admin through every door (docs/rulebook.md): a teaching
    # assistant is refused here as through LearningStudio; a non-member is not told the exam exists.
    for caller, status in ((STUDENT, 403), (OTHER, 403), (TA, 403), (f"instructor-{OTHER_COURSE}", 404)):
        assert edx("reset_attempt", exam_id=TIMED, as_user=caller, path={"username": STUDENT}).status == status
    key = principal_context("key", "k", courses=COURSE, rights="course:view")
    assert edx("reset_attempt", exam_id=TIMED, as_user=None, authorizer=key,
               path={"username": STUDENT}).status == 403
    assert item_count() == before and stored(session)
    assert edx("reset_attempt", exam_id=TIMED, as_user=INSTRUCTOR, path={"username": STUDENT}).status == 200


def test_after_a_reset_the_student_starts_afresh(room):
    first = start()
    submit(first["id"])
    edx("reset_attempt", exam_id=TIMED, path={"username": STUDENT})
    again = start()
    assert again["id"] == first["id"] and again["startedAt"] != first["startedAt"]
    rows = attempts_of(TIMED)
    assert len(rows) == 1 and rows[0]["status"] == "started"


def test_dynamodb_calls(room, dynamo_calls):
    many_attempts()
    dynamo_calls.reset()
    edx("list_exam_attempts", exam_id=TIMED)
    # caller, enrollment; alias, exam; the exam's sessions (gsi1, one Query per shard); its counters; the
    # page's users
    assert dict(dynamo_calls.counts) == {"GetItem": 4, "Query": SHARDS, "BatchGetItem": 3}
    dynamo_calls.reset()
    edx("list_course_attempts")
    # caller, enrollment; the course's exams (gsi1), its sessions (gsi3, a Query per shard); the exams'
    # statistics (3 special exams x 193 shard keys: 6 calls); the page's users
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": 1 + SHARDS, "BatchGetItem": 7}
    dynamo_calls.reset()
    edx("list_course_attempts", query={"search": ["learner"]})
    # a search: usernames (gsi4), then emails (gsi5), a Query per shard each; no counters; the page's users
    assert dict(dynamo_calls.counts) == {"GetItem": 2, "Query": 1 + 2 * SHARDS, "BatchGetItem": 1}
    dynamo_calls.reset()
    edx("reset_attempt", exam_id=TIMED, path={"username": "learner1"})
    # caller, enrollment; alias, exam; username lookup, user; the student's extension (unlocked past the
    # window?); the user's sessions on the exam (gsi2); one transaction: each session deleted + its removal
    # record, the statistics, the audit event
    assert dict(dynamo_calls.counts) == {"GetItem": 7, "Query": 1, "TransactWriteItems": 1}
