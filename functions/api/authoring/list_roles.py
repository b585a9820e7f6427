"""GET /authoring/roles"""

from __future__ import annotations

from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken
from functions.api.authoring.render import PageOut, RoleOut, page
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_roles")


@app
def list_roles(
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[RoleOut]:
    """The built-in roles, then the custom ones, with their rights (anyone authenticated)."""
    roles, token = authoring(app).list_roles(limit, next_token)
    return page(RoleOut, roles, token)


lambda_handler = app.lambda_handler
