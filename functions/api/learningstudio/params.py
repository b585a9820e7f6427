"""Path and query parameters shared by the LearningStudio routes, and the reset id's format."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.core.errors import InvalidInput
from functions.core.models import SessionRemoval
from functions.core.services.exam_instances import MAX_REASON
from functions.data.tokens import MAX_TOKEN_LENGTH

MAX_LIMIT, DEFAULT_LIMIT = 100, 50

UserId = Annotated[str, Path(min_length=1, max_length=128, description="the user (student) id")]
CourseId = Annotated[str, Path(min_length=1, max_length=128, description="the course id")]
ExamId = Annotated[str, Path(min_length=1, max_length=128, description="the exam id")]
ResetId = Annotated[str, Path(min_length=3, max_length=300, description="a reset's id, from the resets list")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size, 1..{MAX_LIMIT}, default {DEFAULT_LIMIT}")]
NextToken = Annotated[
    str | None,
    Query(alias="nextToken", max_length=MAX_TOKEN_LENGTH, description="the previous page's nextToken"),
]
Reason = Annotated[str, Query(max_length=MAX_REASON, description="why the exam is reset (kept with the record)")]

# A reset is a removal record of one session: its id names both (a removal id has no "_").
SEPARATOR = "_"


def reset_id(removal: SessionRemoval) -> str:
    return f"{removal.session.id}{SEPARATOR}{removal.removal_id}"


def parse_reset_id(value: str) -> tuple[str, str]:
    session_id, _, removal_id = value.rpartition(SEPARATOR)
    if not session_id or not removal_id:
        raise InvalidInput("resetId is not a reset id: take it from the exam's resets list", field="resetId")
    return session_id, removal_id
