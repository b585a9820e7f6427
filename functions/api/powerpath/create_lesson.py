"""POST /powerpath/lessons"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.powerpath.schemas import LessonCreate, LessonOut, lesson_out
from functions.platform.http import RouteApp
from functions.wiring import lesson_service

app = RouteApp("powerpath_create_lesson", errors=(400, 401, 403, 404, 409), status_code=201)


@app
def create_lesson(body: Annotated[LessonCreate, Body()]) -> LessonOut:
    """Create a lesson in a course (exam:author there). An external test is a test-out, placement or unit-test
    with a toolProvider; its subject and grade choose the subject track a placement or test-out enrolls in."""
    return lesson_out(lesson_service(app).create_lesson(body.fields()))


lambda_handler = app.lambda_handler
