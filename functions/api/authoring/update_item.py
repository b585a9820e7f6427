"""PATCH /authoring/items/{itemId}"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.authoring.bodies import ItemPatch
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ItemOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("update_item", errors=(400, 401, 403, 404, 409, 413))


@app
def update_item(
    itemId: PathId,
    body: Annotated[ItemPatch, Body()],
) -> ItemOut:
    """Change the given fields (``questions`` replaces the list); writes version n+1 and its history copy."""
    return out(ItemOut, authoring(app).update_item(itemId, body.given(), body.version))


lambda_handler = app.lambda_handler
