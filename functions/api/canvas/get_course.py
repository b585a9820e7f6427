"""GET /api/v1/courses/{course_id}"""

from __future__ import annotations

from typing import Any

from functions.api.canvas import render
from functions.api.canvas.ids import ours
from functions.api.canvas.params import CourseId
from functions.platform.http import RouteApp
from functions.wiring import quiz_catalog

app = RouteApp("canvas_get_course", errors=(400, 401, 403, 404))


@app
def get_course(course_id: CourseId) -> dict[str, Any]:
    """A course as Canvas shows it (canvasapi's Canvas.get_course). course_id: the course's number,
    sis_course_id:<its id>, or its id. Members of the course may read it; enrollments lists the caller's own."""
    course, _, _ = ours(course_id)
    return render.course(quiz_catalog(app).course(course))


lambda_handler = app.lambda_handler
