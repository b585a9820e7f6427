"""The one place that decides when an attempt ends (every dialect shows this end time)."""

from __future__ import annotations

from datetime import datetime, timedelta

from functions.core.models import Exam, Extension, LimitedBy


def attempt_end(
    exam: Exam, extension: Extension | None, started_at: datetime
) -> tuple[datetime | None, LimitedBy]:
    """End = start + time limit + extra time (or x multiplier), capped by the close date unless unlocked."""
    unlocked = bool(extension and extension.manually_unlocked)
    end: datetime | None = None
    limited_by = LimitedBy.UNTIMED
    if exam.time_limit_minutes is not None:
        minutes: float = exam.time_limit_minutes
        limited_by = LimitedBy.TIME_LIMIT
        if extension and extension.time_multiplier and extension.time_multiplier > 1:
            minutes = minutes * extension.time_multiplier
            limited_by = LimitedBy.EXTENSION
        if extension and extension.extra_time_minutes:
            minutes += extension.extra_time_minutes
            limited_by = LimitedBy.EXTENSION
        end = started_at + timedelta(minutes=minutes)
    if exam.closes_at is not None and (end is None or exam.closes_at < end):
        if unlocked:
            limited_by = LimitedBy.UNLOCK if end is None else limited_by
        else:
            end, limited_by = exam.closes_at, LimitedBy.CLOSE_DATE
    return end, limited_by


def window_open(exam: Exam, extension: Extension | None, now: datetime) -> bool:
    """May a student start or continue outside an attempt's own timer? Unlock lifts the window."""
    if extension and extension.manually_unlocked:
        return True
    if exam.opens_at is not None and now < exam.opens_at:
        return False
    return not (exam.closes_at is not None and now >= exam.closes_at)


def allowed_attempts(exam: Exam, extension: Extension | None) -> int:
    return exam.max_attempts + (extension.extra_attempts if extension else 0)
