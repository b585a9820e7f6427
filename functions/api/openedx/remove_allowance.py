"""DELETE /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/allowance"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.openedx import render
from functions.api.openedx.bodies import json_only
from functions.api.openedx.params import CourseId, ExamId, whole
from functions.api.openedx.schemas import AllowanceDeleteRequest, ResultOut
from functions.api.openedx.statuses import busy_as_unavailable
from functions.core.errors import InvalidInput
from functions.platform.http import RouteApp
from functions.wiring import allowances

app = RouteApp("openedx_remove_allowance", errors=(400, 401, 403, 404, 503))


@app
def remove_allowance(course_id: CourseId, exam_id: ExamId,
                     body: Annotated[AllowanceDeleteRequest, Body()]) -> ResultOut:
    """Remove an allowance from users (username, email or numeric user id). The removed value is kept as a
    history copy with who removed it and when. One result per user, even when some fail."""
    identifiers = [str(u) for u in body.user_ids]
    whole(exam_id, "exam_id")  # not a number: no such resource (404), as edX's URL patterns answer
    try:
        with busy_as_unavailable():
            outcomes = allowances(app).remove(course_id, exam_id, identifiers, body.allowance_type)
    except InvalidInput as refused:
        return ResultOut.model_validate(render.refused_write(body.allowance_type, refused))
    return ResultOut.model_validate(render.write_result("removed", body.allowance_type, outcomes))


lambda_handler = json_only(app)
