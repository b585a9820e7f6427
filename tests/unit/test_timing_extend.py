"""Moving a running attempt (extend_from_now / extend_from_end_at) with a controllable clock."""

from datetime import UTC, datetime, timedelta

import pytest

from functions.core import timing
from functions.core.models import Attempt, Exam, Extension, LimitedBy
from functions.core.timing import EXTEND_WINDOW, extend_attempt, extend_refusal

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def exam(**fields):
    return Exam(id="e", course_id="c", title="t", **{"time_limit_minutes": 60, **fields})


def ext(**fields):
    return Extension(course_id="c", exam_id="e", user_id="u", **fields)


def running(minutes=60, **fields):
    return Attempt(number=1, started_at=T0, ends_at=T0 + minutes * MIN, limited_by=LimitedBy.TIME_LIMIT,
                   **fields)


def test_extend_from_now_sets_the_end_from_the_clock():
    now = T0 + 50 * MIN
    result = extend_attempt(exam(), None, running(), now, from_now=30)
    assert result.end == now + 30 * MIN and result.limited_by is LimitedBy.EXTENSION
    assert result.refused is None


def test_extend_from_end_at_adds_to_the_current_end():
    result = extend_attempt(exam(), None, running(), T0 + 10 * MIN, from_end_at=15)
    assert result.end == T0 + 75 * MIN and result.refused is None


def test_exactly_one_way_to_extend():
    with pytest.raises(ValueError):
        extend_attempt(exam(), None, running(), T0, from_now=1, from_end_at=1)
    with pytest.raises(ValueError):
        extend_attempt(exam(), None, running(), T0)


def test_the_one_hour_window_after_the_end():
    attempt = running()
    just_inside = attempt.ends_at + EXTEND_WINDOW - timedelta(seconds=1)
    assert extend_attempt(exam(), None, attempt, just_inside, from_now=10).end == just_inside + 10 * MIN
    at_the_hour = attempt.ends_at + EXTEND_WINDOW
    refused = extend_attempt(exam(), None, attempt, at_the_hour, from_now=10)
    assert refused.end is None and "more than an hour ago" in (refused.refused or "")


def test_an_attempt_the_timer_completed_within_the_hour_may_still_move():
    attempt = running()
    attempt.submitted_at = attempt.ends_at  # what SessionService.settle writes
    assert timing.timed_out(attempt)
    now = attempt.ends_at + 20 * MIN
    assert extend_attempt(exam(), None, attempt, now, from_now=30).end == now + 30 * MIN


def test_a_submitted_attempt_does_not_move():
    attempt = running()
    attempt.submitted_at = T0 + 10 * MIN
    assert not timing.timed_out(attempt)
    result = extend_attempt(exam(), None, attempt, T0 + 20 * MIN, from_now=30)
    assert result.end is None and "submitted" in (result.refused or "")


def test_an_untimed_attempt_does_not_move():
    untimed = Attempt(number=1, started_at=T0)
    assert "not timed" in (extend_refusal(exam(time_limit_minutes=None), untimed, T0) or "")
    closing = Attempt(number=1, started_at=T0, ends_at=T0 + 90 * MIN, limited_by=LimitedBy.CLOSE_DATE)
    assert "not timed" in (extend_refusal(exam(time_limit_minutes=None), closing, T0) or "")
    assert "no attempt" in (extend_refusal(exam(), None, T0) or "")


def test_the_close_date_caps_an_extension_unless_unlocked():
    closes = T0 + 80 * MIN
    e = exam(closes_at=closes)
    capped = extend_attempt(e, None, running(), T0 + 30 * MIN, from_end_at=60)
    assert capped.end == closes and capped.limited_by is LimitedBy.CLOSE_DATE
    free = extend_attempt(e, ext(manually_unlocked=True), running(), T0 + 30 * MIN, from_end_at=60)
    assert free.end == T0 + 120 * MIN and free.limited_by is LimitedBy.EXTENSION


def test_a_cap_that_cancels_the_extension_is_refused_with_the_reason():
    e = exam(closes_at=T0 + 60 * MIN)  # closes when the attempt ends: extending gains nothing
    result = extend_attempt(e, None, running(), T0 + 30 * MIN, from_end_at=30)
    assert result.end is None and "manually_unlocked" in (result.refused or "")
    after_close = extend_attempt(e, None, running(), T0 + 65 * MIN, from_now=30)
    assert after_close.end is None and "closed" in (after_close.refused or "")


def test_an_extension_never_shortens_an_attempt():
    result = extend_attempt(exam(), None, running(), T0 + 10 * MIN, from_now=5)  # 50 minutes are left
    assert result.end is None and "not after its current end" in (result.refused or "")


def test_from_end_at_that_stays_in_the_past_is_refused():
    attempt = running()
    result = extend_attempt(exam(), None, attempt, attempt.ends_at + 50 * MIN, from_end_at=10)
    assert result.end is None and "already passed" in (result.refused or "")


def test_running_end_applies_expiry_without_writing():
    attempt = running()
    assert timing.running_end(attempt, T0 + 59 * MIN) == attempt.ends_at
    assert timing.expired(attempt, attempt.ends_at) and timing.running_end(attempt, attempt.ends_at) is None
    attempt.submitted_at = T0 + MIN
    assert timing.running_end(attempt, T0 + 2 * MIN) is None and not timing.expired(attempt, T0 + 2 * MIN)
