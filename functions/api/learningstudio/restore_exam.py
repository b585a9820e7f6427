"""POST /courses/{courseId}/exams/{examId}/resets/{resetId}/restore"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import CourseId, ExamId, ResetId, parse_reset_id
from functions.api.learningstudio.render import user_exam
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_restore_exam", errors=(400, 401, 403, 404, 409))


@app
def restore_exam(courseId: CourseId, examId: ExamId, resetId: ResetId) -> dict[str, Any]:
    """Put a reset instance back as it was (question set, attempts, answers), while the user has not begun a
    newer one (else 409). Needs the Course Administrator right."""
    session_id, removal_id = parse_reset_id(resetId)
    return {"exam": user_exam(user_exam_service(app).restore(courseId, examId, session_id, removal_id))}


lambda_handler = app.lambda_handler
