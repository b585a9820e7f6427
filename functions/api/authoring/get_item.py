"""GET /authoring/items/{itemId}"""

from __future__ import annotations

from functions.api.authoring.params import PathId
from functions.api.authoring.render import ItemOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("get_item")


@app
def get_item(
    itemId: PathId,
) -> ItemOut:
    """An item with its keys: the exam:author or course:view right; never a student."""
    return out(ItemOut, authoring(app).get_item(itemId))


lambda_handler = app.lambda_handler
