"""GET /api/exam-session/{sessionId}/retake (a GET that writes: the seed's design)"""

from __future__ import annotations

from typing import Any

from functions.api.examspark.params import IncludeParam, SessionId, includes
from functions.api.examspark.render import session_envelope
from functions.platform.http import RouteApp
from functions.wiring import attempt_service

app = RouteApp("examspark_retake", errors=(400, 401, 403, 404, 409))


@app
def retake(sessionId: SessionId, include: IncludeParam = None) -> dict[str, Any]:
    """A new attempt in the session (same question set, fresh clock) for exam configs that allow retakes,
    once the current attempt is complete and while attempts (with extra ones granted) remain. The student may
    retake their own; on a student's behalf it needs attempt:manage."""
    wanted = includes(include)
    attempts = attempt_service(app)
    session, exam = attempts.retake(sessionId)
    return session_envelope(session, exam, wanted, shown=attempts.service.disclosure(session, exam))


lambda_handler = app.lambda_handler
