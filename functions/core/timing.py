"""The one set of timing rules: when an attempt ends, how many attempts a student has, and when a running
attempt may move. Every dialect shows the end time computed here (docs/timing-rules.md explains the rules).

Open edX allowances and Canvas quiz extensions are one object (``Extension``); they compose as
``time limit x multiplier + extra minutes``, then the exam's close date caps the end unless the student is
manually unlocked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.core.models import Attempt, Exam, Extension, LimitedBy

# An attempt the timer ended may still be extended for this long after its end (Canvas' rule).
EXTEND_WINDOW = timedelta(hours=1)


def multiplier(extension: Extension | None) -> float:
    """The time multiplier in force; below 1 is ignored (a multiplier never takes time away)."""
    value = extension.time_multiplier if extension and extension.time_multiplier else 1.0
    return max(1.0, value)


def allowed_minutes(exam: Exam, extension: Extension | None) -> float | None:
    """The timer of a new attempt in minutes (None: untimed): limit x multiplier + extra minutes."""
    if exam.time_limit_minutes is None:
        return None
    extra = extension.extra_time_minutes if extension else 0
    return exam.time_limit_minutes * multiplier(extension) + max(0, extra)


def granted_minutes(exam: Exam, extension: Extension | None) -> int:
    """What the extension adds to the time limit, in whole minutes (Open edX reports allowances so)."""
    allowed = allowed_minutes(exam, extension)
    if allowed is None or exam.time_limit_minutes is None:
        return 0
    return round(allowed - exam.time_limit_minutes)


def unlocked(extension: Extension | None) -> bool:
    return bool(extension and extension.manually_unlocked)


def attempt_end(
    exam: Exam, extension: Extension | None, started_at: datetime
) -> tuple[datetime | None, LimitedBy]:
    """End = start + time limit x multiplier + extra time, capped by the close date unless unlocked.

    ``limited_by`` names the rule that fixed the end: the timer (time limit, or an extension when it
    granted more), the close date, or unlock when an untimed attempt has no end because the student is
    unlocked past the close date.
    """
    end: datetime | None = None
    limited_by = LimitedBy.UNTIMED
    minutes = allowed_minutes(exam, extension)
    if minutes is not None:
        end = started_at + timedelta(minutes=minutes)
        assert exam.time_limit_minutes is not None
        limited_by = LimitedBy.EXTENSION if minutes > exam.time_limit_minutes else LimitedBy.TIME_LIMIT
    if exam.closes_at is not None and (end is None or exam.closes_at < end):
        if unlocked(extension):
            limited_by = LimitedBy.UNLOCK if end is None else limited_by
        else:
            end, limited_by = exam.closes_at, LimitedBy.CLOSE_DATE
    return end, limited_by


def window_open(exam: Exam, extension: Extension | None, now: datetime) -> bool:
    """May a student start or continue outside an attempt's own timer? Unlock lifts the window."""
    if unlocked(extension):
        return True
    if exam.opens_at is not None and now < exam.opens_at:
        return False
    return not (exam.closes_at is not None and now >= exam.closes_at)


def allowed_attempts(exam: Exam, extension: Extension | None) -> int:
    """The exam's attempts plus the extension's extra attempts (these apply to the next attempts)."""
    return exam.max_attempts + (extension.extra_attempts if extension else 0)


def attempts_left(exam: Exam, extension: Extension | None, used: int) -> int:
    return max(0, allowed_attempts(exam, extension) - used)


# --- a running attempt ------------------------------------------------------------------------------------
def expired(attempt: Attempt, now: datetime) -> bool:
    """Past its end and not yet completed: the next read or write completes it (lazy expiry)."""
    return not attempt.complete and attempt.ends_at is not None and now >= attempt.ends_at


def timed_out(attempt: Attempt) -> bool:
    """Completed by the timer rather than by the student: expiry sets ``submitted_at`` to ``ends_at``
    (SessionService.settle), and a student cannot submit after the end."""
    return (attempt.submitted_at is not None and attempt.ends_at is not None
            and attempt.submitted_at >= attempt.ends_at)


def running_end(attempt: Attempt | None, now: datetime) -> datetime | None:
    """The end of an attempt still running at ``now`` (None when there is none or it has no end)."""
    if attempt is None or attempt.complete or expired(attempt, now):
        return None
    return attempt.ends_at


def extend_refusal(exam: Exam, attempt: Attempt | None, now: datetime) -> str | None:
    """Why a running attempt may not move (None: it may). Only a timed attempt the student has not
    submitted, whose end is less than an hour past, moves."""
    if attempt is None:
        return "the student has no attempt to extend"
    if exam.time_limit_minutes is None or attempt.ends_at is None:
        return f"attempt {attempt.number} is not timed"
    if attempt.complete and not timed_out(attempt):
        return f"attempt {attempt.number} was submitted; extra time applies to the next attempt"
    if now - attempt.ends_at >= EXTEND_WINDOW:
        return (f"attempt {attempt.number} ended at {attempt.ends_at.isoformat()}, "
                f"more than an hour ago; it can no longer be extended")
    return None


@dataclass(frozen=True)
class Extended:
    """The outcome of extending a running attempt: its new end, or why it cannot move."""

    end: datetime | None
    limited_by: LimitedBy
    refused: str | None = None


def extend_attempt(exam: Exam, extension: Extension | None, attempt: Attempt | None, now: datetime, *,
                   from_now: int | None = None, from_end_at: int | None = None) -> Extended:
    """Canvas' ``extend_from_now`` (end = now + n minutes) or ``extend_from_end_at`` (end += n minutes).

    The close date caps the new end unless the student is unlocked, and an extension that would not
    lengthen the attempt past now and past its current end is refused with the reason, never applied
    silently.
    """
    if (from_now is None) == (from_end_at is None):
        raise ValueError("exactly one of from_now and from_end_at")
    refusal = extend_refusal(exam, attempt, now)
    if refusal is not None or attempt is None or attempt.ends_at is None:
        return Extended(None, LimitedBy.UNTIMED, refusal or "the attempt is not timed")
    base = now if from_now is not None else attempt.ends_at
    end = base + timedelta(minutes=from_now if from_now is not None else from_end_at or 0)
    limited_by = LimitedBy.EXTENSION
    if exam.closes_at is not None and exam.closes_at < end and not unlocked(extension):
        end, limited_by = exam.closes_at, LimitedBy.CLOSE_DATE
    if end <= now:
        why = (f"the exam closed at {end.isoformat()}; set manually_unlocked to extend past it"
               if limited_by is LimitedBy.CLOSE_DATE else f"the new end {end.isoformat()} has already passed")
        return Extended(None, limited_by, f"attempt {attempt.number} cannot be extended: {why}")
    if end <= attempt.ends_at:
        why = (f"the exam closes at {end.isoformat()}; set manually_unlocked to extend past it"
               if limited_by is LimitedBy.CLOSE_DATE
               else f"the new end {end.isoformat()} is not after its current end "
                    f"{attempt.ends_at.isoformat()}")
        return Extended(None, limited_by, f"attempt {attempt.number} cannot be extended: {why}")
    return Extended(end, limited_by)
