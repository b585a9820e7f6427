"""POST /authoring/courses/{courseId}/objectives"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import ObjectiveCreate
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ObjectiveOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_objective", errors=(400, 401, 403, 404, 409), status_code=201)


@app
def create_objective(
    courseId: PathId,
    body: Annotated[ObjectiveCreate, Body()],
) -> ObjectiveOut:
    """Create a learning objective in a course (the exam:author right)."""
    return out(ObjectiveOut, authoring(app).create_objective(courseId, body.given()))


lambda_handler = app.lambda_handler
