"""Path and query parameters shared by the authoring routes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.core.content import ID_DESCRIPTION, ID_PATTERN

MAX_PAGE = 100
DEFAULT_PAGE = 25

PathId = Annotated[str, Path(pattern=ID_PATTERN, description=ID_DESCRIPTION)]
# Users may come from other systems (LTI, imports) with other characters: only the length is checked.
UserPathId = Annotated[str, Path(min_length=1, max_length=128)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"page size, 1..{MAX_PAGE}")]
NextToken = Annotated[
    str | None,
    Query(alias="nextToken", max_length=2048, description="the nextToken of the previous page"),
]
