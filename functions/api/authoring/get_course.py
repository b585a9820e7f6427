"""GET /authoring/courses/{courseId}"""

from __future__ import annotations

from functions.api.authoring.params import PathId
from functions.api.authoring.render import CourseOut, out
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("get_course")


@app
def get_course(
    courseId: PathId,
) -> CourseOut:
    """A course, to anyone who may view it, author its exams or take them (students do not see an inactive course)."""
    return out(CourseOut, authoring(app).get_course(courseId))


lambda_handler = app.lambda_handler
