"""POST /api/exam-sessions"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from functions.api.examspark.params import IncludeParam, LimitParam, NextTokenParam, includes
from functions.api.examspark.render import INCLUDES, session_list
from functions.core.errors import InvalidInput
from functions.core.services.session_list import DEFAULT_LIMIT, MAX_CONFIGS
from functions.data.tokens import MAX_TOKEN_LENGTH
from functions.platform.http import RouteApp
from functions.wiring import session_list_service

app = RouteApp("examspark_list_sessions")

ConfigId = Annotated[str, Field(min_length=1, max_length=128)]


class ConfigIds(BaseModel):
    include: Annotated[list[ConfigId], Field(min_length=1, max_length=MAX_CONFIGS)]


class ListFilter(BaseModel):
    examConfigIds: ConfigIds


class ListRequest(BaseModel):
    """The seed's body; ``include`` here is the older form of ``include[]`` in the query string."""

    model_config = ConfigDict(extra="ignore")
    filter: ListFilter
    include: Annotated[list[Annotated[str, Field(max_length=32)]] | None, Field(max_length=len(INCLUDES))] = None
    nextToken: Annotated[str | None, Field(max_length=MAX_TOKEN_LENGTH)] = None


@app
def list_sessions(
    request: Annotated[ListRequest, Body()],
    include: IncludeParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
    nextToken: NextTokenParam = None,
) -> dict[str, Any]:
    """Sessions of the exam configs in ``filter.examConfigIds.include`` (walked in that order), with the exact
    total and min / avg / max score over all of their sessions. Needs course:view in every config's course; a
    config that does not exist, or is in a course the caller has no rights in, matches nothing."""
    wanted = includes([*(include or []), *(request.include or [])])
    if nextToken and request.nextToken and nextToken != request.nextToken:
        raise InvalidInput("nextToken is given twice (query and body) with different values",
                           field="nextToken")
    page = session_list_service(app).page(request.filter.examConfigIds.include, limit,
                                          nextToken or request.nextToken,
                                          detail=bool({"responses", "results"} & set(wanted)))
    return session_list(page, wanted)


lambda_handler = app.lambda_handler
