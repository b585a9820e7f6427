"""PATCH /authoring/roles/{roleId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import RolePatch
from functions.api.authoring.params import PathId
from functions.api.authoring.render import RoleOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("update_role", errors=(400, 401, 403, 404, 409))


@app
def update_role(
    roleId: PathId,
    body: Annotated[RolePatch, Body()],
) -> RoleOut:
    """Change a custom role's name or rights (institution administrators); built-in roles are a 409."""
    return out(RoleOut, authoring(app).update_role(roleId, body.given()))


lambda_handler = app.lambda_handler
