"""POST /authoring/users"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import UserCreate
from functions.api.authoring.render import UserOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("create_user", errors=(400, 401, 403, 409), status_code=201)


@app
def create_user(
    body: Annotated[UserCreate, Body()],
) -> UserOut:
    """Create a user (institution administrators); id, username and email must be unused (else 409)."""
    return out(UserOut, authoring(app).create_user(body.given()))


lambda_handler = app.lambda_handler
