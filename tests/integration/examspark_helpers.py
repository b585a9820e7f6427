"""Shared steps of the ExamSpark integration tests (moto): start, answer, read back what is stored."""

from __future__ import annotations

from typing import Any

from functions.core.models import Extension, Session
from functions.data.sessions import SessionRepository, part_ops, session_item
from functions.data.stats import StatsRepository
from functions.data.store import Store, op_put
from tests.conftest import Answer, call, principal_context
from tests.factories import seed_extension

COURSE = "course-1"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
EXAM = f"exam-{COURSE}"


def key(courses: str = COURSE, rights: str = "course:view,attempt:manage") -> dict[str, str]:
    return principal_context("key", "integration", courses=courses, rights=rights)


def start(exam_id: str = EXAM, user: str = STUDENT, context_id: str = "") -> str:
    answer = call("examspark_start_session", {"examConfigId": exam_id}, as_user=user,
                  body={"user_id": user, "context_id": context_id})
    assert answer.status == 200, answer.body
    return str(answer.body["examSession"]["id"])


def choice(item_id: str, *indexes: int, question: str | None = None) -> dict[str, Any]:
    """A response to the factories' items (one question ``<item>-q``, key at index 2)."""
    return {"itemId": item_id, "questions": [
        {"id": question or f"{item_id}-q", "response": {"options": [{"index": i} for i in indexes]}}]}


def respond(session_id: str, responses: list[dict[str, Any]], submit: bool = False, *, as_user: str | None = STUDENT,
            authorizer: dict[str, str] | None = None, query: dict[str, list[str]] | None = None) -> Answer:
    return call("examspark_set_responses", {"sessionId": session_id}, as_user=as_user, authorizer=authorizer,
                body={"submitForScoring": submit, "responses": responses}, query=query)


def submit_all(session_id: str, items: list[str], right: int, as_user: str | None = STUDENT) -> Answer:
    """Submit with the first ``right`` items answered correctly and the others wrongly."""
    answer = respond(session_id, [choice(i, 2 if n < right else 0) for n, i in enumerate(items)], True,
                     as_user=as_user)
    assert answer.status == 200, answer.body
    return answer


def stored(session_id: str) -> Session:
    """The stored session with its current attempt's responses and results (their own items)."""
    repo = SessionRepository()
    session = repo.get_session(session_id, consistent=True)
    assert session is not None
    return repo.with_current(session, consistent=True)


def store_session(session: Session) -> None:
    """Write a session as-is (to move its clock in tests)."""
    Store().transact([op_put(session_item(session)), *part_ops(None, session, history=False)])


def history(session_id: str) -> list[Session]:
    """History copies, newest first, each with the responses and results its current attempt had."""
    repo = SessionRepository()
    return [repo.with_current(s, consistent=True) for s in repo.session_history(session_id)]


def stats(exam_id: str = EXAM) -> dict[str, Any]:
    found = StatsRepository().get_many([exam_id])
    return found[0] if found else {}


def grant(exam_id: str, user: str, **fields: Any) -> None:
    extension = Extension(course_id=COURSE, exam_id=exam_id, user_id=user, **fields)
    seed_extension(extension)


def item_count() -> int:
    from functions.data.dynamo import client

    return int(client().scan(TableName="examdesk-test", Select="COUNT")["Count"])
