"""PATCH /authoring/users/{userId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import UserPatch
from functions.api.authoring.params import UserPathId
from functions.api.authoring.render import UserOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("update_user", errors=(400, 401, 403, 404, 409))


@app
def update_user(
    userId: UserPathId,
    body: Annotated[UserPatch, Body()],
) -> UserOut:
    """Change the given fields of a user (institution administrators)."""
    return out(UserOut, authoring(app).update_user(userId, body.given()))


lambda_handler = app.lambda_handler
