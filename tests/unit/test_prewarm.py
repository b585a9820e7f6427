"""The pre-warm sizing rule and plan (functions/core/prewarm.py): pure, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.core import prewarm
from functions.core.prewarm import Moment

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
DURATIONS = dict.fromkeys(prewarm.ROUTES, 0.2)


class FakeConcurrency:
    def __init__(self, current: dict[str, int]) -> None:
        self.now = dict(current)
        self.calls: list[tuple[str, str, int]] = []

    def current(self, function: str) -> int:
        return self.now.get(function, 0)

    def provision(self, function: str, environments: int) -> None:
        self.calls.append(("provision", function, environments))
        self.now[function] = environments

    def release(self, function: str) -> None:
        self.calls.append(("release", function, 0))
        self.now.pop(function, None)


def test_environments_is_rate_times_duration_times_headroom_rounded_up_and_capped() -> None:
    assert prewarm.environments(100_000, 60, 0.131, cap=1000) == 328  # 1,666.7/s x 0.131 s x 1.5 = 327.5
    assert prewarm.environments(100_000, 300, 0.11, cap=1000) == 55
    assert prewarm.environments(1, 60, 0.2, cap=1000) == 1  # any student: at least one environment
    assert prewarm.environments(100_000, 60, 0.13, cap=200) == 200
    assert prewarm.environments(0, 60, 0.13, cap=1000) == 0
    assert prewarm.environments(10, 60, 0.13, cap=1000, headroom=1.0) == 1


def test_an_opening_is_served_from_its_lead_plus_a_tick_to_its_tail() -> None:
    opens = Moment("exam-1", "open", NOW)
    assert not prewarm.active(opens, NOW - timedelta(minutes=16))
    assert prewarm.active(opens, NOW - timedelta(minutes=15))
    assert prewarm.active(opens, NOW + timedelta(minutes=10))
    assert not prewarm.active(opens, NOW + timedelta(minutes=11))
    closes = Moment("exam-1", "close", NOW)
    assert prewarm.active(closes, NOW - timedelta(minutes=12))
    assert not prewarm.active(closes, NOW + timedelta(minutes=1))  # nothing to submit after the close
    low, high = prewarm.lookup_range(NOW)
    assert (low, high) == (NOW - timedelta(minutes=10), NOW + timedelta(minutes=15))


def test_plan_sizes_each_phase_s_routes_stacks_exams_and_caps() -> None:
    one = [(Moment("exam-1", "open", NOW + timedelta(minutes=5)), 12_000)]
    wanted = prewarm.plan(one, NOW, DURATIONS, cap=400)
    assert wanted == {"examspark_start_session": 60, "learningstudio_begin_exam": 60,  # 200/s x 0.2 x 1.5
                      "examspark_set_responses": 0}
    two = [*one, (Moment("exam-2", "open", NOW), 12_000), (Moment("exam-3", "close", NOW), 30_000)]
    wanted = prewarm.plan(two, NOW, DURATIONS, cap=400)
    assert wanted["examspark_start_session"] == 120 and wanted["examspark_set_responses"] == 30
    assert prewarm.plan(two, NOW, DURATIONS, cap=100)["examspark_start_session"] == 100
    later = prewarm.plan(two, NOW + timedelta(hours=1), DURATIONS, cap=400)
    assert set(later.values()) == {0}


def test_apply_touches_only_what_differs_and_releases_what_is_no_longer_wanted() -> None:
    functions = {"examspark_start_session": "fn-start", "examspark_set_responses": "fn-submit"}
    port = FakeConcurrency({"fn-start": 60, "fn-submit": 30})
    wanted = {"examspark_start_session": 60, "examspark_set_responses": 0, "learningstudio_begin_exam": 9}
    changed = prewarm.apply(wanted, functions, port)
    assert changed == {"examspark_set_responses": 0}  # begin has no deployed function here: skipped
    assert port.calls == [("release", "fn-submit", 0)]
    assert prewarm.apply({"examspark_start_session": 90}, functions, port) == {"examspark_start_session": 90}
    assert port.calls[-1] == ("provision", "fn-start", 90)
