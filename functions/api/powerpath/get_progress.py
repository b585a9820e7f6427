"""GET /powerpath/getAssessmentProgress"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from functions.api.powerpath.params import LessonId, Student
from functions.api.powerpath.schemas import ProgressOut, progress_out
from functions.platform.http import RouteApp
from functions.wiring import external_test_service

app = RouteApp("powerpath_get_progress", errors=(400, 401, 404))


@app
def get_assessment_progress(
    student: Student, lesson: LessonId,
    attempt: Annotated[int | None, Query(gt=0, le=99999, description="default: the latest")] = None,
) -> ProgressOut:
    """The imported results of an external test: score, questions, accuracy (the student's own, or any
    student's with course:view in the lesson's course)."""
    return progress_out(external_test_service(app).progress(student, lesson, attempt))


lambda_handler = app.lambda_handler
