"""Part 3, scaling: each list route's page with 1,000 and with N (100,000 by default) learners in ONE course,
the Open edX demo course (``dataset.add_course_learners``: a session each on its timed exam, extra time for
one in ten on its proctored exam), search and orderings included. Lists are read from write-sharded index
partitions a page at a time (docs/data-model.md, "Lists"), so requests and read units must be equal at both
sizes (ratio <= 1.05). LearningStudio's list reads one user's partition: the bulk does not touch it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bench.capacity import Meter
from bench.dataset import COURSE_EXAM, COURSE_QUIZ
from bench.report import Row
from infra.local.demo_data import COURSE, OPENEDX_COURSE

GOAL = 1.05
EDX = {"course_id": OPENEDX_COURSE}
Query = dict[str, list[str]] | None
# label: route, path, caller, query (or a function giving it, called before the meter starts), body
LISTS: dict[str, tuple[str, dict[str, str], str, Query | Callable[[], Query], Any]] = {
    "Open edX course attempts (page 1 of 10)": ("openedx_list_course_attempts", EDX, "irene", None, None),
    "Open edX course attempts, page 2 by its next link": (
        "openedx_list_course_attempts", EDX, "irene", lambda: _next("openedx_list_course_attempts", EDX), None),
    "Open edX course attempts, search (username / email prefix)": (
        "openedx_list_course_attempts", EDX, "irene", {"search": ["BULK-B-0001"]}, None),
    "Open edX course attempts, ordering=-username": (
        "openedx_list_course_attempts", EDX, "irene", {"ordering": ["-username"]}, None),
    "Open edX course attempts, ordering=email": (
        "openedx_list_course_attempts", EDX, "irene", {"ordering": ["email"]}, None),
    "Open edX exam attempts (page of 100)": ("openedx_list_exam_attempts", {**EDX, "exam_id": "<timed>"},
                                             "irene", None, None),
    "Open edX exam attempts, search": ("openedx_list_exam_attempts", {**EDX, "exam_id": "<timed>"}, "irene",
                                       {"search": ["bulk-a-0001"]}, None),
    "Open edX course allowances (page 1 of 10)": ("openedx_list_course_allowances", EDX, "irene", None, None),
    "Open edX course allowances, search": ("openedx_list_course_allowances", EDX, "irene",
                                           {"search": ["bulk-b-00010"]}, None),
    "Open edX course allowances, ordering=username": ("openedx_list_course_allowances", EDX, "irene",
                                                      {"ordering": ["username"]}, None),
    "Canvas course extensions (per_page 10)": ("canvas_list_course_extensions", EDX, "irene",
                                               {"per_page": ["10"]}, None),
    "Canvas quiz extensions (per_page 10)": ("canvas_list_quiz_extensions", {**EDX, "quiz_id": COURSE_QUIZ},
                                             "irene", {"per_page": ["10"]}, None),
    "ExamSpark sessions + aggregations (page of 20)": (
        "examspark_list_sessions", {}, "irene", {"include[]": ["results"], "limit": ["20"]},
        {"filter": {"examConfigIds": {"include": [COURSE_EXAM]}}}),
    "LearningStudio a user's exams": ("learningstudio_list_user_exams", {"userId": "kevin", "courseId": COURSE},
                                      "kevin", None, None),
}


def _path(path: dict[str, str]) -> dict[str, str]:
    from functions.core.numeric_ids import Kind, number

    return {k: str(number(Kind.EXAM, COURSE_EXAM)) if v == "<timed>" else v for k, v in path.items()}


def _next(name: str, path: dict[str, str]) -> Query:
    from bench.calls import invoke

    status, answer = invoke(name, _path(path), caller="irene")
    if status != 200 or not answer.get("next"):
        raise RuntimeError(f"{name}: {status} {answer}")
    return parse_qs(urlsplit(answer["next"]).query)


def page_costs() -> dict[str, Meter]:
    from bench.calls import invoke
    from functions.data import dynamo

    out = {}
    for label, (name, path, caller, query, body) in LISTS.items():
        asked = query() if callable(query) else query
        meter = Meter().attach(dynamo.client())
        try:
            status, answer = invoke(name, _path(path), caller=caller, query=asked, body=body)
        finally:
            meter.detach(dynamo.client())
        if status != 200:
            raise RuntimeError(f"{label}: {status} {answer}")
        out[label] = meter
    return out


def rows(sessions: int = 100_000) -> list[Row]:
    from bench.dataset import add_course_learners

    small_seconds = add_course_learners(500, "bulk-a") + add_course_learners(500, "bulk-b")
    small = page_costs()
    big_seconds = add_course_learners(sessions - 1000, "bulk-b", start=500)
    big = page_costs()
    out = [Row("scaling", "bulk load into one course (BatchWriteItem, 25 per request; user, session, 1 in 10 an "
                          "extension)",
               f"1,000 learners in {small_seconds:.0f} s; {sessions - 1000:,} more in {big_seconds:.0f} s "
               f"({(sessions - 1000) / max(big_seconds, 0.001):.0f} learners/s)")]
    for label, before in small.items():
        after = big[label]
        ratios = [after.total / before.total, (after.rcu or 1) / (before.rcu or 1)]
        out.append(Row("scaling", label, f"1k: {before.total} req {before.rcu:g} RCU; {sessions // 1000}k: "
                       f"{after.total} req {after.rcu:g} RCU (x{max(ratios):.2f})", f"<= {GOAL}x",
                       max(ratios) <= GOAL))
    return out
