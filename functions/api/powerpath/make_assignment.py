"""POST /powerpath/makeExternalTestAssignment"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.powerpath.schemas import AssignmentOut, MakeAssignment, assignment_out
from functions.platform.http import RouteApp
from functions.wiring import external_test_service

app = RouteApp("powerpath_make_assignment", errors=(400, 401, 404, 409, 502, 503))


@app
def make_external_test_assignment(body: Annotated[MakeAssignment, Body()]) -> AssignmentOut:
    """Assign the lesson's external test through its provider (Edulastic, MasteryTrack) and store the
    assignment; an open attempt is answered as it is. A provider failure is a 502 and stores nothing."""
    assignment, _ = external_test_service(app).make_assignment(
        body.student, body.lesson, test_id=body.test_id, application_name=body.application_name,
        skip_course_enrollment=body.skip_course_enrollment)
    return assignment_out(assignment)


lambda_handler = app.lambda_handler
