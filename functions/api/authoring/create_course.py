"""POST /authoring/courses"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import CourseCreate
from functions.api.authoring.render import CourseOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_course", errors=(400, 401, 403, 409), status_code=201)


@app
def create_course(
    body: Annotated[CourseCreate, Body()],
) -> CourseOut:
    """Create a course (institution administrators). ``id`` is optional: a uuid4 is made; a taken id is a 409."""
    return out(CourseOut, authoring(app).create_course(body.given()))


lambda_handler = app.lambda_handler
