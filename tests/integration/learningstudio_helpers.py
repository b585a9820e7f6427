"""Shared setup and steps of the LearningStudio integration tests (moto): a course with a pool larger than
the draw, custom roles with and without the Course Administrator right, and a second course."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from functions.core.models import Enrollment, Exam, Extension, Role
from functions.data.exams import ExamRepository
from functions.data.writers import seed
from tests.conftest import Answer, call, principal_context
from tests.factories import classroom, enroll, exam, item, seed_extension, user

COURSE, OTHER_COURSE = "course-1", "course-2"
STUDENT, OTHER, TA, INSTRUCTOR = (f"{role}-{COURSE}" for role in ("student", "other", "ta", "instructor"))
OTHER_INSTRUCTOR = f"instructor-{OTHER_COURSE}"
REGISTRAR, GRADER = "registrar-1", "grader-1"  # custom roles: with course:admin / without it
EXAM, ONCE, SOON, CLOSED = "ls-exam", "ls-once", "ls-soon", "ls-closed"
POOL = [f"pool-{n}" for n in range(8)]

LIST, BEGIN, RESET, RETAKE = ("learningstudio_list_user_exams", "learningstudio_begin_exam",
                              "learningstudio_reset_exam", "learningstudio_retake_exam")
RESETS, RESTORE = "learningstudio_list_exam_resets", "learningstudio_restore_exam"


def build() -> dict[str, Any]:
    """course-1 (classroom) + an 8-item pool; exams drawing 3: retakable (2 attempts), not retakable, opening
    tomorrow, closed yesterday; custom roles; course-2 with its own instructor."""
    room = classroom(COURSE)
    classroom(OTHER_COURSE)
    for n, iid in enumerate(POOL):
        item(iid, COURSE, key_index=n % 4)
    now = datetime.now(UTC)
    exam(EXAM, COURSE, POOL, draw_count=3, retakable=True, max_attempts=2)
    exam(ONCE, COURSE, POOL, draw_count=3, retakable=False)
    exam(SOON, COURSE, POOL, draw_count=3, opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    exam(CLOSED, COURSE, POOL, draw_count=3, opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    seed("role", Role(id="registrar", name="Registrar", rights=["course:admin"]))
    seed("role", Role(id="grader", name="Grader", rights=["course:view", "attempt:manage"]))
    for uid, role in ((REGISTRAR, "registrar"), (GRADER, "grader")):
        user(uid)
        enroll(COURSE, uid, role)
    return room


def path(user_id: str = STUDENT, exam_id: str = EXAM, course_id: str = COURSE) -> dict[str, str]:
    return {"userId": user_id, "courseId": course_id, "examId": exam_id}


def key(courses: str = COURSE, rights: str = "course:admin") -> dict[str, str]:
    return principal_context("key", "integration", courses=courses, rights=rights)


def begin(user_id: str = STUDENT, exam_id: str = EXAM, *, as_user: str | None = None,
          course_id: str = COURSE) -> Answer:
    return call(BEGIN, path(user_id, exam_id, course_id), as_user=as_user or user_id)


def begun(user_id: str = STUDENT, exam_id: str = EXAM) -> dict[str, Any]:
    answer = begin(user_id, exam_id)
    assert answer.status == 201, answer.body
    return dict(answer.body["exam"])


def reset(user_id: str = STUDENT, exam_id: str = EXAM, *, as_user: str | None = INSTRUCTOR,
          authorizer: dict[str, str] | None = None, course_id: str = COURSE, reason: str | None = None) -> Answer:
    query = {"reason": [reason]} if reason is not None else None
    return call(RESET, path(user_id, exam_id, course_id), as_user=as_user, authorizer=authorizer, query=query)


def answer_all(instance_id: str, item_ids: list[str], *, submit: bool, as_user: str = STUDENT) -> Answer:
    """Answer every drawn item through the ExamSpark responses route (option 0 each)."""
    body = {"submitForScoring": submit, "responses": [
        {"itemId": i, "questions": [{"id": f"{i}-q", "response": {"options": [{"index": 0}]}}]} for i in item_ids]}
    answer = call("examspark_set_responses", {"sessionId": instance_id}, as_user=as_user, body=body)
    assert answer.status == 200, answer.body
    return answer


def item_count() -> int:
    from functions.data.dynamo import client

    return int(client().scan(TableName="examdesk-test", Select="COUNT")["Count"])


def unlock(exam_id: str, user_id: str = STUDENT) -> None:
    extension = Extension(course_id=COURSE, exam_id=exam_id, user_id=user_id, manually_unlocked=True)
    seed_extension(extension)


def move_window(exam_id: str, **dates: datetime) -> Exam:
    """Change an exam's dates the way the authoring API does (a new version)."""
    repo = ExamRepository()
    found = repo.get_exam(exam_id)
    assert found is not None
    changed = found.model_copy(update={**dates, "version": found.version + 1})
    seed("exam", changed)
    return changed


def enrollment(user_id: str, course_id: str = COURSE, role: str = "student") -> None:
    seed("enrollment", Enrollment(course_id=course_id, user_id=user_id, role=role))
