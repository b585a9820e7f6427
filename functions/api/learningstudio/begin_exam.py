"""POST /users/{userId}/courses/{courseId}/exams/{examId}"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import CourseId, ExamId, UserId
from functions.api.learningstudio.render import user_exam
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_begin_exam", errors=(400, 401, 403, 404, 409), status_code=201)


@app
def begin_exam(userId: UserId, courseId: CourseId, examId: ExamId) -> dict[str, Any]:
    """Create the user's exam instance and draw its question set from the item pool. The student, or a caller
    who may manage attempts (the rulebook's start act, as ExamSpark's); one instance per user (a second begin
    is a 400); only between the exam's scheduled start and end unless the student is unlocked. After a reset
    the draw is a new question set."""
    return {"exam": user_exam(user_exam_service(app).begin(userId, courseId, examId))}


lambda_handler = app.lambda_handler
