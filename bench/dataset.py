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
    from functions.data.unit_of_work import DynamoUnitOfWork
    from functions.data.writers import seed
    from functions.platform.principal import OPERATOR

    loaded = demo_data.load()
    people, now = DirectoryRepository(), datetime.now(UTC)
    service = SessionService(people, ExamRepository(), SessionRepository(), DynamoUnitOfWork(OPERATOR, now),
                             Access(OPERATOR, people), now)
    for n in range(students):
        uid = student(n)
        seed("user", User(id=uid, username=uid, email=f"{uid}@example.edu", name=f"Student {n}"))
        for course in (demo_data.COURSE, demo_data.OPENEDX_COURSE):
            seed("enrollment", Enrollment(course_id=course, user_id=uid, role="student"))
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


COURSE_EXAM, COURSE_QUIZ = "edx-demo-timed", "edx-demo-proctored"  # the Open edX demo course's special exams


def add_course_learners(count: int, prefix: str, start: int = 0, workers: int = 4) -> float:
    """``count`` learners of the Open edX demo course, each a user with a session on its timed exam (a copy of a
    real one: as large, with the index keys the write path gives it, ``session_item``) and, one in ten, extra
    time on its proctored exam (the item the unit of work writes, ``extension_save_ops``); the counters the
    write path keeps with them. Written straight into DynamoDB Local with BatchWriteItem (25 per request,
    unprocessed items retried): seeding 100,000 through the routes would take an hour. Seconds."""
    from functions.core.models import Extension, User
    from functions.core.services.sessions import session_id_for
    from functions.data import dynamo, keys
    from functions.data.extensions import allowance_count_ops, extension_save_ops
    from functions.data.sessions import session_item
    from functions.data.stats import stats_op
    from functions.data.store import Store, to_item

    template, table = _template(COURSE_EXAM), dynamo.table_name()
    client, now = dynamo.client(), datetime.now(UTC)

    def items(n: int) -> list[dict[str, Any]]:
        uid = f"{prefix}-{n:06d}"
        user = User(id=uid, username=uid, email=f"{uid}@learners.example", name=f"Learner {n}")
        session = template.model_copy(update={
            "id": session_id_for(COURSE_EXAM, uid, "bulk"), "user_id": uid, "name": user.name,
            "username": user.username, "email": user.email})
        out = [to_item(user, keys.user_key(uid)), session_item(session)]
        if n % 10 == 0:
            extension = Extension(course_id=demo_data.OPENEDX_COURSE, exam_id=COURSE_QUIZ, user_id=uid,
                                  extra_time_minutes=15, username=uid, email=user.email, session_tracked=True)
            (put,) = extension_save_ops(None, extension, by="bench", at=now)
            out.append(dynamo.deserialize(put["Put"]["Item"]))
        return out

    def write(first: int) -> None:
        batch = [i for n in range(first, min(first + 11, start + count)) for i in items(n)]
        for at in range(0, len(batch), 25):
            pending = {table: [{"PutRequest": {"Item": dynamo.serialize(i)}} for i in batch[at:at + 25]]}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(write, range(start, start + count, 11)))
    extended = len([n for n in range(start, start + count) if n % 10 == 0])
    ops = [stats_op(COURSE_EXAM, {"sessions": count, "attempts": count}),
           *allowance_count_ops({COURSE_QUIZ: extended})]
    Store().transact([op for op in ops if op])
    return time.perf_counter() - started
