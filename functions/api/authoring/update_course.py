"""PATCH /authoring/courses/{courseId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import CoursePatch
from functions.api.authoring.params import PathId
from functions.api.authoring.render import CourseOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("update_course", errors=(400, 401, 403, 404, 409))


@app
def update_course(
    courseId: PathId,
    body: Annotated[CoursePatch, Body()],
) -> CourseOut:
    """Change the given fields of a course (institution administrators)."""
    return out(CourseOut, authoring(app).update_course(courseId, body.given()))


lambda_handler = app.lambda_handler
