"""Request parameters shared by ExamSpark routes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from functions.api.examspark.render import INCLUDES
from functions.core.errors import InvalidInput
from functions.core.services.session_list import DEFAULT_LIMIT, MAX_LIMIT
from functions.data.tokens import MAX_TOKEN_LENGTH

IncludeParam = Annotated[
    list[Annotated[str, Field(max_length=32)]] | None,
    Query(alias="include[]", description="Opt in to more data: results, responses", max_length=2),
]

SessionId = Annotated[str, Path(max_length=128, description="The exam session's id")]

LimitParam = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"Page size: 1..{MAX_LIMIT}, default {DEFAULT_LIMIT}"),
]

NextTokenParam = Annotated[
    str | None,
    Query(alias="nextToken", max_length=MAX_TOKEN_LENGTH, description="The previous page's nextToken"),
]


def includes(values: list[str] | None) -> tuple[str, ...]:
    unknown = [v for v in values or [] if v not in INCLUDES]
    if unknown:
        raise InvalidInput(f"include[] accepts only {', '.join(INCLUDES)}; got {', '.join(unknown)}",
                           field="include[]")
    return tuple(dict.fromkeys(values or []))
