"""Session lists: the multi-config token, rights, totals and aggregations (fake pages; pure)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from functions.core import statistics
from functions.core.errors import Forbidden, InvalidInput
from functions.core.models import Attempt, Exam, Session
from functions.core.rights import Access, Principal
from functions.core.services.session_list import SessionListService
from functions.data import session_lists, tokens
from tests.memory import Memory, choice_item

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
COURSE, STUDENT, TA = "c", "stu", "ta"

S1 = {"id": "s1", "sk": "exam-session"}


def token(*entries: str) -> str:
    return base64.b64encode(json.dumps(list(entries)).encode()).decode()


@pytest.mark.parametrize("given,expected", [
    (None, (0, None)),
    (token("id=s1|sk=exam-session"), (0, tokens.encode([S1]))),  # the seed's one-entry form: first config
    (token("id=s1|sk=exam-session", "id=e2|sk=exam#v0"), (1, tokens.encode([S1]))),
    (token("id=e3|sk=exam#v0"), (2, None)),  # the page before ended with e2: start e3 at its beginning
])
def test_token_position(given, expected):
    assert session_lists._position(["e1", "e2", "e3"], given) == expected


@pytest.mark.parametrize("forged", [
    token("id=s1|sk=exam-session", "id=e9|sk=exam#v0"),  # a config outside the filter
    token("id=e1|sk=exam#v0", "id=e2|sk=exam#v0"),
    token("id=s1|sk=exam-session", "id=s2|sk=exam-session"),
    token("id=c|sk=enrollment#u"),
    token("id=s1|sk=exam-session", "id=e1|sk=exam#v0", "id=x|sk=y"),
])
def test_forged_tokens(forged):
    with pytest.raises(InvalidInput) as caught:
        session_lists._position(["e1", "e2", "e3"], forged)
    assert caught.value.field == "nextToken"


def test_continuation_names_the_config_only_when_there_are_several():
    query_token = tokens.encode([S1])
    assert session_lists._continue(query_token, ["e1"], 0) == query_token
    assert tokens.decode(session_lists._continue(query_token, ["e1", "e2"], 1)) == [S1, {"id": "e2", "sk": "exam#v0"}]


# --- the service on the in-memory world -------------------------------------------------------
def stats_of(*scores: float | None) -> dict[str, float]:
    stats: dict[str, float] = {}
    for s in scores:
        for k, v in statistics.score_change(None, s, new_session=True).items():
            stats[k] = stats.get(k, 0) + v
    return stats


def service(memory: Memory, as_user: str = TA, kind: str = "user", courses=frozenset({COURSE})
            ) -> SessionListService:
    principal = Principal(kind=kind, subject=as_user, key_courses=courses, key_rights=frozenset({"course:view"}))
    return SessionListService(pages=memory, exams=memory, access=Access(principal, memory), now=T0)


def two_configs() -> Memory:
    memory = Memory()
    memory.enroll(COURSE, STUDENT, "student")
    memory.enroll(COURSE, TA, "teaching_assistant")
    memory.item(*(choice_item(i, COURSE, objective="o1") for i in ("a", "b", "c")))
    for e in ("e1", "e2"):
        memory.exam(Exam(id=e, course_id=COURSE, title=e))
    memory.stats = {"e1": stats_of(50, None, 70), "e2": stats_of(90)}
    return memory


def test_total_and_aggregations_come_from_the_statistics_of_every_config():
    page = service(two_configs()).page(["e1", "e2", "e1"], 10)
    assert page.total == 4
    assert (page.aggregate.min_score, page.aggregate.avg_score, page.aggregate.max_score) == (50, 70, 90)


def test_a_config_without_statistics_yet_counts_zero():
    pages = two_configs()
    pages.stats = {}
    page = service(pages).page(["e1"], 10)
    assert page.total == 0 and page.aggregate.min_score is None and page.aggregate.avg_score is None


def test_rights_and_unknown_configs():
    # an unknown config, or one whose course the caller has no rights in, matches nothing: no error
    page = service(two_configs()).page(["e1", "nope"], 10)
    assert page.total == 3  # e1's statistics alone
    with pytest.raises(Forbidden, match="course:view"):
        service(two_configs(), as_user=STUDENT).page(["e1"], 10)
    outsider = service(two_configs(), as_user="k", kind="key", courses=frozenset({"elsewhere"})).page(["e1", "e2"], 10)
    assert (outsider.total, outsider.rows, outsider.next_token, outsider.aggregate.avg_score) == (0, [], None, None)
    assert service(two_configs(), as_user="k", kind="key").page(["e1"], 10).total == 3
    with pytest.raises(InvalidInput, match="nextToken"):  # a list of nothing has no next page
        service(two_configs()).page(["nope"], 10, token="W10=")


@pytest.mark.parametrize("ids,limit", [([], 10), ([f"e{n}" for n in range(21)], 10), (["e1"], 0), (["e1"], 101)])
def test_limits(ids, limit):
    with pytest.raises(InvalidInput):
        service(two_configs()).page(ids, limit)


def test_late_attempts_are_shown_completed_without_writing():
    pages = two_configs()
    late = Session(id="s", exam_id="e1", course_id=COURSE, user_id=STUDENT, item_ids=["a", "b", "c"],
                   attempts=[Attempt(number=1, started_at=T0, ends_at=T0, responses={"a": {"aq": [2]}})])
    pages.session(late)
    (row,) = service(pages).page(["e1"], 10).rows
    assert row[0].maturity.value == "COMPLETE" and row[0].score_actual == 33.33
    assert late.maturity.value == "IN_PROGRESS"
    assert pages.sessions["s"].maturity.value == "IN_PROGRESS" and pages.committed == []  # stored untouched
