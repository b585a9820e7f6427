"""POST /api/exam-config/{examConfigId}/exam-session"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BaseModel, ConfigDict, Field

from functions.api.examspark.params import IncludeParam, includes
from functions.api.examspark.render import session_envelope
from functions.core.services.sessions import StartRequest
from functions.platform.http import RouteApp
from functions.platform.request_limits import ID_BYTES, ID_BYTES_NOTE
from functions.wiring import session_service

app = RouteApp("examspark_start_session", errors=(400, 401, 403, 404, 409))

Text = Annotated[str, Field(max_length=512)]


class LtiLaunch(BaseModel):
    """LTI-style launch fields; only ``user_id`` is required."""

    model_config = ConfigDict(extra="ignore")
    user_id: Annotated[str, Field(min_length=1, max_length=256, description=ID_BYTES_NOTE), ID_BYTES]
    context_id: Text = ""
    resource_link_id: Text = ""
    lis_person_name_full: Text = ""
    lis_person_sourcedid: Text = ""
    lis_outcome_service_url: Annotated[str, Field(max_length=2048)] = ""


@app
def start_session(
    examConfigId: Annotated[str, Path(max_length=128)],
    launch: Annotated[LtiLaunch, Body()],
    include: IncludeParam = None,
) -> dict[str, Any]:
    """Start a user's session on an exam config, or return the one that exists (its clock is never reset)."""
    wanted = includes(include)
    lti = {"userId": launch.user_id, "personName": launch.lis_person_name_full,
           "personSourcedid": launch.lis_person_sourcedid,
           "outcomeServiceUrl": launch.lis_outcome_service_url}
    request = StartRequest(user=launch.user_id, context_id=launch.context_id,
                           resource_link_id=launch.resource_link_id, lti=lti)
    service = session_service(app)
    session, exam, _created = service.start(examConfigId, request)
    if {"responses", "results"} & set(wanted):
        session = service.detailed(session)  # an existing session's current attempt, read only when shown
    return session_envelope(session, exam, wanted, shown=service.disclosure(session, exam))


lambda_handler = app.lambda_handler
