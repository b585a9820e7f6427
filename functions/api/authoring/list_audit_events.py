"""GET /authoring/courses/{courseId}/audit-events"""

from __future__ import annotations

from functions.api.authoring.audit_render import Action, AuditEventOut, AuditPageOut, ObjectId
from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken, PathId
from functions.data.audit import event_view
from functions.platform.http import RouteApp
from functions.wiring import audit_trail

app = RouteApp("list_audit_events")


@app
def list_audit_events(
    courseId: PathId,
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
    object_id: ObjectId = None,
    action: Action = None,
) -> AuditPageOut:
    """A course's audit events, newest first: who (the principal's kind and id), what (action, objects), when,
    and each object's before and after (personal data redacted). Needs the course:admin right. With
    objectId or action a page may hold fewer than limit events (even none) and still carry a nextToken."""
    events, token = audit_trail(app).events_page(courseId, limit, next_token, object_id, action)
    return AuditPageOut(items=[AuditEventOut.model_validate(event_view(e)) for e in events], nextToken=token)


lambda_handler = app.lambda_handler
