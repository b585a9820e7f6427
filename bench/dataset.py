"""Data sets: the demo data plus students with sessions (through the services, as the API would), and bulk
sessions written with BatchWriteItem straight into DynamoDB Local, from a real session's item (the data
layer's ``session_item``), so they are as large as real ones and carry the same index keys."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from infra.local import demo_data

STUDENTS = 25  # besides the demo's people: enrolled in both demo courses, one session on each timed exam


def student(n: int) -> str:
    return f"bench-student-{n:03d}"


def realistic(students: int = STUDENTS) -> dict[str, str]:
    """demo_data.load() plus ``students`` students, each with a session on the ExamSpark exam (half of them
    submitted) and on the Open edX timed exam."""
    from functions.core.models import Enrollment, User
    from functions.core.rights import Access
    from functions.core.services.sessions import SessionService, StartRequest
    from functions.data.directory import DirectoryRepository
    from functions.data.exams import ExamRepository
    from functions.data.sessions import SessionRepository
    from functions.data.stats import stats_op
    from functions.platform.principal import OPERATOR

    loaded = demo_data.load()
    people, now = DirectoryRepository(), datetime.now(UTC)
    service = SessionService(people, ExamRepository(), SessionRepository(), stats_op, Access(OPERATOR, people), now)
    for n in range(students):
        uid = student(n)
        people.create_user(User(id=uid, username=uid, email=f"{uid}@example.edu", name=f"Student {n}"))
        for course in (demo_data.COURSE, demo_data.OPENEDX_COURSE):
            people.put_enrollment(Enrollment(course_id=course, user_id=uid, role="student"))
        service.start(demo_data.EXAM, StartRequest(user=uid, context_id="bench"))
        service.start("edx-demo-timed", StartRequest(user=uid, context_id="bench"))
    return loaded


def _template(exam_id: str) -> Any:
    from functions.core.services.sessions import session_id_for
    from functions.data.sessions import SessionRepository

    return SessionRepository().get_session(session_id_for(exam_id, student(0), "bench"))


def add_sessions(count: int, exam_id: str, prefix: str, workers: int = 4) -> float:
    """``count`` more sessions on ``exam_id`` (copies of a real one, other users), in batches of 25; seconds."""
    from functions.core.services.sessions import session_id_for
    from functions.data import dynamo
    from functions.data.sessions import session_item

    template, table = _template(exam_id), dynamo.table_name()
    client = dynamo.client()

    def write(start: int) -> None:
        requests = []
        for n in range(start, min(start + 25, count)):
            uid = f"{prefix}-{n:06d}"
            session = template.model_copy(update={"id": session_id_for(exam_id, uid, "bulk"), "user_id": uid,
                                                  "name": f"Bulk {n}"})
            requests.append({"PutRequest": {"Item": dynamo.serialize(session_item(session))}})
        pending = {table: requests}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(write, range(0, count, 25)))
    return time.perf_counter() - started
