"""GET /users/{userId}/courses/{courseId}/exams"""

from __future__ import annotations

from typing import Any

from functions.api.learningstudio.params import DEFAULT_LIMIT, CourseId, Limit, NextToken, UserId
from functions.api.learningstudio.render import user_exams
from functions.platform.http import RouteApp
from functions.wiring import user_exam_service

app = RouteApp("learningstudio_list_user_exams")


@app
def list_user_exams(userId: UserId, courseId: CourseId, limit: Limit = DEFAULT_LIMIT,
                    nextToken: NextToken = None) -> dict[str, Any]:
    """The user's exam instances in the course: ids, status, attempts, dates. The user's own, or any
    enrolled user's for a caller who may view the course."""
    found, next_token = user_exam_service(app).instances(userId, courseId, limit, nextToken)
    return user_exams(found, next_token)


lambda_handler = app.lambda_handler
