"""GET /authoring/audit-events"""

from __future__ import annotations

from functions.api.authoring.audit_render import Action, AuditEventOut, AuditPageOut, ObjectId
from functions.api.authoring.params import DEFAULT_PAGE, Limit, NextToken
from functions.data.audit import event_view
from functions.platform.http import RouteApp
from functions.wiring import audit_trail

app = RouteApp("list_institution_audit_events")


@app
def list_institution_audit_events(
    limit: Limit = DEFAULT_PAGE,
    next_token: NextToken = None,
    object_id: ObjectId = None,
    action: Action = None,
) -> AuditPageOut:
    """Audit events of objects outside any course, newest first: users, roles, integration credentials
    (credential.create / .rotate / .revoke). Institution administrators."""
    events, token = audit_trail(app).institution_events_page(limit, next_token, object_id, action)
    return AuditPageOut(items=[AuditEventOut.model_validate(event_view(e)) for e in events], nextToken=token)


lambda_handler = app.lambda_handler
