"""GET /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}"""

from __future__ import annotations

from functions.api.openedx import render
from functions.api.openedx.exam_schemas import SpecialExamOut
from functions.api.openedx.params import CourseId, ExamId
from functions.platform.http import RouteApp
from functions.wiring import special_exams

app = RouteApp("openedx_get_special_exam", errors=(401, 403, 404))


@app
def get_special_exam(course_id: CourseId, exam_id: ExamId) -> SpecialExamOut:
    """One special exam by its number; an exam of another course (or not special) is a 404."""
    return SpecialExamOut.model_validate(render.special_exam(special_exams(app).get(course_id, exam_id)))


lambda_handler = app.lambda_handler
