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
    assert attempt_end(exam(time_limit_minutes=60), None, T0) == (
        T0 + timedelta(minutes=60), LimitedBy.TIME_LIMIT)


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


# --- the multiplier and extra minutes compose (Open edX allowance + Canvas extension) ---------------------
def test_multiplier_applies_to_the_time_limit_then_minutes_are_added():
    from functions.core.timing import allowed_minutes, granted_minutes

    e = exam(time_limit_minutes=60)
    assert allowed_minutes(e, ext(time_multiplier=1.5)) == 90
    assert allowed_minutes(e, ext(extra_time_minutes=20)) == 80
    assert allowed_minutes(e, ext(time_multiplier=2, extra_time_minutes=20)) == 140
    assert granted_minutes(e, ext(time_multiplier=2, extra_time_minutes=20)) == 80
    assert allowed_minutes(exam(), ext(time_multiplier=2, extra_time_minutes=20)) is None  # untimed stays so


def test_two_grants_together_never_give_less_time_than_either_alone():
    e = exam(time_limit_minutes=45)
    both, _ = attempt_end(e, ext(time_multiplier=1.25, extra_time_minutes=15), T0)
    alone = [attempt_end(e, ext(time_multiplier=1.25), T0)[0],
             attempt_end(e, ext(extra_time_minutes=15), T0)[0]]
    assert both is not None and all(a is not None and both >= a for a in alone)


def test_a_multiplier_below_one_never_takes_time_away():
    assert attempt_end(exam(time_limit_minutes=60), ext(time_multiplier=0.5), T0) == (
        T0 + timedelta(minutes=60), LimitedBy.TIME_LIMIT)


def test_a_zero_extension_is_the_time_limit():
    assert attempt_end(exam(time_limit_minutes=60), ext(), T0)[1] is LimitedBy.TIME_LIMIT


def test_cap_by_close_date_hides_no_extension():
    """The cap wins over the multiplier too, and says so."""
    closes = T0 + timedelta(minutes=70)
    e = exam(time_limit_minutes=60, closes_at=closes)
    assert attempt_end(e, ext(time_multiplier=1.5), T0) == (closes, LimitedBy.CLOSE_DATE)
    assert attempt_end(e, None, T0) == (T0 + timedelta(minutes=60), LimitedBy.TIME_LIMIT)


def test_unlocked_untimed_attempt_has_no_end_and_says_unlock():
    assert attempt_end(exam(closes_at=T0 + timedelta(hours=1)), ext(manually_unlocked=True), T0) == (
        None, LimitedBy.UNLOCK)


def test_extra_attempts_and_attempts_left():
    from functions.core.timing import attempts_left

    e = exam(max_attempts=1)
    assert attempts_left(e, None, used=1) == 0
    assert attempts_left(e, ext(extra_attempts=2), used=1) == 2
    assert attempts_left(e, ext(extra_attempts=2), used=5) == 0
