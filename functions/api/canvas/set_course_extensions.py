"""POST /api/v1/courses/{course_id}/quiz_extensions"""

from __future__ import annotations

from typing import Any

from functions.api.canvas import parse, render
from functions.api.canvas.ids import ours
from functions.api.canvas.params import CourseId
from functions.platform.http import RouteApp
from functions.wiring import extension_service

app = RouteApp("canvas_course_extensions", errors=(400, 401, 403, 404, 409, 413))


@app
def set_course_extensions(course_id: CourseId) -> dict[str, Any]:
    """Set extensions for students on every quiz of the course: one entry per student per quiz.
    Body: {"quiz_extensions": [{user_id, extra_attempts?, extra_time?, manually_unlocked?,
    extend_from_now? | extend_from_end_at?}]} as JSON or form-encoded (quiz_extensions[][user_id]=...);
    user_id is the student's number or id. Answers carry numbers (user_id, quiz_id)."""
    course, _, grants = ours(course_id, None, parse.grants(app.resolver.current_event.raw_event, app.headers))
    return render.quiz_extensions(extension_service(app).grant(course, None, grants))


lambda_handler = app.lambda_handler
