"""Shared steps of the Canvas integration tests (moto)."""

from __future__ import annotations

from typing import Any

from functions.core.models import Session
from functions.data.extensions import ExtensionRepository
from functions.data.sessions import SessionRepository, session_item
from functions.data.store import Store
from tests.conftest import Answer, call

COURSE = "course-1"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
EXAM = f"exam-{COURSE}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def set_quiz(entries: list[dict[str, Any]] | str, *, as_user: str | None = INSTRUCTOR, quiz: str = EXAM,
             course: str = COURSE, **kw: Any) -> Answer:
    body = entries if isinstance(entries, str) else {"quiz_extensions": entries}
    return call("canvas_quiz_extensions", {"course_id": course, "quiz_id": quiz}, as_user=as_user, body=body,
                **kw)


def set_course(entries: list[dict[str, Any]] | str, *, as_user: str | None = INSTRUCTOR, course: str = COURSE,
               **kw: Any) -> Answer:
    body = entries if isinstance(entries, str) else {"quiz_extensions": entries}
    return call("canvas_course_extensions", {"course_id": course}, as_user=as_user, body=body, **kw)


def start(exam_id: str = EXAM, user: str = STUDENT, context_id: str = "", as_user: str | None = None
          ) -> dict[str, Any]:
    """A launch context counts only from a trusted caller (``as_user`` staff); the student's own is ignored."""
    answer = call("examspark_start_session", {"examConfigId": exam_id}, as_user=as_user or user,
                  body={"user_id": user, "context_id": context_id})
    assert answer.status == 200, answer.body
    return dict(answer.body["examSession"])


def read(session_id: str, as_user: str = STUDENT) -> dict[str, Any]:
    answer = call("examspark_get_session", {"sessionId": session_id}, as_user=as_user)
    assert answer.status == 200, answer.body
    return dict(answer.body["examSession"])


def stored(session_id: str) -> Session:
    """The stored session with its current attempt's responses and results (their own items)."""
    repo = SessionRepository()
    session = repo.get_session(session_id, consistent=True)
    assert session is not None
    return repo.with_current(session, consistent=True)


def store_session(session: Session) -> None:
    """Write a session as-is (to move its clock in tests)."""
    Store().put(session_item(session))


def extension(exam_id: str = EXAM, user: str = STUDENT):  # type: ignore[no-untyped-def]
    return ExtensionRepository().get_extension(exam_id, user)


def item_count() -> int:
    from functions.data.dynamo import client

    return int(client().scan(TableName="examdesk-test", Select="COUNT")["Count"])


def call_with_headers(route_name: str, path: dict[str, str], *, as_user: str | None = None,
                      authorizer: dict[str, str] | None = None, query: dict[str, list[str]] | None = None,
                      headers: dict[str, str] | None = None) -> Answer:
    """Like ``call``, but the answer's headers include ``multiValueHeaders`` (where Powertools puts them)."""
    import importlib
    import json

    from functions.platform.events import proxy_event
    from functions.routes import route
    from tests.conftest import LambdaContext, principal_context

    r = route(route_name)
    if authorizer is None and as_user is not None:
        authorizer = principal_context("user", as_user)
    event = proxy_event(r, path, query=query, headers=headers, authorizer=authorizer)
    response = importlib.import_module(r.import_path).lambda_handler(event, LambdaContext())
    merged = {**(response.get("headers") or {}),
              **{k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}}
    return Answer(response["statusCode"], json.loads(response.get("body") or "null"), merged)
