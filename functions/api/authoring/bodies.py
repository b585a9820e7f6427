"""Request bodies of the authoring API: camelCase JSON, unknown fields are a 400, and ``null`` only where a
field says it clears a value. Creates and PATCHes pass on only the fields the client sent (``given``); the
domain fills defaults and checks every rule that spans fields or needs the table."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from functions.core import content as limits
from functions.core.models import ExamType, ScoringPolicy
from functions.core.rights import Right

Id = Annotated[str, Field(pattern=limits.ID_PATTERN, description=limits.ID_DESCRIPTION)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Short = Annotated[str, Field(min_length=1, max_length=128)]
Text = Annotated[str, Field(min_length=1, max_length=5000)]
Version = Annotated[int, Field(strict=True, ge=1, le=1_000_000_000,
                              description="the version you read; a mismatch is a 409")]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1_000_000, le=1_000_000)]
When = Annotated[AwareDatetime, Field(description="ISO 8601 with a UTC offset")]
Minutes = Annotated[int, Field(strict=True, ge=1, le=limits.MAX_TIME_LIMIT_MINUTES)]
Attempts = Annotated[int, Field(strict=True, ge=1, le=limits.MAX_ATTEMPTS)]
Draw = Annotated[int, Field(strict=True, ge=1, le=limits.MAX_POOL, description="at most the pool's size")]


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("must not be null")
        return value

    def given(self, *, without: frozenset[str] = frozenset({"version"})) -> dict[str, Any]:
        """The fields the client sent, by their domain (snake_case) names."""
        return self.model_dump(include=self.model_fields_set - without)


class CoursePatch(Body):
    title: Title | None = None
    institution: Short | None = None
    active: StrictBool | None = None


class CourseCreate(CoursePatch):
    id: Id | None = None
    title: Title


class UserPatch(Body):
    username: Annotated[str, Field(pattern=r"^[A-Za-z0-9._@+-]{1,64}$")] | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}$")] | None = None
    name: Title | None = None
    admin: StrictBool | None = Field(None, description="institution administrator: every right everywhere")


class UserCreate(UserPatch):
    id: Id | None = None
    username: Annotated[str, Field(pattern=r"^[A-Za-z0-9._@+-]{1,64}$")]
    email: Annotated[str, Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}$")]
    name: Title


class RolePatch(Body):
    name: Title | None = None
    rights: Annotated[list[Right], Field(min_length=1, max_length=len(Right))] | None = None


class RoleCreate(RolePatch):
    id: Id | None = None
    name: Title
    rights: Annotated[list[Right], Field(min_length=1, max_length=len(Right))]


class EnrollmentPut(Body):
    role: Id = Field(description="a built-in or custom role id")
    active: StrictBool | None = None


class ExamFields(Body):
    nullable = frozenset({"time_limit_minutes", "opens_at", "due_at", "closes_at", "draw_count"})
    title: Title | None = None
    type: ExamType | None = None
    time_limit_minutes: Minutes | None = None
    opens_at: When | None = None
    due_at: When | None = None
    closes_at: When | None = None
    max_attempts: Attempts | None = None
    retakable: StrictBool | None = None
    active: StrictBool | None = None
    hide_after_due: StrictBool | None = None
    scoring_policy: ScoringPolicy | None = None
    item_pool: Annotated[list[Id], Field(max_length=limits.MAX_POOL)] | None = None
    draw_count: Draw | None = None
    score_min: Number | None = None
    score_max: Number | None = None
    show_score_on_complete: StrictBool | None = None
    show_keys_after_each_attempt: StrictBool | None = None  # answer keys after every attempt (docs/rulebook.md)
    shuffle_options: StrictBool | None = None


class ExamCreate(ExamFields):
    id: Id | None = None
    title: Title


class ExamPatch(ExamFields):
    version: Version | None = None


class ObjectiveCreate(Body):
    id: Id | None = None
    text: Annotated[str, Field(min_length=1, max_length=2000)]
    abbreviation: Annotated[str, Field(min_length=1, max_length=64)]


class OptionIn(Body):
    id: Id | None = None
    content: Text
    is_key: StrictBool = False


class QuestionIn(Body):
    id: Id | None = None
    interaction_type: Literal["choice"] = "choice"
    options: Annotated[list[OptionIn], Field(min_length=limits.MIN_OPTIONS, max_length=limits.MAX_OPTIONS)]


Questions = Annotated[list[QuestionIn], Field(min_length=1, max_length=limits.MAX_QUESTIONS)]
Alignments = Annotated[list[Id], Field(max_length=limits.MAX_ALIGNMENTS)]


class ItemPatch(Body):
    name: Title | None = None
    alignment_ids: Alignments | None = None
    questions: Questions | None = None
    version: Version | None = None


class ItemCreate(Body):
    id: Id | None = None
    name: Title
    alignment_ids: Alignments | None = None
    questions: Questions
