"""POST /api/exam-session/{sessionId}/responses"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, ConfigDict, Field

from functions.api.examspark.params import IncludeParam, SessionId, includes
from functions.api.examspark.render import session_envelope
from functions.core.responses import ItemAnswer, QuestionAnswer
from functions.platform.http import RouteApp
from functions.wiring import attempt_service

app = RouteApp("examspark_set_responses", errors=(400, 401, 403, 404, 409))

Id = Annotated[str, Field(min_length=1, max_length=128)]
OptionIndex = Annotated[int, Field(strict=True, ge=0, le=99)]


class SelectedOption(BaseModel):
    index: OptionIndex


class SelectedOptions(BaseModel):
    options: Annotated[list[SelectedOption], Field(max_length=20)]


class QuestionResponse(BaseModel):
    id: Id
    response: SelectedOptions


class ItemResponse(BaseModel):
    itemId: Id
    questions: Annotated[list[QuestionResponse], Field(min_length=1, max_length=20)]


class SetResponsesRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    submitForScoring: Annotated[bool, Field(strict=True)] = False
    responses: Annotated[list[ItemResponse], Field(max_length=100)]


@app
def set_responses(
    sessionId: SessionId,
    request: Annotated[SetResponsesRequest, Body()],
    include: IncludeParam = None,
) -> dict[str, Any]:
    """Save responses (a question given replaces its earlier selection; an empty ``options`` clears it).
    ``submitForScoring: true`` scores the attempt and completes it. Every response is checked against the
    session's question set first: one 400 lists all problems and nothing is saved."""
    wanted = includes(include) or ("responses", "results")
    answers = [ItemAnswer(r.itemId, tuple(QuestionAnswer(q.id, tuple(o.index for o in q.response.options))
                                          for q in r.questions)) for r in request.responses]
    attempts = attempt_service(app)
    session, exam = attempts.set_responses(sessionId, answers, request.submitForScoring)
    return session_envelope(session, exam, wanted, shown=attempts.service.disclosure(session, exam))


lambda_handler = app.lambda_handler
