"""Issue 20, point 4: a list page costs the same DynamoDB requests in a small and a large course (moto).

Every course list (Open edX course attempts, one exam's attempts, course allowances, with search, orderings
and a continued page; Canvas' two extension lists; ExamSpark's sessions list) is read in a course of a few
learners and again after hundreds more, written in the shape the write path gives them (``session_item``,
the unit of work's operations: the same index keys); the request counts must be equal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.core.changes import ExtensionSaved, Work
from functions.core.models import Attempt, Extension, Session, User
from functions.core.rights import Principal
from functions.data import dynamo, keys
from functions.data.sessions import session_item
from functions.data.stats import stats_op
from functions.data.store import Store, to_item
from functions.data.unit_of_work import DynamoUnitOfWork
from tests.conftest import call
from tests.factories import NOW
from tests.integration.openedx_helpers import COURSE, INSTRUCTOR, PROCTORED, TIMED, edx, edx_room, num

SMALL, LARGE = 12, 400


@pytest.fixture
def room(table):
    return edx_room()


def _learners(start: int, count: int) -> None:
    """``count`` students, each with a session on the timed exam and extra time on the proctored one."""
    table, client = dynamo.table_name(), dynamo.client()
    items: list[dict[str, Any]] = []
    extensions: list[Extension] = []
    for n in range(start, start + count):
        uid = f"bulk{n:05d}"
        user = User(id=uid, username=uid, email=f"{uid}@learners.example", name=f"Bulk {n}")
        items.append(to_item(user, keys.user_key(uid)))
        began = NOW - timedelta(minutes=n % 600)
        session = Session(id=f"bulk-session-{n:05d}", exam_id=TIMED, course_id=COURSE, user_id=uid,
                          username=uid, email=user.email, created_at=began, updated_at=began,
                          attempts=[Attempt(number=1, started_at=began, ends_at=began + timedelta(days=1))])
        items.append(session_item(session))
        extensions.append(Extension(course_id=COURSE, exam_id=PROCTORED, user_id=uid, extra_time_minutes=15,
                                    username=uid, email=user.email, version=1, session_tracked=True))
    # The extensions and their allowance counter as a grant writes them (the unit of work's operations).
    granted = DynamoUnitOfWork(Principal("user", INSTRUCTOR), NOW).operations(
        Work("allowance.grant", COURSE, [ExtensionSaved(None, e) for e in extensions]))
    wanted = {tuple(keys.extension_key(e.exam_id, e.user_id).values()) for e in extensions}
    puts = [dynamo.deserialize(op["Put"]["Item"]) for op in granted if "Put" in op]
    items += [i for i in puts if (i[keys.PK], i[keys.SK]) in wanted]  # not the grant's audit event
    for at in range(0, len(items), 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": dynamo.serialize(i)}}
                                                      for i in items[at:at + 25]]})
    # The counters the write path keeps with them (statistics ``attempts``, allowance rows).
    ops = [stats_op(TIMED, {"sessions": count, "attempts": count}), *(op for op in granted if "Update" in op)]
    Store().transact([op for op in ops if op])


def _next(answer: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(answer.body["next"]).query)


LISTS: dict[str, Callable[[], Any]] = {
    "course attempts": lambda: edx("list_course_attempts"),
    "course attempts, page 2 by its link": lambda: edx("list_course_attempts",
                                                       query=_next(edx("list_course_attempts"))),
    "course attempts, search": lambda: edx("list_course_attempts", query={"search": ["BULK000"]}),
    "course attempts by username": lambda: edx("list_course_attempts", query={"ordering": ["username"]}),
    "course attempts by email, descending": lambda: edx("list_course_attempts", query={"ordering": ["-email"]}),
    "exam attempts": lambda: edx("list_exam_attempts", exam_id=TIMED, query={"page_size": ["20"]}),
    "exam attempts, search": lambda: edx("list_exam_attempts", exam_id=TIMED, query={"search": ["bulk0001"]}),
    "course allowances": lambda: edx("list_course_allowances"),
    "course allowances, search": lambda: edx("list_course_allowances", query={"search": ["bulk0000"]}),
    "course allowances by username": lambda: edx("list_course_allowances", query={"ordering": ["-username"]}),
    "Canvas course extensions": lambda: call("canvas_list_course_extensions", {"course_id": COURSE},
                                             as_user=INSTRUCTOR, query={"per_page": ["10"]}),
    "Canvas quiz extensions": lambda: call("canvas_list_quiz_extensions",
                                           {"course_id": COURSE, "quiz_id": PROCTORED}, as_user=INSTRUCTOR,
                                           query={"per_page": ["10"]}),
    "ExamSpark sessions": lambda: call("examspark_list_sessions", {}, as_user=INSTRUCTOR,
                                       query={"limit": ["20"]},
                                       body={"filter": {"examConfigIds": {"include": [TIMED]}}}),
}


def _costs(dynamo_calls: Any) -> dict[str, dict[str, int]]:
    out = {}
    for label, read in LISTS.items():
        first = "page 2" in label and read  # the link is read first, its own calls not counted
        if first:
            link = _next(edx("list_course_attempts"))
            dynamo_calls.reset()
            answer = edx("list_course_attempts", query=link)
        else:
            dynamo_calls.reset()
            answer = read()
        assert answer.status == 200, (label, answer.body)
        out[label] = dict(dynamo_calls.counts)
    return out


def test_every_list_page_costs_the_same_requests_in_a_small_and_a_large_course(room, dynamo_calls):
    _learners(0, SMALL)
    small = _costs(dynamo_calls)
    _learners(SMALL, LARGE - SMALL)
    large = _costs(dynamo_calls)
    assert large == small
    # A page reads one Query per shard of its list, however many learners the course has; the count is the
    # special exams' statistics (3 exams x 193 shard keys: 6 calls) and the page's users (1 call).
    assert small["course attempts"] == {"GetItem": 2, "Query": 1 + keys.LIST_SHARDS, "BatchGetItem": 7}
    assert small["course attempts, page 2 by its link"]["GetItem"] == 3  # + the cursor's item


def test_the_large_course_lists_are_right(room):
    _learners(0, LARGE)
    first = edx("list_course_attempts", query={"page_size": ["100"]}).body
    assert first["count"] == LARGE and len(first["results"]) == 100
    starts = [r["start_time"] for r in first["results"]]
    assert starts == sorted(starts, reverse=True)
    seen = {r["id"] for r in first["results"]}
    query = _next(type("A", (), {"body": first})())
    for _ in range(3):
        page = edx("list_course_attempts", query=query).body
        assert not seen & {r["id"] for r in page["results"]}
        seen |= {r["id"] for r in page["results"]}
        if not page["next"]:
            break
        query = _next(type("A", (), {"body": page})())
    assert len(seen) == LARGE
    found = edx("list_course_attempts", query={"search": ["BULK0001"]}).body
    assert [r["user"]["username"] for r in found["results"]] == [f"bulk{n:05d}" for n in range(10, 20)]
    # Exact: the email phase steps over the 10 already listed in one read and finds the list's end (it used to
    # step over one a round, run out of rounds and say more were to come).
    assert found["count"] == 10 and found["next"] is None
    by_email = edx("list_course_allowances", query={"search": ["bulk00399@"]}).body
    assert [r["user"]["username"] for r in by_email["results"]] == ["bulk00399"] and by_email["count"] == 1
    allowances = edx("list_course_allowances", query={"ordering": ["-username"], "page_size": ["3"]}).body
    assert allowances["count"] == LARGE
    assert [r["user"]["username"] for r in allowances["results"]] == ["bulk00399", "bulk00398", "bulk00397"]
    assert edx("get_special_exam", exam_id=PROCTORED).status == 200 and num(PROCTORED)
