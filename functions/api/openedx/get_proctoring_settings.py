"""GET /api/instructor/v2/courses/{course_id}/proctoring_settings"""

from __future__ import annotations

from functions.api.openedx import render
from functions.api.openedx.params import CourseId
from functions.api.openedx.schemas import ProctoringSettingsOut
from functions.platform.http import RouteApp
from functions.wiring import proctoring

app = RouteApp("openedx_get_proctoring_settings", errors=(401, 403, 404))


@app
def get_proctoring_settings(course_id: CourseId) -> ProctoringSettingsOut:
    """The course's proctoring settings (defaults until someone changes them)."""
    return ProctoringSettingsOut.model_validate(render.settings(proctoring(app).get(course_id)))


lambda_handler = app.lambda_handler
