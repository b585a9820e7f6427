"""GET /powerpath/lessons/{lessonId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.api.powerpath.schemas import LessonOut, lesson_out
from functions.platform.http import RouteApp
from functions.wiring import lesson_service

app = RouteApp("powerpath_get_lesson", errors=(400, 401, 404))


@app
def get_lesson(lessonId: Annotated[str, Path(max_length=128)]) -> LessonOut:
    """A lesson, for anyone with a right in its course."""
    return lesson_out(lesson_service(app).get_lesson(lessonId))


lambda_handler = app.lambda_handler
