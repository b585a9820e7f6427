"""Exam window entries (keys.exam_window_key): written with the exam, read by the pre-warm job."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core.models import Exam
from functions.core.prewarm import CLOSE, OPEN, Moment
from functions.data import keys
from functions.data.store import Store, from_item, op_put

PAGE = 100


def moments_of(exam: Exam) -> list[Moment]:
    """An active exam's open and close (its due time when it has one: submissions crowd before it)."""
    if not exam.active:
        return []
    close = exam.due_at or exam.closes_at
    return [Moment(exam.id, kind, at) for kind, at in ((OPEN.name, exam.opens_at), (CLOSE.name, close)) if at]


def window_ops(exam: Exam) -> list[dict[str, Any]]:
    """Puts of the exam's entries, for the exam's own transaction (the same time rewrites the same item)."""
    ops = []
    for moment in moments_of(exam):
        key = keys.exam_window_key(moment.kind, moment.at, exam.id)
        ops.append(op_put({**key, "examId": exam.id, "courseId": exam.course_id, "kind": moment.kind,
                           keys.TTL_ATTRIBUTE: int(moment.at.timestamp()) + keys.EXAM_WINDOW_TTL_S}))
    return ops


class ExamWindowRepository:
    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def moments(self, low: datetime, high: datetime) -> list[tuple[Moment, str]]:
        """The exams' moments between ``low`` and ``high`` with each exam's course: one Query per hour bucket
        (paged), then one BatchGetItem of the exams, so an entry whose exam moved, closed or went inactive since
        is dropped."""
        found: dict[str, list[str]] = {}
        for bucket, prefix in keys.exam_window_buckets(low, high):
            token = None
            while True:
                page = self.store.query_page(bucket, prefix, limit=PAGE, token=token)
                for item in page.items:
                    found.setdefault(item["examId"], []).append(item[keys.SK])
                token = page.next_token
                if not token:
                    break
        if not found:
            return []
        exams = [from_item(Exam, i) for i in self.store.batch_get([keys.exam_key(e) for e in found])]
        out = []
        for exam in exams:
            for moment in moments_of(exam):
                if (low <= moment.at <= high
                        and keys.exam_window_key(moment.kind, moment.at, exam.id)[keys.SK] in found[exam.id]):
                    out.append((moment, exam.course_id))
        return out

    def students(self, course_id: str) -> int:
        """The course's enrollments, counted by the store (Select=COUNT: no items come back)."""
        return self.store.count(course_id, keys.ENROLLMENT_PREFIX)
