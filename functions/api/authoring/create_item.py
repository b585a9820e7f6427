"""POST /authoring/courses/{courseId}/items"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import ItemCreate
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ItemOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_item", errors=(400, 401, 403, 404, 409, 413), status_code=201)


@app
def create_item(
    courseId: PathId,
    body: Annotated[ItemCreate, Body()],
) -> ItemOut:
    """Create an item: 1..20 choice questions of 2..20 options, at least one key each, aligned to the course's
    objectives (the exam:author right). Question and option ids are made when not given."""
    return out(ItemOut, authoring(app).create_item(courseId, body.given()))


lambda_handler = app.lambda_handler
