"""Path and query parameters of the Open edX routes.

The published spec constrains nothing beyond types, so nothing here is refused for its length or range: a
course id that cannot be ours is refused by the rights check (403), an ``exam_id`` that is not one of our exam
numbers is a 404 (as Open edX's URL patterns answer). ``page`` and ``page_size`` are integers of any size, read
as Django REST framework's PageNumberPagination reads them (edX's lists): a ``page_size`` below 1 means the
default, above 100 means 100; a ``page`` below 1 means the first. A value that is not a whole number is a 404
(DRF's "Invalid page"): the list operations document no 400.
"""

from __future__ import annotations

import re
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from functions.core.errors import InvalidInput, NotFound
from functions.core.listing import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SEARCH, Cursor, ListQuery
from functions.data import keys, tokens

CourseId = Annotated[str, Path(description="the course id (Open edX: course-v1:{org}+{course}+{run})")]
ExamId = Annotated[str, Path(description="the exam's number (integer)")]
Username = Annotated[str, Path(description="the student's username")]
# Read as text (a repeated name takes its last value, as Django does: RouteApp, platform/http.last_value_wins).
Search = Annotated[str | None, Query(description="case-insensitive partial match on username or email")]
PageNumber = Annotated[str | None, Query(description="page number (integer; below 1: the first page)")]
PageSize = Annotated[str | None, Query(
    description=f"results per page (integer; below 1: the default, above {MAX_PAGE_SIZE}: {MAX_PAGE_SIZE})")]
Ordering = Annotated[str | None, Query(description="a field name; '-' first for descending")]
CursorParam = Annotated[str | None, Query(
    alias="cursor", description="where the page starts, as a 'next' link gives it (beyond the spec: a page "
                                "reached by its link costs one page; one reached by its number alone reads "
                                "the rows before it, at most 1,000)")]
ExamType = Annotated[str | None, Query(description="proctored | timed | practice")]


_WHOLE = re.compile(r"^[+-]?\d{1,30}$")
_NOTHING = "\x00"  # no username or email holds it: a search longer than any of them matches nothing


def whole(text: str | None, name: str) -> int | None:
    """An integer parameter; not a whole number: a 404 (DRF's "Invalid page", edX's URL patterns)."""
    if text is None or text == "":
        return None
    if not _WHOLE.match(text.strip()):
        raise NotFound(f"{name} must be a whole number; got {text[:20]!r}", field=name)
    return int(text.strip())


def list_query(search: str | None, page: str | None, page_size: str | None, ordering: str | None,
               default_size: int = DEFAULT_PAGE_SIZE) -> ListQuery:
    number, size = whole(page, "page"), whole(page_size, "page_size")
    size = default_size if size is None or size < 1 else min(size, MAX_PAGE_SIZE)
    needle = search or ""
    return ListQuery(search=needle if len(needle) <= MAX_SEARCH else _NOTHING,
                     page=max(1, number or 1), page_size=size, ordering=(ordering or "")[:64])




def encode_cursor(cursor: Cursor | None) -> str | None:
    """The seed's token format: the item the page starts at (its own key), then the list's phase and how
    many of that item's rows came before (``["id=<item>|sk=<sort key>", "id=phase<n>|sk=shown#<k>"]``)."""
    if cursor is None:
        return None
    place = keys.CURSOR_PLACE.write(cursor.phase, cursor.shown)
    return tokens.encode([cursor.key, place] if cursor.key else [place])


def decode_cursor(text: str | None) -> Cursor | None:
    """A cursor from a ``next`` link; anything else (garbled, forged) is no cursor: the page is then read by
    its number (the lists answer no 400). A forged one can only move within the list: the store reads its
    item and refuses one outside the list's own partitions (data/course_walks.py ``position``)."""
    if not text:
        return None
    try:
        entries = tokens.decode(text, field="cursor")
    except InvalidInput:
        return None
    place = keys.CURSOR_PLACE.read(entries[-1])
    if len(entries) > 2 or place is None:
        return None
    return Cursor(place[0], entries[0] if len(entries) == 2 else None, place[1])
