"""POST /api/instructor/v2/courses/{course_id}/special_exams/{exam_id}/allowance"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.openedx import render
from functions.api.openedx.bodies import json_only
from functions.api.openedx.params import CourseId, ExamId, whole
from functions.api.openedx.schemas import AllowanceRequest, ResultOut
from functions.api.openedx.statuses import busy_as_unavailable
from functions.core.errors import InvalidInput
from functions.platform.http import RouteApp
from functions.wiring import allowances

app = RouteApp("openedx_grant_allowance", errors=(400, 401, 403, 404, 503))


@app
def grant_allowance(course_id: CourseId, exam_id: ExamId,
                    body: Annotated[AllowanceRequest, Body()]) -> ResultOut:
    """Set an allowance (additional_time_granted: minutes, time_multiplier: a number >= 1,
    review_policy_exception: text) for each user (username or email): an upsert per user, exam and key.
    Answers 200 with one result per user even when some fail; what succeeds is written in one transaction."""
    value = str(body.value)
    whole(exam_id, "exam_id")  # not a number: no such resource (404), as edX's URL patterns answer
    try:
        with busy_as_unavailable():
            outcomes = allowances(app).grant(course_id, exam_id, body.user_ids, body.allowance_type, value)
    except InvalidInput as refused:
        return ResultOut.model_validate(render.refused_write(body.allowance_type, refused))
    return ResultOut.model_validate(render.write_result("granted", body.allowance_type, outcomes, value))


lambda_handler = json_only(app)
