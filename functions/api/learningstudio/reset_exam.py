"""DELETE /users/{userId}/courses/{courseId}/exams/{examId}"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import CourseId, ExamId, Reason, UserId
from functions.api.learningstudio.render import reset_answer
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_reset_exam", errors=(400, 401, 403, 404, 409))


@app
def reset_exam(userId: UserId, courseId: CourseId, examId: ExamId, reason: Reason = "") -> dict[str, Any]:
    """Delete the user's exam instance and its attempts (saved answers); the next begin draws a new question
    set. Needs the Course Administrator right (course:admin); only between the exam's scheduled start and end
    (else 409 giving the window). The removed instance is kept, restorable, with who reset it and when."""
    return reset_answer(user_exam_service(app).reset(userId, courseId, examId, reason))


lambda_handler = app.lambda_handler
