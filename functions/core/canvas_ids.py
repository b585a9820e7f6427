"""Canvas ids as clients send them, and our string ids for them (docs/canvas.md, "Ids").

Canvas ids are integers (canvasapi refuses anything else before it sends a request); ours are strings. Every
course, quiz (exam) and user has a stable number (``core/numeric_ids.py``, the same numbers Open edX shows),
and a Canvas id in a path or a body may be given in any of these forms:

- digits: a number, mapped back to our id by its alias (one read for all the numbers of a request); digits
  that no alias names are taken as our own id, so an object whose string id is all digits stays reachable;
- ``sis_course_id:<id>`` for a course, ``sis_user_id:<id>`` for a user: our id, as Canvas' SIS lookups
  (the course's or user's own string id is its SIS id);
- anything else: our id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from functions.core.numeric_ids import Kind, parse

SIS_PREFIX = {Kind.COURSE: "sis_course_id:", Kind.USER: "sis_user_id:"}


@dataclass(frozen=True)
class Ref:
    """One id as a client sent it: ``text`` is our id unless ``number`` names an object."""

    kind: Kind
    text: str
    number: int | None = None


def ref(kind: Kind, value: str | int) -> Ref:
    text = str(value).strip()
    prefix = SIS_PREFIX.get(kind)
    if prefix and text.startswith(prefix):
        return Ref(kind, text.removeprefix(prefix).strip())
    return Ref(kind, text, parse(text))


class NumberAliases(Protocol):
    def resolve(self, wanted: list[tuple[Kind, int]]) -> dict[tuple[Kind, int], str]: ...


def resolve(aliases: NumberAliases, refs: Iterable[Ref]) -> dict[Ref, str]:
    """Our id for each ref; every number of the request in one read (none when no ref is a number)."""
    refs = list(refs)
    found = aliases.resolve([(r.kind, r.number) for r in refs if r.number is not None])
    return {r: found.get((r.kind, r.number), r.text) if r.number is not None else r.text for r in refs}
