"""GET /api/v1/courses/{course_id}/quizzes"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.api.canvas import render
from functions.api.canvas.ids import ours, page_token
from functions.api.canvas.params import DEFAULT_PER_PAGE, CourseId, Page, PerPage
from functions.core.numeric_ids import Kind, number
from functions.platform.http import JSON, RouteApp
from functions.platform.links import api_base
from functions.wiring import quiz_catalog

app = RouteApp("canvas_list_quizzes", errors=(400, 401, 403, 404))


@app
def list_quizzes(course_id: CourseId, per_page: PerPage = DEFAULT_PER_PAGE,
                 page: Page = None) -> Response[list[dict[str, Any]]]:
    """The course's quizzes, a page at a time (canvasapi's Course.get_quizzes): a JSON array, and the Link
    header with rel="current", "next" (while there may be more) and "first"."""
    course, _, _ = ours(course_id)
    token = page_token(page)
    views, next_page = quiz_catalog(app).quizzes(course, per_page, token)
    event = app.resolver.current_event.raw_event
    body = [render.quiz(v, number(Kind.COURSE, course), api_base()) for v in views]
    links = render.page_links(event, per_page, token, next_page)
    return Response(status_code=200, content_type=JSON, body=body, headers={"Link": links})


lambda_handler = app.lambda_handler
