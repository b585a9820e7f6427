"""Open edX attempt statuses (edx-proctoring's ProctoredExamStudentAttemptStatus) and their state machine.

An attempt is *incomplete* while it can still be worked on and *complete* once it has ended; moving from a
complete status back to an incomplete one is illegal ("if a re-attempt is desired the attempt must be
deleted": a reset). ``timed_out`` is where the timer puts an attempt, and it becomes ``submitted`` at once.

Our sessions know three states of an attempt: running, submitted by the student, ended by the timer (lazy
expiry: an attempt past its end counts as ended on every read). ``status_of`` maps them onto edX's names.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from functions.core import timing
from functions.core.errors import InvalidInput
from functions.core.models import Attempt


class Status(StrEnum):
    CREATED = "created"
    DOWNLOAD_SOFTWARE_CLICKED = "download_software_clicked"
    READY_TO_START = "ready_to_start"
    STARTED = "started"
    READY_TO_SUBMIT = "ready_to_submit"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"
    ERROR = "error"
    TIMED_OUT = "timed_out"
    DECLINED = "declined"
    SECOND_REVIEW_REQUIRED = "second_review_required"
    ONBOARDING_MISSING = "onboarding_missing"
    ONBOARDING_PENDING = "onboarding_pending"
    ONBOARDING_FAILED = "onboarding_failed"
    ONBOARDING_EXPIRED = "onboarding_expired"


INCOMPLETE = frozenset({Status.CREATED, Status.DOWNLOAD_SOFTWARE_CLICKED, Status.READY_TO_START,
                        Status.STARTED, Status.READY_TO_SUBMIT})
COMPLETE = frozenset(Status) - INCOMPLETE


def is_complete(status: Status) -> bool:
    return status in COMPLETE


def check_transition(before: Status, after: Status) -> None:
    """Refuse (400) what edX refuses: a complete attempt never becomes incomplete again."""
    if before in COMPLETE and after in INCOMPLETE:
        raise InvalidInput(f"an attempt cannot go from '{before.value}' back to '{after.value}': it has "
                           "ended; reset the student's attempt to allow a re-attempt", field="status")


def path(before: Status, *after: Status) -> Status:
    """Walk ``before`` through ``after``, checking every step; the final status."""
    current = before
    for step in after:
        check_transition(current, step)
        current = step
    return current


def status_of(attempt: Attempt, now: datetime) -> Status:
    """The edX status of one of our attempts at ``now``. An attempt the timer ended (stored so by a write,
    or past its end and not yet written: lazy expiry) went ``started -> timed_out -> submitted``."""
    if not attempt.complete and not timing.expired(attempt, now):
        return Status.STARTED
    if timing.expired(attempt, now) or timing.timed_out(attempt):
        return path(Status.STARTED, Status.TIMED_OUT, Status.SUBMITTED)
    return path(Status.STARTED, Status.SUBMITTED)


def ended_at(attempt: Attempt, now: datetime) -> datetime | None:
    """When it ended (edX ``completed_at``): submitted, or its end once the timer has passed it."""
    if attempt.submitted_at is not None:
        return attempt.submitted_at
    return attempt.ends_at if timing.expired(attempt, now) else None


def allowed_minutes(attempt: Attempt) -> int | None:
    """The time this attempt was given, fixed when it started (limit, allowance and caps applied): None for
    an attempt with no end."""
    if attempt.ends_at is None:
        return None
    return max(0, round((attempt.ends_at - attempt.started_at).total_seconds() / 60))
