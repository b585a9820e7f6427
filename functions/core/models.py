"""Domain models: one shape per entity, shared by every dialect. Timestamps are timezone-aware UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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


class Attempt(Model):
    number: int
    started_at: datetime
    ends_at: datetime | None = None
    limited_by: LimitedBy = LimitedBy.UNTIMED
    submitted_at: datetime | None = None
    # item id -> question id -> selected option indexes
    responses: dict[str, dict[str, list[int]]] = Field(default_factory=dict)
    score_actual: float | None = None  # scaled to the exam's score_min..score_max
    item_scores: dict[str, Score] = Field(default_factory=dict)
    objective_scores: dict[str, ObjectiveScore] = Field(default_factory=dict)
    points: Score | None = None

    @property
    def complete(self) -> bool:
        return self.submitted_at is not None


class Session(Model):
    """One student's exam session; its attempts are what every dialect calls an attempt."""

    id: str
    exam_id: str
    course_id: str
    user_id: str
    name: str = ""
    lti: dict[str, str] = Field(default_factory=dict)  # LTI launch fields (context id, resource link id, ...)
    item_ids: list[str] = Field(default_factory=list)  # the drawn question set
    attempts: list[Attempt] = Field(default_factory=list)
    score_actual: float | None = None  # resolved across attempts by the exam's scoring policy
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

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
