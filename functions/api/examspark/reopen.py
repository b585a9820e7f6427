"""GET /api/exam-session/{sessionId}/reopen (a GET that writes: the seed's design)"""

from __future__ import annotations

from typing import Any

from functions.api.examspark.params import IncludeParam, SessionId, includes
from functions.api.examspark.render import session_envelope
from functions.platform.http import RouteApp
from functions.wiring import attempt_service

app = RouteApp("examspark_reopen", errors=(400, 401, 403, 404, 409))


@app
def reopen(sessionId: SessionId, include: IncludeParam = None) -> dict[str, Any]:
    """Maturity back to IN_PROGRESS with the responses kept; the score leaves the session until it is
    submitted again. Only while the exam is open (or unlocked) and the attempt has time left. Needs
    attempt:manage."""
    wanted = includes(include)
    attempts = attempt_service(app)
    session, exam = attempts.reopen(sessionId)
    return session_envelope(session, exam, wanted, shown=attempts.service.disclosure(session, exam))


lambda_handler = app.lambda_handler
