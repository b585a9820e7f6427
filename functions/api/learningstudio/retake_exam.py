"""POST /users/{userId}/courses/{courseId}/exams/{examId}/retake"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import CourseId, ExamId, UserId
from functions.api.learningstudio.render import user_exam
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_retake_exam", errors=(400, 401, 403, 404, 409))


@app
def retake_exam(userId: UserId, courseId: CourseId, examId: ExamId) -> dict[str, Any]:
    """A completed, retakable exam keeps its question set and starts a new, empty attempt (while attempts and
    the window allow). A completed exam that is not retakable is refused (409): reset it instead."""
    return {"exam": user_exam(user_exam_service(app).retake(userId, courseId, examId))}


lambda_handler = app.lambda_handler
