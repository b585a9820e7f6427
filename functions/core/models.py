"""Domain models: one shape per entity, shared by every dialect. Timestamps are timezone-aware UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Course(Model):
    id: str
    title: str
    institution: str = "default"
    active: bool = True
    created_at: datetime | None = None


class User(Model):
    id: str
    username: str
    email: str
    name: str
    admin: bool = False  # institution administrator: every right in every course
    created_at: datetime | None = None


class Role(Model):
    id: str
    name: str
    rights: list[str]
    custom: bool = True


class Enrollment(Model):
    course_id: str
    user_id: str
    role: str  # a Role.id
    active: bool = True


class ExamType(StrEnum):
    STANDARD = "standard"
    TIMED = "timed"
    PROCTORED = "proctored"
    PRACTICE = "practice"


class ScoringPolicy(StrEnum):
    """How a session's score follows from its attempts (ExamSpark ``attemptResolutionStrategy.mode``)."""

    HIGHEST = "HIGHEST"
    LATEST = "LATEST"
    AVERAGE = "AVERAGE"


class Exam(Model):
    id: str
    course_id: str
    title: str
    type: ExamType = ExamType.STANDARD
    time_limit_minutes: int | None = None  # None: untimed
    opens_at: datetime | None = None
    due_at: datetime | None = None
    closes_at: datetime | None = None
    max_attempts: int = 1
    retakable: bool = False
    active: bool = True
    hide_after_due: bool = False
    scoring_policy: ScoringPolicy = ScoringPolicy.HIGHEST
    item_pool: list[str] = Field(default_factory=list)
    draw_count: int | None = None  # None: every item of the pool
    score_min: float = 0
    score_max: float = 100
    show_score_on_complete: bool = True
    # Answer keys follow every completed attempt instead of only the last one a student can start
    # (core/disclosure.py): an exam must say so explicitly.
    show_keys_after_each_attempt: bool = False
    shuffle_options: bool = False
    version: int = 1


class Objective(Model):
    id: str
    course_id: str
    text: str
    abbreviation: str


class Option(Model):
    id: str
    content: str
    is_key: bool = False


class Question(Model):
    id: str
    interaction_type: str = "choice"
    options: list[Option]


class Item(Model):
    id: str
    course_id: str
    name: str
    alignment_ids: list[str] = Field(default_factory=list)
    questions: list[Question]
    version: int = 1


class Maturity(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"


class LimitedBy(StrEnum):
    """Which rule fixed an attempt's end time (shown to clients so a cap never hides an extension)."""

    UNTIMED = "untimed"
    TIME_LIMIT = "time_limit"
    EXTENSION = "extension"
    CLOSE_DATE = "close_date"
    DUE_DATE = "due_date"
    UNLOCK = "unlock"


class Score(Model):
    actual: float
    min: float = 0
    max: float
    is_scorable: bool = True


class ObjectiveScore(Model):
    score: Score
    scores: list[Score]  # one per aligned item, as the ExamSpark seed shows


def new_record() -> str:
    """A fresh attempt record id: names the items its responses and results are stored in."""
    return uuid.uuid4().hex[:16]


# An attempt's fields that grow with the exam (responses, results); stored in the attempt's own items, never
# in the session item (docs/data-model.md, "Sessions and attempts").
ATTEMPT_DETAIL = frozenset({"responses", "item_scores", "objective_scores", "alignments"})


class Attempt(Model):
    number: int
    # Which items hold its responses and results (``exam-session#part#<record>#<n>``); a new record whenever
    # they are replaced with a history copy kept, so the copy still names the parts it had.
    record: str = Field(default_factory=new_record)
    # True: read from the session item alone, its responses and results not read (they are in their own items).
    detached: bool = False
    answered: int = 0  # questions answered, kept in the session item so lists need not read the responses
    started_at: datetime
    ends_at: datetime | None = None
    limited_by: LimitedBy = LimitedBy.UNTIMED
    submitted_at: datetime | None = None
    # item id -> question id -> selected option indexes
    responses: dict[str, dict[str, list[int]]] = Field(default_factory=dict)
    score_actual: float | None = None  # scaled to the exam's score_min..score_max
    item_scores: dict[str, Score] = Field(default_factory=dict)
    objective_scores: dict[str, ObjectiveScore] = Field(default_factory=dict)
    # item id -> its objectives when it was scored: with ``item_scores``, what the stored objective scores
    # are rebuilt from (core/scoring.py), so they take no room of their own
    alignments: dict[str, list[str]] = Field(default_factory=dict)
    points: Score | None = None
    reset_by: str | None = None  # set on the fresh state that replaced a reset attempt (who, when)
    reset_at: datetime | None = None
    # A reopen never moves a complete attempt back (Open edX forbids it): the reopened attempt stays complete,
    # ``superseded`` (out of the score), and a continuation carrying its responses and end follows it, with
    # ``reopens`` naming it. A continuation is not a new attempt of the student (core/work.py counts originals).
    superseded: bool = False
    reopens: int | None = None

    @property
    def complete(self) -> bool:
        return self.submitted_at is not None

    @property
    def answered_count(self) -> int:
        return self.answered if self.detached else sum(len(q) for q in self.responses.values())


class HistoryNote(Model):
    """Why a session history copy (``exam-session#v<n>``) was written, by whom and when."""

    reason: str  # "submit" | "reset" | "reopen" | ...
    by: str  # the principal's subject
    at: datetime


class Session(Model):
    """One student's exam session; its attempts are what every dialect calls an attempt."""

    id: str
    exam_id: str
    course_id: str
    user_id: str
    name: str = ""
    lti: dict[str, str] = Field(default_factory=dict)  # LTI launch fields (context id, resource link id, ...)
    item_ids: list[str] = Field(default_factory=list)  # the drawn question set
    draw_number: int = 1  # which draw of the pool item_ids is; a session begun after a removal draws anew
    attempts: list[Attempt] = Field(default_factory=list)
    score_actual: float | None = None  # resolved across attempts by the exam's scoring policy
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    history_note: HistoryNote | None = None  # only on history copies: why, who, when
    # False on an item written before attempts had parts of their own (every attempt inline): its next write
    # stores each attempt's parts (data/sessions.py).
    attempt_parts: bool = False
    # The student's username and email when the session was started: the list indexes' search and ordering
    # keys (data/keys.py session_index). Lists show the user as they are now (read per page).
    username: str | None = None
    email: str | None = None

    @property
    def current(self) -> Attempt | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def maturity(self) -> Maturity:
        current = self.current
        return Maturity.COMPLETE if current is not None and current.complete else Maturity.IN_PROGRESS


class Extension(Model):
    """Per (exam, user) accommodations: Canvas quiz extensions and Open edX allowances are this one object."""

    course_id: str
    exam_id: str
    user_id: str
    extra_attempts: int = 0
    extra_time_minutes: int = 0
    time_multiplier: float | None = None
    manually_unlocked: bool = False
    review_policy_exception: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    # Optimistic locking (0: never written through data/extensions.py); each change keeps the value it
    # replaced as a history item (see docs/data-model.md, Canvas).
    version: int = 0
    created_at: datetime | None = None  # first grant (Open edX allowances' ``created``); None if not recorded
    # The student's session on this exam whose attempt was last started, restarted or extended, kept in the
    # transaction of that write (and ``version`` moves with it): the Canvas lists read just that session
    # for ``end_at``, one BatchGetItem per page. None: no such session yet. ``session_tracked`` False: the
    # item predates the pointer, so a list reads the student's sessions instead (docs/data-model.md, Canvas).
    latest_session_id: str | None = None
    session_tracked: bool = False
    # The student's username and email when the extension was written: the list indexes' search keys.
    username: str | None = None
    email: str | None = None


# --- PowerPath external tests (docs/powerpath.md) -------------------------------------------------
class Lesson(Model):
    """A PowerPath "component resource": a lesson whose resource may be a test on an external tool."""

    id: str
    course_id: str
    title: str
    lesson_type: str  # test-out | placement | unit-test can be external; quiz, powerpath-100, ... cannot
    tool_provider: str | None = None  # edulastic | mastery-track; other names are kept but cannot be assigned
    subject: str
    grade: int
    test_id: str | None = None  # the provider's test (Edulastic test id, MasteryTrack timeback id)
    created_at: datetime | None = None
    created_by: str | None = None


class SubjectTrack(Model):
    """(subject, grade) -> the course a placement or test-out import enrolls the student in."""

    subject: str
    grade: int
    course_id: str
    version: int = 1
    updated_at: datetime | None = None
    updated_by: str | None = None


class ExternalCredentials(Model):
    email: str
    password: str


class ExternalQuestion(Model):
    id: str
    index: int
    title: str = ""
    url: str = ""
    difficulty: str = "medium"
    answered: bool = False
    correct: bool | None = None
    score: float | None = None  # None: not graded yet
    max_score: float = 1
    feedback: str = ""
    response: str | list[str] | None = None


class ExternalAssignment(Model):
    """One student's attempt at a lesson's external test: what the provider gave us, the imported results
    and the import bookkeeping. Pending ones carry the work-queue index (data/external_tests.py)."""

    student_id: str
    lesson_id: str
    attempt: int
    # the lesson as it was when assigned: rights, the enrollment side effect and the importer need no read
    course_id: str
    lesson_type: str
    tool_provider: str
    subject: str
    grade: int
    student_email: str
    application_name: str | None = None
    skip_course_enrollment: bool = False
    # from the provider
    credentials: ExternalCredentials | None = None
    assignment_id: str | None = None
    class_id: str | None = None
    test_url: str | None = None
    test_id: str | None = None
    # imported results
    status: str = "assigned"  # the provider's status (Edulastic: NOT_STARTED ... GRADED)
    finalized: bool = False
    score: float | None = None
    score_status: str = "not submitted"
    questions: list[ExternalQuestion] = Field(default_factory=list)
    writeback: dict[str, Any] | None = None  # MasteryTrack's last write-back, as received
    writeback_seq: int = 0  # write-backs received
    # the stored write-back's place in MasteryTrack's order (its version time, then its signing time) and a digest
    # of its content: an older or identical one never replaces it (docs/powerpath.md)
    writeback_order: str | None = None
    writeback_digest: str | None = None
    processed_seq: int = 0  # the write-back the last import processed
    enrollment: str | None = None  # enrolled | already-enrolled | skipped | no-subject-track | failed
    enrolled_course_id: str | None = None
    # bookkeeping
    assigned_at: datetime
    assigned_by: str
    last_tried_at: datetime | None = None
    next_try_at: datetime | None = None  # None once finalized
    failures: int = 0  # consecutive import failures (provider errors, results the store refused)
    last_error: str | None = None
    parked_at: datetime | None = None  # the importer gave up (MAX_FAILURES): out of the queue until re-queued
    imported_at: datetime | None = None
    finalized_at: datetime | None = None
    version: int = 1

    @property
    def mastery_track_processed(self) -> bool:
        return self.writeback_seq > 0 and self.processed_seq == self.writeback_seq


class SessionRemoval(Model):
    """A removed session (Open edX reset, LearningStudio reset): the whole session kept, restorable."""

    session: Session
    removed_at: datetime
    removed_by: str
    reason: str
    restored_at: datetime | None = None
    restored_by: str | None = None

    @property
    def removal_id(self) -> str:
        return self.removed_at.strftime("%Y%m%dT%H%M%S.%fZ")
