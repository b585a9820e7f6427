"""GET /api/v1/courses/{course_id}/quizzes/{quiz_id}"""

from __future__ import annotations

from typing import Any

from functions.api.canvas import render
from functions.api.canvas.ids import ours
from functions.api.canvas.params import CourseId, QuizId
from functions.core.numeric_ids import Kind, number
from functions.platform.http import RouteApp
from functions.platform.links import api_base
from functions.wiring import quiz_catalog

app = RouteApp("canvas_get_quiz", errors=(400, 401, 403, 404))


@app
def get_quiz(course_id: CourseId, quiz_id: QuizId) -> dict[str, Any]:
    """A quiz as Canvas shows it (canvasapi's Course.get_quiz), with locked_for_user for the caller. Students
    see the quizzes visible to students; staff see every quiz and the staff-only fields."""
    course, quiz, _ = ours(course_id, quiz_id)
    assert quiz is not None
    view = quiz_catalog(app).quiz(course, quiz)
    return render.quiz(view, number(Kind.COURSE, course), api_base())


lambda_handler = app.lambda_handler
