"""POST /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/reset/{username}"""

from __future__ import annotations

from functions.api.openedx.params import CourseId, ExamId, Username
from functions.api.openedx.schemas import ResultOut
from functions.api.openedx.statuses import busy_as_unavailable
from functions.platform.http import RouteApp
from functions.wiring import exam_attempts as attempts

app = RouteApp("openedx_reset_attempt", errors=(400, 401, 403, 404, 503))


@app
def reset_attempt(course_id: CourseId, exam_id: ExamId, username: Username) -> ResultOut:
    """Remove all of the student's attempts on the exam (every LTI context), each kept whole as a
    restorable record with who removed it and when. 404 names an unknown user or one without attempts."""
    with busy_as_unavailable():
        removed = attempts(app).reset(course_id, exam_id, username)
    message = f"Exam attempt reset for user {username}"
    return ResultOut.model_validate({"success": True, "message": message, "attempts_removed": removed})


lambda_handler = app.lambda_handler
