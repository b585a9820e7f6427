"""GET /authoring/exams/{examId}/items"""

from __future__ import annotations

from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken, PathId
from functions.api.authoring.render import ItemOut, PageOut, page
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_items")


@app
def list_items(
    examId: PathId,
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[ItemOut]:
    """The items of an exam's pool, in pool order, with their keys (course:view or exam:author: read_items)."""
    items, token = authoring(app).list_items(examId, limit, next_token)
    return page(ItemOut, items, token)


lambda_handler = app.lambda_handler
