"""Authoring rules that need no storage: ids, exam and item consistency, what a student may see.

The service (``core/services/authoring.py``) calls these after it has read what they need. Error ``field``
names follow the JSON the examdesk family of dialects speaks (camelCase).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

from functions.core.errors import InvalidInput, TooLarge
from functions.core.models import Exam, Item

# Open edX course keys (course-v1:org+course+run) need '+'; never '#' or '|' (key and page-token separators),
# '/' (a path segment) or '%' (percent-encoding).
ID_PATTERN = r"^[A-Za-z0-9._:+-]{1,128}$"
ID_DESCRIPTION = "1..128 of A-Z a-z 0-9 . _ : + - (an Open edX course key fits: course-v1:org+course+run)"
MAX_TIME_LIMIT_MINUTES = 10080  # one week
# A session item keeps a summary of each attempt (docs/data-model.md, "Sessions and attempts"): with the 100
# extra attempts a grant may add, 200 originals and 100 reopens stay within core/work.py MAX_ATTEMPT_RECORDS.
MAX_ATTEMPTS = 100
MAX_POOL = 100  # one BatchGetItem checks the whole pool
MAX_QUESTIONS = 20
MIN_OPTIONS, MAX_OPTIONS = 2, 20
MAX_ALIGNMENTS = 20
MAX_ITEM_BYTES = 350_000  # a DynamoDB item is at most 400 KB; keep room for keys and index attributes

_ID = re.compile(ID_PATTERN)


def new_id(given: str | None) -> str:
    """The client's id if it gave one (1..128 of [A-Za-z0-9._:+-]), else a fresh uuid4."""
    if given is None:
        return str(uuid.uuid4())
    if not _ID.match(given):
        raise InvalidInput("id must be 1 to 128 characters of A-Z a-z 0-9 . _ : + -", field="id")
    return given


def unique(values: Iterable[str], field: str) -> None:
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    if repeated:
        raise InvalidInput(f"{field} repeats {', '.join(repeated)}", field=field)


def check_exam(exam: Exam) -> None:
    """Every rule on an exam's own fields (the pool's existence is checked by the service)."""
    dates = [(name, at) for name, at in (("opensAt", exam.opens_at), ("dueAt", exam.due_at),
                                          ("closesAt", exam.closes_at)) if at is not None]
    for (first, a), (second, b) in pairwise(dates):
        if a > b:
            raise InvalidInput(f"{first} must not be after {second}", field=second)
    if exam.time_limit_minutes is not None and not 1 <= exam.time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise InvalidInput(f"timeLimitMinutes must be 1..{MAX_TIME_LIMIT_MINUTES} or null",
                           field="timeLimitMinutes")
    if not 1 <= exam.max_attempts <= MAX_ATTEMPTS:
        raise InvalidInput(f"maxAttempts must be 1..{MAX_ATTEMPTS}", field="maxAttempts")
    if exam.score_min >= exam.score_max:
        raise InvalidInput("scoreMin must be less than scoreMax", field="scoreMax")
    if len(exam.item_pool) > MAX_POOL:
        raise InvalidInput(f"itemPool holds at most {MAX_POOL} items", field="itemPool")
    unique(exam.item_pool, "itemPool")
    if exam.draw_count is not None and not 1 <= exam.draw_count <= len(exam.item_pool):
        raise InvalidInput(f"drawCount must be 1..{len(exam.item_pool)} (the pool's size) or null",
                           field="drawCount")


def require_in_course(wanted: list[str], course_of: dict[str, str], course_id: str, field: str) -> None:
    """400 listing the ids not found, or found in another course (reported alike: not confirmed to exist)."""
    missing = [i for i in wanted if course_of.get(i) != course_id]
    if missing:
        raise InvalidInput(f"{field}: none such in this course: {', '.join(missing)}", field=field)


def check_item(item: Item) -> None:
    if not 1 <= len(item.questions) <= MAX_QUESTIONS:
        raise InvalidInput(f"an item has 1..{MAX_QUESTIONS} questions", field="questions")
    unique([q.id for q in item.questions], "questions.id")
    for n, question in enumerate(item.questions):
        where = f"questions.{n}.options"
        if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
            raise InvalidInput(f"{where}: a question has {MIN_OPTIONS}..{MAX_OPTIONS} options", field=where)
        unique([o.id for o in question.options], f"{where}.id")
        if not any(o.is_key for o in question.options):
            raise InvalidInput(f"{where}: at least one option must be a key (isKey)", field=where)
    if len(item.alignment_ids) > MAX_ALIGNMENTS:
        raise InvalidInput(f"alignmentIds holds at most {MAX_ALIGNMENTS} objectives", field="alignmentIds")
    unique(item.alignment_ids, "alignmentIds")
    size = len(item.model_dump_json())
    if size > MAX_ITEM_BYTES:
        raise TooLarge(f"the item is {size} bytes; at most {MAX_ITEM_BYTES} are stored", field="questions")


def with_ids(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions and options the client gave no id get a short random one."""
    def short() -> str:
        return uuid.uuid4().hex[:12]

    return [{**q, "id": q.get("id") or short(),
             "options": [{**o, "id": o.get("id") or short()} for o in q.get("options", [])]}
            for q in questions]


def visible_to_students(exam: Exam, now: datetime) -> bool:
    """Students see active exams, except those marked hide_after_due once the due date has passed."""
    past_due = exam.due_at is not None and now > exam.due_at
    return exam.active and not (exam.hide_after_due and past_due)
