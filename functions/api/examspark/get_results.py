"""GET /api/exam-session/{sessionId}/results"""

from __future__ import annotations

from typing import Any

from functions.api.examspark.params import SessionId
from functions.api.examspark.render import session_results
from functions.platform.http import RouteApp
from functions.wiring import results_service

app = RouteApp("examspark_get_results", errors=(400, 401, 403, 404, 409))


@app
def get_results(sessionId: SessionId) -> dict[str, Any]:
    """Items with questions, options, keys and the responses given; objectives; points. A student sees their
    own results once the attempt is complete and if the exam config shows scores on completion."""
    return session_results(results_service(app).results(sessionId))


lambda_handler = app.lambda_handler
