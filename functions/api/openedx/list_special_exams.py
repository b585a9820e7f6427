"""GET /api/instructor/v2/courses/{course_id}/special_exams"""

from __future__ import annotations

from functions.api.openedx import render
from functions.api.openedx.exam_schemas import SpecialExamOut
from functions.api.openedx.params import CourseId, ExamType
from functions.core.errors import InvalidInput, NotFound
from functions.platform.http import RouteApp
from functions.wiring import special_exams

app = RouteApp("openedx_list_special_exams", errors=(401, 403, 404))


@app
def list_special_exams(course_id: CourseId, exam_type: ExamType = None) -> list[SpecialExamOut]:
    """The course's timed, proctored and practice exams (standard exams are not special), optionally of one
    ``exam_type``. Needs course:view in the course; anyone else is refused with 403."""
    try:
        exams = special_exams(app).special_exams(course_id, exam_type)
    except InvalidInput as unknown:  # no such type: like a path edX has no view for (the spec has no 400)
        raise NotFound(unknown.message, field=unknown.field) from None
    return [SpecialExamOut.model_validate(render.special_exam(e)) for e in exams]


lambda_handler = app.lambda_handler
