"""Every 5xx a route answers itself counts as one ``Route5xx`` (the metric the Route5xx alarm watches): a route
turns an unexpected exception into a 500, so Lambda's own Errors metric never sees it."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from functions.platform import observability
from tests.conftest import call
from tests.factories import classroom


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    seen: list[tuple[str, float]] = []

    def add_metric(name: str, unit: Any, value: float, **_: Any) -> None:
        seen.append((name, value))

    monkeypatch.setattr(observability.metrics, "add_metric", add_metric)
    return seen


def test_a_route_that_fails_unexpectedly_counts_a_route_5xx(table, emitted, monkeypatch):
    classroom()
    module = importlib.import_module("functions.api.authoring.get_course")

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(module, "authoring", broken)
    answer = call("get_course", {"courseId": "course-1"}, as_user="instructor-course-1")
    assert answer.status == 500
    assert ("get_course.5xx", 1) in emitted and (observability.ROUTE_5XX, 1) in emitted


def test_answers_below_500_count_no_route_5xx(table, emitted):
    classroom()
    assert call("get_course", {"courseId": "course-1"}, as_user="instructor-course-1").status == 200
    assert call("get_course", {"courseId": "nope"}, as_user="instructor-course-1").status == 404
    assert ("get_course.2xx", 1) in emitted and ("get_course.4xx", 1) in emitted
    assert all(name != observability.ROUTE_5XX for name, _ in emitted)


@pytest.mark.parametrize(("status", "route_5xx"), [(200, False), (404, False), (500, True), (503, True)])
def test_count_answer(emitted, status, route_5xx):
    observability.count_answer("r", status)
    assert emitted[0] == (f"r.{status // 100}xx", 1)
    assert ((observability.ROUTE_5XX, 1) in emitted) == route_5xx
