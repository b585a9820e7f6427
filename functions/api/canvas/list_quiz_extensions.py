"""GET /api/v1/courses/{course_id}/quizzes/{quiz_id}/extensions (beyond Canvas)"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from functions.api.canvas.listing import extensions_page
from functions.api.canvas.params import DEFAULT_PER_PAGE, CourseId, Page, PerPage, QuizId
from functions.platform.http import RouteApp

app = RouteApp("canvas_list_quiz_extensions")


@app
def list_quiz_extensions(course_id: CourseId, quiz_id: QuizId, per_page: PerPage = DEFAULT_PER_PAGE,
                         page: Page = None) -> Response[dict[str, Any]]:
    """The extensions granted on one quiz, by student, with each running attempt's end. Further pages:
    follow the Link header (rel="next")."""
    return extensions_page(app, course_id, quiz_id, per_page, page)


lambda_handler = app.lambda_handler
