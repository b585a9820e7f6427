"""POST /api/instructor/v2/courses/{course_id}/special_exams/allowances"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.openedx import render
from functions.api.openedx.bodies import json_only
from functions.api.openedx.params import CourseId
from functions.api.openedx.schemas import BulkAllowanceRequest, BulkOut
from functions.api.openedx.statuses import busy_as_unavailable
from functions.core.errors import InvalidInput
from functions.platform.http import RouteApp
from functions.wiring import allowances

app = RouteApp("openedx_bulk_create_allowances", errors=(400, 401, 403, 503))


@app
def bulk_create_allowances(course_id: CourseId, body: Annotated[BulkAllowanceRequest, Body()]) -> BulkOut:
    """Grant one allowance on several exams to several users: one result per exam x user (as many pairs as
    one transaction holds: see ``exam_ids``); pairs that cannot be granted are reported, the others written
    in one transaction."""
    value = str(body.value)
    try:
        with busy_as_unavailable():
            outcomes = allowances(app).bulk(course_id, body.exam_ids, body.user_ids, body.allowance_type, value)
    except InvalidInput as refused:
        pairs = len(set(body.exam_ids)) * len(set(body.user_ids))
        return BulkOut.model_validate(render.refused_write(body.allowance_type, refused, pairs))
    return BulkOut.model_validate(render.bulk_result(body.allowance_type, value, outcomes))


lambda_handler = json_only(app)
