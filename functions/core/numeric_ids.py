"""Integer ids for dialects that speak them (Open edX, Canvas): a stable 52-bit number derived from our string id.

Our ids are strings; the Open edX spec uses integers for exams, users, attempts and allowances. The number is
a hash, so it needs no counter and no read to render. Where a dialect sends a number back (an exam in a path,
a user to remove an allowance from), an alias item maps it to the string id with one read; the alias is
written with the object, conditionally, so two objects can never share a number (docs/openedx.md).

52 bits keep every number exact in JavaScript clients (2**53) and in JSON parsers that read doubles.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

BITS = 52
LARGEST = 2**BITS - 1
MAX_DIGITS = len(str(LARGEST))  # 16


class Kind(StrEnum):
    EXAM = "exam"  # an Open edX exam is the Canvas quiz of the same number
    USER = "user"
    COURSE = "course"  # Canvas
    ATTEMPT = "attempt"
    ALLOWANCE = "allowance"


def number(kind: Kind, value: str) -> int:
    """The number of ``value`` among objects of ``kind`` (1 .. 2**52 - 1)."""
    digest = hashlib.sha256(f"{kind.value}\x1f{value}".encode()).digest()
    return max(1, int.from_bytes(digest[:7], "big") >> (56 - BITS))


def parse(text: str) -> int | None:
    """A number as a client sends it in a path or a list (``"42"``); None when it cannot be one of ours."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if 1 <= value <= LARGEST else None


def attempt_number(session_id: str, incarnation: str, attempt: int) -> int:
    """An attempt's number: its session, which incarnation of it (a session begun again after a reset is a
    new one), and its place in the session."""
    return number(Kind.ATTEMPT, f"{session_id}|{incarnation}|{attempt}")


def allowance_number(exam_id: str, user_id: str, key: str) -> int:
    return number(Kind.ALLOWANCE, f"{exam_id}|{user_id}|{key}")
