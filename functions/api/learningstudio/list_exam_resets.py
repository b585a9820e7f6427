"""GET /courses/{courseId}/exams/{examId}/resets"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import DEFAULT_LIMIT, CourseId, ExamId, Limit, NextToken
from functions.api.learningstudio.render import resets
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_list_exam_resets")


@app
def list_exam_resets(courseId: CourseId, examId: ExamId, limit: Limit = DEFAULT_LIMIT,
                     nextToken: NextToken = None) -> dict[str, Any]:
    """The exam's reset user instances (restorable or restored), with who reset them, when and why. Needs the
    Course Administrator right."""
    found, next_token = user_exam_service(app).resets(courseId, examId, limit, nextToken)
    return resets(found, next_token)


lambda_handler = app.lambda_handler
