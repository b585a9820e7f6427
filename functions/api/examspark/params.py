"""Request parameters shared by ExamSpark routes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.examspark.render import INCLUDES
from functions.core.errors import InvalidInput

IncludeParam = Annotated[
    list[str] | None,
    Query(alias="include[]", description="Opt in to more data: results, responses", max_length=2),
]


def includes(values: list[str] | None) -> tuple[str, ...]:
    unknown = [v for v in values or [] if v not in INCLUDES]
    if unknown:
        raise InvalidInput(f"include[] accepts only {', '.join(INCLUDES)}; got {', '.join(unknown)}",
                           field="include[]")
    return tuple(dict.fromkeys(values or []))
