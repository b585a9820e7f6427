"""GET /authoring/courses/{courseId}/enrollments"""

from __future__ import annotations

from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken, PathId
from functions.api.authoring.render import EnrollmentOut, PageOut, page
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_enrollments")


@app
def list_enrollments(
    courseId: PathId,
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[EnrollmentOut]:
    """A course's enrollments, in user id order (the course:view right)."""
    enrollments, token = authoring(app).list_enrollments(courseId, limit, next_token)
    return page(EnrollmentOut, enrollments, token)


lambda_handler = app.lambda_handler
