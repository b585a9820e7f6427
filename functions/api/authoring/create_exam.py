"""POST /authoring/courses/{courseId}/exams"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring import render
from functions.api.authoring.bodies import ExamCreate
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ExamOut
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_exam", errors=(400, 401, 403, 404, 409), status_code=201)


@app
def create_exam(
    courseId: PathId,
    body: Annotated[ExamCreate, Body()],
) -> ExamOut:
    """Create an exam (the exam:author right). Dates ordered opensAt <= dueAt <= closesAt; pool items of this course."""
    return render.exam(authoring(app).create_exam(courseId, body.given()), True)


lambda_handler = app.lambda_handler
