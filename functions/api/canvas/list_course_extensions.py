"""GET /api/v1/courses/{course_id}/quiz_extensions (beyond Canvas, which cannot read extensions back)"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.api.canvas.listing import extensions_page
from functions.api.canvas.params import DEFAULT_PER_PAGE, CourseId, Page, PerPage
from functions.platform.http import RouteApp

app = RouteApp("canvas_list_course_extensions")


@app
def list_course_extensions(course_id: CourseId, per_page: PerPage = DEFAULT_PER_PAGE,
                           page: Page = None) -> Response[dict[str, Any]]:
    """The extensions granted on the course's quizzes, by quiz then student, with each running attempt's
    end. Further pages: follow the Link header (rel="next")."""
    return extensions_page(app, course_id, None, per_page, page)


lambda_handler = app.lambda_handler
