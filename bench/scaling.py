"""Part 3, scaling: the same first page of each list route with 1,000 and with N (100,000 by default) bulk
sessions added to the table, all on the ExamSpark demo exam (its list is the one that could grow: the page
must not). The other lists read partitions the bulk does not touch: their figures show the table's size does
not leak into them. Requests and units must be equal (ratio <= 1.05)."""

from __future__ import annotations

from typing import Any

from bench.capacity import Meter
from bench.report import Row
from infra.local.demo_data import COURSE, EXAM, OPENEDX_COURSE

GOAL = 1.05
LISTS: dict[str, tuple[str, dict[str, str], str, dict[str, list[str]] | None, Any]] = {
    "ExamSpark sessions + aggregations (page of 20)": (
        "examspark_list_sessions", {}, "theo", {"include[]": ["results"], "limit": ["20"]},
        {"filter": {"examConfigIds": {"include": [EXAM]}}}),
    "Open edX course attempts": ("openedx_list_course_attempts", {"course_id": OPENEDX_COURSE}, "irene", None, None),
    "Open edX course allowances": ("openedx_list_course_allowances", {"course_id": OPENEDX_COURSE}, "irene", None,
                                   None),
    "LearningStudio a user's exams": ("learningstudio_list_user_exams", {"userId": "kevin", "courseId": COURSE},
                                      "kevin", None, None),
}


def page_costs() -> dict[str, Meter]:
    from bench.calls import invoke
    from functions.data import dynamo

    out = {}
    for label, (name, path, caller, query, body) in LISTS.items():
        meter = Meter().attach(dynamo.client())
        try:
            status, answer = invoke(name, path, caller=caller, query=query, body=body)
        finally:
            meter.detach(dynamo.client())
        if status != 200:
            raise RuntimeError(f"{label}: {status} {answer}")
        out[label] = meter
    return out


def rows(sessions: int = 100_000) -> list[Row]:
    from bench.dataset import add_sessions

    small_seconds = add_sessions(1000, EXAM, "bulk-a")
    small = page_costs()
    big_seconds = add_sessions(sessions - 1000, EXAM, "bulk-b")
    big = page_costs()
    out = [Row("scaling", "bulk load (BatchWriteItem, 25 per request)",
               f"1,000 in {small_seconds:.0f} s; {sessions - 1000:,} more in {big_seconds:.0f} s "
               f"({(sessions - 1000) / max(big_seconds, 0.001):.0f} items/s)")]
    for label, before in small.items():
        after = big[label]
        ratios = [after.total / before.total, (after.rcu or 1) / (before.rcu or 1)]
        out.append(Row("scaling", label, f"1k: {before.total} req {before.rcu:g} RCU; {sessions // 1000}k: "
                       f"{after.total} req {after.rcu:g} RCU (x{max(ratios):.2f})", f"<= {GOAL}x",
                       max(ratios) <= GOAL))
    return out
