"""GET /authoring/courses/{courseId}/exams"""

from __future__ import annotations

from functions.api.authoring import render
from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken, PathId
from functions.api.authoring.render import ExamOut, PageOut
from functions.platform.http import RouteApp
from functions.wiring import authoring

app = RouteApp("list_exams")


@app
def list_exams(
    courseId: PathId,
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
) -> PageOut[ExamOut]:
    """A course's exams. Students see only active, unhidden exams, without pools (a page may be short)."""
    exams, token, may_see_pool = authoring(app).list_exams(courseId, limit, next_token)
    return PageOut[ExamOut](items=[render.exam(e, may_see_pool) for e in exams], next_token=token)


lambda_handler = app.lambda_handler
