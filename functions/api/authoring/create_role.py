"""POST /authoring/roles"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import RoleCreate
from functions.api.authoring.render import RoleOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_role", errors=(400, 401, 403, 409), status_code=201)


@app
def create_role(
    body: Annotated[RoleCreate, Body()],
) -> RoleOut:
    """Create a custom role with a set of rights (institution administrators); built-in ids are a 409."""
    return out(RoleOut, authoring(app).create_role(body.given()))


lambda_handler = app.lambda_handler
