"""POST /authoring/courses/{courseId}/audit-events/{eventId}/restore"""

from __future__ import annotations

from functions.api.authoring.audit_render import EventId, RestoreOut, restored
from functions.api.authoring.params import PathId
from functions.platform.http import RouteApp
from functions.wiring import audit_trail

app = RouteApp("restore_audit_event", errors=(400, 401, 403, 404, 409))


@app
def restore_audit_event(courseId: PathId, eventId: EventId) -> RestoreOut:
    """Put back the sessions a reset removed (Open edX reset, LearningStudio reset), as they were, from the
    reset's audit event: all of them in one transaction, or none (409 when one was begun again since or was
    restored already). Needs the course:admin right."""
    return restored(audit_trail(app).restore(courseId, eventId))


lambda_handler = app.lambda_handler
