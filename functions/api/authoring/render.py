"""Response shapes of the authoring API: the domain models with camelCase keys (the route functions return
these models; Powertools validates and serializes them by alias, and documents them in OpenAPI)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from functions.core.models import Course, Enrollment, Exam, Item, Objective, Option, Question, Role, User

CAMEL = ConfigDict(alias_generator=to_camel, populate_by_name=True)
O = TypeVar("O", bound=BaseModel)  # noqa: E741
T = TypeVar("T")


class CourseOut(Course):
    model_config = CAMEL


class UserOut(User):
    model_config = CAMEL


class RoleOut(Role):
    model_config = CAMEL


class EnrollmentOut(Enrollment):
    model_config = CAMEL


class ExamOut(Exam):
    model_config = CAMEL
    item_pool: list[str] | None = Field(  # type: ignore[assignment]  # students get null
        None, description="null for students: the pool is not theirs to see")


class ObjectiveOut(Objective):
    model_config = CAMEL


class OptionOut(Option):
    model_config = CAMEL


class QuestionOut(Question):
    model_config = CAMEL
    options: list[OptionOut]  # type: ignore[assignment]  # camelCase shape


class ItemOut(Item):
    model_config = CAMEL
    questions: list[QuestionOut]  # type: ignore[assignment]  # camelCase shape


class PageOut(BaseModel, Generic[T]):
    model_config = CAMEL
    items: list[T]
    next_token: str | None = Field(None, description="pass as ?nextToken= for the next page; null at the end")


def out(shape: type[O], model: BaseModel, **changes: Any) -> O:
    return shape.model_validate({**model.model_dump(), **changes})


def page(shape: type[O], models: list[Any], next_token: str | None) -> PageOut[O]:
    return PageOut[shape](items=[out(shape, m) for m in models], next_token=next_token)  # type: ignore[valid-type]


def exam(value: Exam, may_see_pool: bool) -> ExamOut:
    return out(ExamOut, value) if may_see_pool else out(ExamOut, value, item_pool=None)
