"""PATCH /api/instructor/v2/courses/{course_id}/proctoring_settings"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from functions.api.openedx import render
from functions.api.openedx.bodies import json_only
from functions.api.openedx.params import CourseId
from functions.api.openedx.schemas import ProctoringSettingsOut, ProctoringSettingsPatch
from functions.api.openedx.statuses import busy_as_unavailable
from functions.platform.http import RouteApp
from functions.wiring import proctoring

app = RouteApp("openedx_update_proctoring_settings", errors=(400, 401, 403, 404, 503))


@app
def update_proctoring_settings(course_id: CourseId,
                               body: Annotated[ProctoringSettingsPatch, Body()]) -> ProctoringSettingsOut:
    """Change proctoring_escalation_email (empty clears it), create_zendesk_tickets and
    enable_proctored_exams (booleans: anything else is a 400); only the fields sent change. Needs
    course:admin."""
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    with busy_as_unavailable():
        updated = proctoring(app).update(course_id, changes)
    return ProctoringSettingsOut.model_validate(render.settings(updated))


lambda_handler = json_only(app)
