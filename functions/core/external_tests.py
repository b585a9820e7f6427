"""PowerPath external tests: the rules that need no storage and no network.

What a lesson must be to be assigned, the port a provider adapter implements, when an import is final,
scores, and when the importer tries an assignment next. The service (``core/services/external_tests.py``)
applies them; the adapters live in ``functions/providers/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol, get_args

from functions.core import content
from functions.core.errors import InvalidInput
from functions.core.models import ExternalAssignment, ExternalCredentials, ExternalQuestion, Lesson

LessonType = Literal["powerpath-100", "quiz", "test-out", "placement", "unit-test", "alpha-read-article"]
Subject = Literal["Reading", "Language", "Vocabulary", "Social Studies", "Writing", "Science", "FastMath",
                  "Math", "None", "Other"]
LESSON_TYPES: tuple[str, ...] = get_args(LessonType)
SUBJECTS: tuple[str, ...] = get_args(Subject)
EXTERNAL_LESSON_TYPES = ("test-out", "placement", "unit-test")
ENROLLING_LESSON_TYPES = ("test-out", "placement")  # their import may enroll the student (subject track)
EDULASTIC, MASTERY_TRACK = "edulastic", "mastery-track"
PROVIDERS = (EDULASTIC, MASTERY_TRACK)
GRADE_MIN, GRADE_MAX = -1, 13  # Timeback grades: -1 pre-K, 0 kindergarten ... 13
MASTERYTRACK_GRADES = range(0, 13)  # MasteryTrack's grade_rank

EDULASTIC_GRADED = "GRADED"

POLL_EVERY = timedelta(minutes=5)  # an Edulastic test not yet finished, in its first day (= the schedule)
POLL_LATER = timedelta(hours=1)  # ... in its first week
POLL_SLOWLY = timedelta(days=1)  # ... after that (nothing is ever dropped from the queue)
BACKOFF_CAP = timedelta(hours=12)
AWAITING_WRITEBACK = datetime(9999, 12, 31, tzinfo=UTC)  # waits for an event (a write-back), never polled
# Consecutive failures before the importer gives up and parks the assignment for an operator (out of the work
# queue). With the backoff above (5, 10, 20 ... min, at most 12 h) the 10th failure comes ~33 h after the
# first: a provider outage of a day is ridden out, a failure that never clears costs 10 tries, not one a pass.
MAX_FAILURES = 10


class ScoreStatus(StrEnum):
    EXEMPT = "exempt"
    FULLY_GRADED = "fully graded"
    NOT_SUBMITTED = "not submitted"
    PARTIALLY_GRADED = "partially graded"
    SUBMITTED = "submitted"


# --- the provider port (functions/providers/ implements it) -----------------------------------------
@dataclass(frozen=True)
class AssignRequest:
    provider: str
    student_id: str
    student_email: str
    student_name: str
    lesson_id: str
    result_id: str  # our id for this attempt's result; MasteryTrack's write-back names it
    test_id: str | None
    subject: str
    grade: int
    application_name: str | None = None


@dataclass(frozen=True)
class Assigned:
    assignment_id: str
    test_url: str | None = None
    test_id: str | None = None
    class_id: str | None = None
    credentials: ExternalCredentials | None = None
    status: str = "assigned"


@dataclass(frozen=True)
class ProviderResults:
    status: str  # the provider's own status word
    score_status: ScoreStatus
    questions: list[ExternalQuestion] = field(default_factory=list)
    score: float | None = None  # the provider's percentage, if it gives one
    processed_seq: int | None = None  # MasteryTrack: the write-back these results came from


class ProviderPort(Protocol):
    name: str

    def assign(self, request: AssignRequest) -> Assigned: ...

    def fetch_results(self, assignment: ExternalAssignment) -> ProviderResults | None:
        """The results as they stand, or None when there is nothing new to import yet."""
        ...


# --- lessons ---------------------------------------------------------------------------------------
def check_subject_grade(subject: str, grade: int) -> None:
    if subject not in SUBJECTS:
        raise InvalidInput(f"subject must be one of {', '.join(SUBJECTS)}; got '{subject}'", field="subject")
    if not GRADE_MIN <= grade <= GRADE_MAX:
        raise InvalidInput(f"grade must be {GRADE_MIN}..{GRADE_MAX}; got {grade}", field="grade")


def check_lesson(lesson: Lesson) -> None:
    if lesson.lesson_type not in LESSON_TYPES:
        raise InvalidInput(f"lessonType must be one of {', '.join(LESSON_TYPES)}; got '{lesson.lesson_type}'",
                           field="lessonType")
    check_subject_grade(lesson.subject, lesson.grade)
    if lesson.tool_provider is not None and lesson.lesson_type not in EXTERNAL_LESSON_TYPES:
        raise InvalidInput(f"a '{lesson.lesson_type}' lesson has no toolProvider (only "
                           f"{', '.join(EXTERNAL_LESSON_TYPES)} lessons are external tests)",
                           field="toolProvider")


def check_assignable(lesson: Lesson) -> str:
    """The lesson's provider, or a 400 that names why the lesson cannot be assigned."""
    if lesson.lesson_type not in EXTERNAL_LESSON_TYPES or not lesson.tool_provider:
        kind = f"a '{lesson.lesson_type}' lesson" + ("" if lesson.tool_provider else " with no toolProvider")
        raise InvalidInput(f"lesson '{lesson.id}' is {kind}, not an external test-out, placement or "
                           "unit-test", field="lesson")
    if lesson.tool_provider not in PROVIDERS:
        raise InvalidInput(f"lesson '{lesson.id}' uses toolProvider '{lesson.tool_provider}', which is not "
                           f"supported (supported: {', '.join(PROVIDERS)})", field="lesson")
    return lesson.tool_provider


def result_id(student_id: str, lesson_id: str, attempt: int) -> str:
    """Ids never contain '|' (core/content.py ID_PATTERN), so the parts come back unambiguously."""
    return f"{student_id}|{lesson_id}|{attempt}"


_PART = content.ID_PATTERN.removeprefix("^").removesuffix("$")
_RESULT_ID = re.compile(rf"({_PART})\|({_PART})\|([1-9][0-9]{{0,4}})")


def parse_result_id(value: str) -> tuple[str, str, int] | None:
    """Only what ``result_id`` makes (user and lesson ids are ``content.ID_PATTERN``, attempts 1..99999), so
    whatever a sender writes, the keys it leads to stay within DynamoDB's byte limits."""
    found = _RESULT_ID.fullmatch(value)
    return (found[1], found[2], int(found[3])) if found else None


# --- results ---------------------------------------------------------------------------------------
def is_final(provider: str, status: str, score_status: str, questions: list[ExternalQuestion],
             processed: bool) -> bool:
    """Edulastic: every question answered and the test GRADED. MasteryTrack: "fully graded" and the
    write-back processed."""
    if provider == EDULASTIC:
        return status == EDULASTIC_GRADED and bool(questions) and all(q.answered for q in questions)
    if provider == MASTERY_TRACK:
        return score_status == ScoreStatus.FULLY_GRADED and processed
    return False


def tally(questions: list[ExternalQuestion]) -> tuple[int, int, float]:
    """(correct, total, accuracy in percent)."""
    total = len(questions)
    correct = sum(1 for q in questions if q.correct)
    return correct, total, round(100 * correct / total, 2) if total else 0.0


def percent_score(questions: list[ExternalQuestion]) -> float | None:
    graded = [q for q in questions if q.score is not None]
    possible = sum(q.max_score for q in graded)
    if not graded or possible <= 0:
        return None
    return round(100 * sum(q.score or 0 for q in graded) / possible, 2)


# --- when to try next ------------------------------------------------------------------------------
def backoff(failures: int, base: timedelta = POLL_EVERY) -> timedelta:
    """After consecutive provider errors: base (5 min), 2x, 4x ... at most 12 h."""
    if failures <= 0:
        return timedelta(0)
    return min(base * 2 ** min(failures - 1, 20), max(base, BACKOFF_CAP))


def next_poll(assignment: ExternalAssignment, now: datetime, every: timedelta = POLL_EVERY) -> datetime:
    """When to look again at a pending assignment that had no error: every pass (``every``, the schedule's
    rate) in its first day, hourly in its first week, daily after that."""
    if assignment.tool_provider == MASTERY_TRACK:
        return AWAITING_WRITEBACK  # results come by write-back, which makes the assignment due at once
    age = now - assignment.assigned_at
    if age < timedelta(days=1):
        return now + every
    return now + max(every, POLL_LATER if age < timedelta(days=7) else POLL_SLOWLY)


def has_news(assignment: ExternalAssignment) -> bool:
    """Whether an import could change anything (MasteryTrack: only a write-back not yet processed)."""
    if assignment.finalized or assignment.parked_at is not None:
        return False
    if assignment.tool_provider == MASTERY_TRACK:
        return assignment.writeback_seq > assignment.processed_seq
    return True


def apply_results(assignment: ExternalAssignment, results: ProviderResults, now: datetime,
                  every: timedelta = POLL_EVERY) -> ExternalAssignment:
    after = assignment.model_copy(deep=True)
    after.status = results.status
    after.score_status = results.score_status.value
    after.questions = list(results.questions)
    after.score = results.score if results.score is not None else percent_score(after.questions)
    if results.processed_seq is not None:
        after.processed_seq = results.processed_seq
    after.finalized = is_final(after.tool_provider, after.status, after.score_status, after.questions,
                               after.mastery_track_processed)
    after.failures, after.last_error = 0, None
    after.last_tried_at = after.imported_at = now
    after.finalized_at = now if after.finalized else None
    after.next_try_at = None if after.finalized else next_poll(after, now, every)
    return after


def nothing_new(assignment: ExternalAssignment, now: datetime, every: timedelta = POLL_EVERY
                ) -> ExternalAssignment:
    after = assignment.model_copy(deep=True)
    after.last_tried_at = now
    after.failures, after.last_error = 0, None
    after.next_try_at = next_poll(after, now, every)
    return after


def failed(assignment: ExternalAssignment, now: datetime, message: str, every: timedelta = POLL_EVERY,
           max_failures: int = MAX_FAILURES) -> ExternalAssignment:
    """One more consecutive failure, recorded on the assignment: tried again after the backoff, or, at the
    ``max_failures``th, parked for an operator (out of the work queue until re-queued or written back)."""
    after = assignment.model_copy(deep=True)
    after.failures += 1
    after.last_error = message[:1000]
    after.last_tried_at = now
    if after.failures >= max_failures:
        after.parked_at, after.next_try_at = now, None
    else:
        after.next_try_at = now + backoff(after.failures, every)
    return after


def requeued(assignment: ExternalAssignment, now: datetime) -> ExternalAssignment:
    """An operator puts a parked assignment back in the work queue, due now, with a fresh set of tries."""
    after = assignment.model_copy(deep=True)
    after.parked_at, after.failures, after.next_try_at = None, 0, now
    return after


def wants_enrollment(assignment: ExternalAssignment) -> bool:
    enrolling = assignment.lesson_type in ENROLLING_LESSON_TYPES
    return assignment.finalized and enrolling and assignment.enrollment is None
