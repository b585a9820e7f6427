"""Path and query parameters shared by the Canvas routes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

MAX_PER_PAGE = 100  # Canvas' maximum, and canvasapi's default; each entry costs one Query (its sessions)
DEFAULT_PER_PAGE = 10  # Canvas' default

CourseId = Annotated[str, Path(min_length=1, max_length=160, description=(
    "the course's number, sis_course_id:<its id>, or its id (docs/canvas.md)"))]
QuizId = Annotated[str, Path(min_length=1, max_length=128, description="the quiz's (exam's) number, or its id")]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description=f"page size, 1..{MAX_PER_PAGE}")]
Page = Annotated[
    str | None,
    Query(max_length=2048,
          description="first (or 1), or the page token from the previous answer's Link header (rel=next)"),
]
