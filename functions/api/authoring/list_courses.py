"""GET /authoring/courses"""

from __future__ import annotations

from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken
from functions.api.authoring.render import CourseOut, PageOut, page
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_courses")


@app
def list_courses(
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[CourseOut]:
    """Every course, in id order (institution administrators; anyone else gets 403)."""
    courses, token = authoring(app).list_courses(limit, next_token)
    return page(CourseOut, courses, token)


lambda_handler = app.lambda_handler
