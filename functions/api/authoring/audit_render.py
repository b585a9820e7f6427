"""Shapes of the audit-trail routes (functions/core/audit.py; stored by functions/data/audit.py)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, Field

from functions.core.models import Session

EVENT_ID_PATTERN = r"^\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{12}$"
EventId = Annotated[str, Path(pattern=EVENT_ID_PATTERN, description="an audit event's id, from the list")]
ObjectId = Annotated[str | None, Query(alias="objectId", min_length=1, max_length=300,
                                       description="only events that changed this object (e.g. a session id)")]
Action = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[a-z-]+\.[a-z-]+$",
                                     description="only events of this action, e.g. session.remove")]


class Actor(BaseModel):
    kind: str = Field(description="user | key | operator | system | webhook")
    id: str = Field(description="a user id, an integration key's id, an operator's name or importer")
    operator: str | None = Field(None, description="the console operator who acted as this actor (actAs), if one did")


class ChangeOut(BaseModel):
    type: str = Field(description="the object's type: session, exam, item, extension, enrollment, ...")
    id: str
    fields: list[str] = Field(description="top-level fields that changed (personal ones too, by name only)")
    form: str = Field(description="full: whole snapshots; diff: only the changed fields; digest: sha256 and size")
    before: Any = Field(None, description="null when created; personal data shows as [redacted]")
    after: Any = Field(None, description="null when removed")


class RestorableOut(BaseModel):
    kind: str = Field(description="session-removal: restore it with POST .../audit-events/{eventId}/restore")
    sessionId: str
    ref: str = Field(description="the removal id")


class AuditEventOut(BaseModel):
    id: str
    courseId: str | None
    at: str
    action: str = Field(description="e.g. session.start, session.submit, session.remove, exam.update")
    actor: Actor
    objectIds: list[str]
    changes: list[ChangeOut]
    restorable: list[RestorableOut]


class AuditPageOut(BaseModel):
    items: list[AuditEventOut]
    nextToken: str | None = Field(None, description="pass as ?nextToken= for the next page; null at the end")


class RestoredSession(BaseModel):
    sessionId: str
    examId: str
    userId: str
    version: int
    attempts: int


class RestoreOut(BaseModel):
    restored: list[RestoredSession]


def restored(sessions: list[Session]) -> RestoreOut:
    return RestoreOut(restored=[RestoredSession(sessionId=s.id, examId=s.exam_id, userId=s.user_id,
                                                version=s.version, attempts=len(s.attempts)) for s in sessions])
