"""GET /api/exam-session/{sessionId}/reset (a GET that writes: the seed's design)"""

from __future__ import annotations

from typing import Any

from functions.api.examspark.params import IncludeParam, SessionId, includes
from functions.api.examspark.render import session_envelope
from functions.platform.http import RouteApp
from functions.wiring import attempt_service

app = RouteApp("examspark_reset", errors=(400, 401, 403, 404, 409))


@app
def reset(sessionId: SessionId, include: IncludeParam = None) -> dict[str, Any]:
    """Remove the current attempt's responses and scores: it starts over (same attempt number and question
    set, clock from now). The earlier state stays restorable in the session's history. Needs
    attempt:manage."""
    wanted = includes(include)
    attempts = attempt_service(app)
    session, exam = attempts.reset(sessionId)
    return session_envelope(session, exam, wanted, shown=attempts.service.disclosure(session, exam))


lambda_handler = app.lambda_handler
