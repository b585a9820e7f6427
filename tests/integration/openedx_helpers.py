"""Shared steps of the Open edX integration tests (moto)."""

from __future__ import annotations

from typing import Any

from functions.core.models import Session
from functions.core.numeric_ids import Kind, number
from functions.data.sessions import SessionRepository, session_item
from functions.data.store import Store
from tests.conftest import Answer, call
from tests.factories import classroom, exam

COURSE, OTHER_COURSE = "course-1", "course-2"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
TIMED, PROCTORED, PRACTICE, STANDARD = f"exam-{COURSE}", "proctored-1", "practice-1", "standard-1"
FOREIGN = f"exam-{OTHER_COURSE}"


def edx_room() -> dict[str, Any]:
    """course-1 with a timed (60 min), a proctored (90), a practice (30, untimed? no: 30) and a standard exam;
    course-2 (another course with its own staff and timed exam)."""
    room = classroom(COURSE)
    items = room["items"]
    exam(PROCTORED, COURSE, items, type="proctored", time_limit_minutes=90)
    exam(PRACTICE, COURSE, items, type="practice", time_limit_minutes=30)
    exam(STANDARD, COURSE, items, type="standard")
    classroom(OTHER_COURSE)
    return room


def num(exam_id: str) -> str:
    return str(number(Kind.EXAM, exam_id))


def user_num(user_id: str) -> int:
    return number(Kind.USER, user_id)


def edx(route: str, course: str = COURSE, exam_id: str | None = None, *, as_user: str | None = INSTRUCTOR,
        **kw: Any) -> Answer:
    path = {"course_id": course}
    if exam_id is not None:
        path["exam_id"] = exam_id if exam_id.isdigit() or not exam_id else num(exam_id)
    path.update(kw.pop("path", {}))
    return call(f"openedx_{route}", path, as_user=as_user, **kw)


def start(exam_id: str = TIMED, user: str = STUDENT, context_id: str = "", as_user: str | None = None
          ) -> dict[str, Any]:
    """A session started through the ExamSpark route (one domain: Open edX sees the same attempts). A launch
    context counts only from a trusted caller (``as_user`` staff): the student's own is ignored."""
    answer = call("examspark_start_session", {"examConfigId": exam_id}, as_user=as_user or user,
                  body={"user_id": user, "context_id": context_id})
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


def grant(exam_id: str, users: list[str], kind: str = "additional_time_granted", value: Any = "30",
          as_user: str | None = INSTRUCTOR, course: str = COURSE) -> Answer:
    return edx("grant_allowance", course, exam_id, as_user=as_user,
               body={"user_ids": users, "allowance_type": kind, "value": value})


def item_count() -> int:
    from functions.data.dynamo import client

    return int(client().scan(TableName="examdesk-test", Select="COUNT")["Count"])


def edx_headers(route: str, course: str = COURSE, exam_id: str | None = None, *, as_user: str = INSTRUCTOR,
                query: dict[str, list[str]] | None = None) -> Answer:
    """Like ``edx``, with the response headers (Powertools puts them in ``multiValueHeaders``)."""
    import importlib
    import json

    from functions.platform.events import proxy_event
    from functions.routes import route as registry
    from tests.conftest import LambdaContext, principal_context

    r = registry(f"openedx_{route}")
    path = {"course_id": course, **({"exam_id": num(exam_id)} if exam_id else {})}
    event = proxy_event(r, path, query=query, authorizer=principal_context("user", as_user))
    response = importlib.import_module(r.import_path).lambda_handler(event, LambdaContext())
    headers = {k: ", ".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()}
    return Answer(response["statusCode"], json.loads(response["body"]), headers)
