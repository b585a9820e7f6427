"""Open edX allowances on the one ``Extension`` object (docs/timing-rules.md): which key sets which field,
what a value must look like, and the allowance rows an extension shows.

| key | Extension field | value |
| --- | --- | --- |
| ``additional_time_granted`` | ``extra_time_minutes`` | whole minutes, 0..10080 |
| ``time_multiplier`` | ``time_multiplier`` (kept as the rule) | a number, 1..10 |
| ``review_policy_exception`` | ``review_policy_exception`` | text, 1..1000 characters |

Unlike edX, which turns a multiplier into minutes when it is granted, the multiplier stays a rule: each exam
applies it to its own time limit, and a row reports the minutes it means there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from functions.core import timing
from functions.core.errors import InvalidInput
from functions.core.models import Exam, Extension

MAX_MINUTES = 10080  # one week, as for Canvas' extra_time
MAX_MULTIPLIER = 10.0
MAX_TEXT = 1000
_WHOLE = re.compile(r"^\s*\d{1,9}\s*$")
_NUMBER = re.compile(r"^\s*\d{1,6}(\.\d{1,6})?\s*$")


class AllowanceType(StrEnum):
    ADDITIONAL_TIME = "additional_time_granted"
    TIME_MULTIPLIER = "time_multiplier"
    REVIEW_POLICY_EXCEPTION = "review_policy_exception"


FIELDS: dict[AllowanceType, str] = {
    AllowanceType.ADDITIONAL_TIME: "extra_time_minutes",
    AllowanceType.TIME_MULTIPLIER: "time_multiplier",
    AllowanceType.REVIEW_POLICY_EXCEPTION: "review_policy_exception",
}
CLEARED: dict[AllowanceType, Any] = {
    AllowanceType.ADDITIONAL_TIME: 0,
    AllowanceType.TIME_MULTIPLIER: None,
    AllowanceType.REVIEW_POLICY_EXCEPTION: None,
}


def allowance_type(text: str) -> AllowanceType:
    try:
        return AllowanceType(text)
    except ValueError:
        allowed = ", ".join(t.value for t in AllowanceType)
        raise InvalidInput(f"allowance_type must be one of {allowed}; got {text[:60]!r}",
                           field="allowance_type") from None


def parse_value(kind: AllowanceType, text: str) -> int | float | str:
    """The stored value of an allowance sent as text (edX sends every value as a string)."""
    if kind is AllowanceType.ADDITIONAL_TIME:
        if not _WHOLE.match(text) or int(text) > MAX_MINUTES:
            raise InvalidInput(f"value of additional_time_granted must be whole minutes from 0 to "
                               f"{MAX_MINUTES}; got {text[:40]!r}", field="value")
        return int(text)
    if kind is AllowanceType.TIME_MULTIPLIER:
        number = float(text) if _NUMBER.match(text) else math.nan
        if not 1.0 <= number <= MAX_MULTIPLIER:
            raise InvalidInput(f"value of time_multiplier must be a number from 1 to {MAX_MULTIPLIER:g}; "
                               f"got {text[:40]!r}", field="value")
        return number
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidInput(f"value of review_policy_exception must be text of 1 to {MAX_TEXT} characters",
                           field="value")
    return text


def has(extension: Extension, kind: AllowanceType) -> bool:
    return getattr(extension, FIELDS[kind]) != CLEARED[kind]


def granted(extension: Extension, kind: AllowanceType, value: Any, *, by: str, at: datetime
            ) -> Extension | None:
    """``extension`` (the stored one, or ``new_extension``) with the allowance set to ``value``; None when it
    already has exactly that value (nothing to write)."""
    if getattr(extension, FIELDS[kind]) == value:
        return None
    return _changed(extension, {FIELDS[kind]: value}, by, at)


def removed(extension: Extension, kind: AllowanceType, *, by: str, at: datetime) -> Extension:
    return _changed(extension, {FIELDS[kind]: CLEARED[kind]}, by, at)


def _changed(extension: Extension, change: dict[str, Any], by: str, at: datetime) -> Extension:
    """Who changed it and when; ``version`` is what the optimistic write checks (data/extensions.py)."""
    return extension.model_copy(update={**change, "updated_at": at, "updated_by": by,
                                        "version": extension.version + 1,
                                        "created_at": extension.created_at or at})


def new_extension(course_id: str, exam_id: str, user_id: str) -> Extension:
    return Extension(course_id=course_id, exam_id=exam_id, user_id=user_id)


def row_count(extension: Extension | None) -> int:
    """How many allowance rows the extension shows (``rows``): what its exam's allowance counter counts."""
    if extension is None:
        return 0
    return (int(bool(extension.extra_time_minutes)) + int(extension.time_multiplier is not None)
            + int(extension.review_policy_exception is not None))


def count_deltas(pairs: list[tuple[Extension | None, Extension | None]]) -> dict[str, int]:
    """Per exam, the change in its allowance rows that these (before, after) writes make."""
    out: dict[str, int] = {}
    for before, after in pairs:
        either = after or before
        if either is not None and (n := row_count(after) - row_count(before)):
            out[either.exam_id] = out.get(either.exam_id, 0) + n
    return {k: v for k, v in out.items() if v}


def empty(extension: Extension) -> bool:
    """Nothing granted any more (neither allowances nor Canvas' extra attempts or unlock)."""
    return (extension.extra_attempts == 0 and extension.extra_time_minutes == 0
            and extension.time_multiplier is None and not extension.manually_unlocked
            and extension.review_policy_exception is None)


@dataclass(frozen=True)
class AllowanceRow:
    """One allowance as Open edX lists it: a (user, exam, key) with its value as text."""

    extension: Extension
    exam: Exam
    kind: AllowanceType
    value: str
    additional_minutes: int | None  # what it adds to this exam's time limit (None: not about time / untimed)


def rows(extension: Extension, exam: Exam) -> list[AllowanceRow]:
    out: list[AllowanceRow] = []
    limit = exam.time_limit_minutes
    if extension.extra_time_minutes:
        minutes = extension.extra_time_minutes
        out.append(AllowanceRow(extension, exam, AllowanceType.ADDITIONAL_TIME, str(minutes), minutes))
    if extension.time_multiplier is not None:
        only_rule = Extension(course_id=extension.course_id, exam_id=exam.id, user_id=extension.user_id,
                              time_multiplier=extension.time_multiplier)
        minutes_for_exam = timing.granted_minutes(exam, only_rule) if limit is not None else None
        out.append(AllowanceRow(extension, exam, AllowanceType.TIME_MULTIPLIER,
                                f"{extension.time_multiplier:g}", minutes_for_exam))
    if extension.review_policy_exception is not None:
        out.append(AllowanceRow(extension, exam, AllowanceType.REVIEW_POLICY_EXCEPTION,
                                extension.review_policy_exception, None))
    return out
