"""PATCH /authoring/exams/{examId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring import render
from functions.api.authoring.bodies import ExamPatch
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ExamOut
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("update_exam", errors=(400, 401, 403, 404, 409))


@app
def update_exam(
    examId: PathId,
    body: Annotated[ExamPatch, Body()],
) -> ExamOut:
    """Change the given fields (null clears a nullable one); writes version n+1 and its history copy. A ``version``
    other than the current one, or a concurrent change, is a 409."""
    return render.exam(authoring(app).update_exam(examId, body.given(), body.version), True)


lambda_handler = app.lambda_handler
