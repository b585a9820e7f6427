"""GET /authoring/exams/{examId}"""

from __future__ import annotations

from functions.api.authoring import render
from functions.api.authoring.params import PathId
from functions.api.authoring.render import ExamOut
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("get_exam")


@app
def get_exam(
    examId: PathId,
) -> ExamOut:
    """An exam: staff see everything; a student sees an active, unhidden exam without its item pool."""
    return render.exam(*authoring(app).get_exam(examId))


lambda_handler = app.lambda_handler
