"""GET /authoring/users"""

from __future__ import annotations

from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken
from functions.api.authoring.render import PageOut, UserOut, page
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_users")


@app
def list_users(
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[UserOut]:
    """Every user, in username order (institution administrators)."""
    users, token = authoring(app).list_users(limit, next_token)
    return page(UserOut, users, token)


lambda_handler = app.lambda_handler
