from datetime import UTC, datetime, timedelta

from functions.core.models import Exam, Extension, LimitedBy
from functions.core.timing import allowed_attempts, attempt_end, window_open

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def exam(**fields):
    return Exam(id="e", course_id="c", title="t", **fields)


def ext(**fields):
    return Extension(course_id="c", exam_id="e", user_id="u", **fields)


def test_untimed_exam_without_close_date_never_ends():
    assert attempt_end(exam(), None, T0) == (None, LimitedBy.UNTIMED)


def test_time_limit():
    assert attempt_end(exam(time_limit_minutes=60), None, T0) == (T0 + timedelta(minutes=60), LimitedBy.TIME_LIMIT)


def test_extra_time_and_multiplier_are_an_extension():
    end, by = attempt_end(exam(time_limit_minutes=60), ext(extra_time_minutes=30, time_multiplier=1.5), T0)
    assert end == T0 + timedelta(minutes=120) and by is LimitedBy.EXTENSION


def test_close_date_caps_unless_unlocked():
    closes = T0 + timedelta(minutes=45)
    e = exam(time_limit_minutes=60, closes_at=closes)
    assert attempt_end(e, ext(extra_time_minutes=30), T0) == (closes, LimitedBy.CLOSE_DATE)
    assert attempt_end(e, ext(extra_time_minutes=30, manually_unlocked=True), T0) == (
        T0 + timedelta(minutes=90), LimitedBy.EXTENSION)


def test_untimed_exam_ends_at_close_date():
    closes = T0 + timedelta(days=1)
    assert attempt_end(exam(closes_at=closes), None, T0) == (closes, LimitedBy.CLOSE_DATE)


def test_window_and_unlock():
    e = exam(opens_at=T0, closes_at=T0 + timedelta(hours=1))
    assert not window_open(e, None, T0 - timedelta(seconds=1))
    assert window_open(e, None, T0)
    assert not window_open(e, None, T0 + timedelta(hours=1))
    assert window_open(e, ext(manually_unlocked=True), T0 + timedelta(hours=2))


def test_allowed_attempts_adds_extra_attempts():
    assert allowed_attempts(exam(max_attempts=2), ext(extra_attempts=3)) == 5
    assert allowed_attempts(exam(max_attempts=2), None) == 2
