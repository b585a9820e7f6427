"""GET /authoring/users/{userId}"""

from __future__ import annotations

from functions.api.authoring.params import UserPathId
from functions.api.authoring.render import UserOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("get_user")


@app
def get_user(
    userId: UserPathId,
) -> UserOut:
    """A user: oneself, or anyone for an institution administrator."""
    return out(UserOut, authoring(app).get_user(userId))


lambda_handler = app.lambda_handler
