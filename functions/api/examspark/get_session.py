"""GET /api/exam-session/{sessionId}"""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path

from functions.api.examspark.params import IncludeParam, includes
from functions.api.examspark.render import session_envelope
from functions.platform.http import RouteApp
from functions.wiring import session_service

app = RouteApp("examspark_get_session")


@app
def get_session(
    sessionId: Annotated[str, Path(max_length=128)],
    include: IncludeParam = None,
) -> dict[str, Any]:
    """Returns details for a single exam-session record: the caller's own, or any in a course they may
    view."""
    wanted = includes(include)
    service = session_service(app)
    session, exam = service.get(sessionId, detail=bool({"responses", "results"} & set(wanted)))
    return session_envelope(session, exam, wanted, shown=service.disclosure(session, exam))


lambda_handler = app.lambda_handler
