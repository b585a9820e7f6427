"""Open edX list mechanics: search, ordering, page numbers (Django REST framework's ``PageNumberPagination``
and ``OrderingFilter`` as edX uses them; the routes clamp page numbers and sizes as DRF does before they get
here), read a page at a time from lists the store keeps in order (``collect``): a page's cost follows the
page, never the course (docs/openedx.md, "Lists")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from functions.core.errors import InvalidInput, NotFound

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 10  # edX's DefaultPagination
MAX_PAGE_SIZE = 100
MAX_SEARCH = 256
MAX_JUMP = 1000  # rows a page number alone may skip (read and dropped); past them, follow ``next`` (a cursor)
MAX_ROUNDS = 6  # reads per page while rows are filtered out (another exam's); then a short page with ``next``


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    ordering: str = ""  # a field name, "-" first for descending; "" for the list's default order

    def __post_init__(self) -> None:
        if self.page < 1:
            raise InvalidInput(f"page must be 1 or more; got {self.page}", field="page")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InvalidInput(f"page_size must be from 1 to {MAX_PAGE_SIZE}; got {self.page_size}",
                               field="page_size")
        if len(self.search) > MAX_SEARCH:
            raise InvalidInput(f"search must be at most {MAX_SEARCH} characters", field="search")

    @property
    def needle(self) -> str:
        return self.search.strip().lower()

    @property
    def field(self) -> str:
        return self.ordering.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.ordering.startswith("-")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    count: int
    query: ListQuery
    more: bool | None = None  # known from the read: rows follow this page (None: from ``count``)
    cursor: Cursor | None = None  # where the next page starts (its link carries it)

    @property
    def has_next(self) -> bool:
        if self.more is not None:
            return self.more
        return self.query.page * self.query.page_size < self.count

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1

    @property
    def last_page(self) -> int:
        return max(1, -(-self.count // self.query.page_size))


# --- lists the store keeps in order -----------------------------------------------------------------
@dataclass(frozen=True)
class ListOrder:
    """One ordered list the store keeps: by ``time`` (latest start; a course's extensions: exam then user),
    ``username`` or ``email`` (those starting with ``needle``), read ``forward`` or backward."""

    field: str
    needle: str = ""
    forward: bool = True


@dataclass(frozen=True)
class Located(Generic[T]):
    item: T
    key: dict[str, str]  # the item's own key: what a page cursor names


@dataclass(frozen=True)
class Chunk(Generic[T]):
    items: list[Located[T]]
    more: bool
    lost: bool = False  # the cursor's item is gone, or not in this list


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: in phase ``phase`` of the list, at the item ``key`` names, after ``shown`` of its
    rows."""

    phase: int
    key: dict[str, str] | None  # None: the phase's first item
    shown: int


@dataclass(frozen=True)
class Phase(Generic[T, R]):
    """One ordered list of a page's phases (a search reads username matches, then email-only matches), with
    the rows of each item (in the list's direction; an empty list drops it)."""

    order: ListOrder
    rows: Callable[[T], list[R]]


class CursorLost(Exception):
    """The cursor's item is gone or not in this list: the page is read by its number instead."""


@dataclass
class Collected(Generic[R]):
    rows: list[R] = field(default_factory=list)
    more: bool = False
    resume: Cursor | None = None


Reader = Callable[[ListOrder, int, "dict[str, str] | None"], Chunk[Any]]


def collect(phases: Sequence[Phase[Any, R]], read: Reader, want: int, cursor: Cursor | None,
            batch: int = 1) -> Collected[R]:
    """Up to ``want`` rows from ``cursor`` on, and whether more follow (one row more is looked for, so a page
    that ends where the list ends says so): each read asks the store for as many items as rows are still
    wanted (an item gives one row or more), but at least ``batch`` (a page): a read costs a Query per shard
    whatever it asks, so a round that must step over items giving no row (a search's email matches already
    listed by username, another exam's sessions) steps over a page of them, not the one or two rows the page
    still lacks. The reads follow the page, not the list."""
    found: list[tuple[R, Cursor]] = []  # each row with the position just after it
    phase, start, shown = (cursor.phase, cursor.key, cursor.shown) if cursor else (0, None, 0)
    for _ in range(MAX_ROUNDS):
        if phase == len(phases) or len(found) > want:
            break
        chunk = read(phases[phase].order, max(want + 1 - len(found), batch) + (1 if start else 0), start)
        if chunk.lost:
            raise CursorLost
        for located in chunk.items:
            rows = phases[phase].rows(located.item)
            skip = shown if start is not None and located.key == start else 0
            found += [(rows[n], Cursor(phase, located.key, n + 1)) for n in range(skip, len(rows))]
            start, shown = located.key, len(rows)
            if len(found) > want:
                break
        if len(found) <= want and (not chunk.more or not chunk.items):
            phase, start, shown = phase + 1, None, 0
    else:
        if phase < len(phases) and len(found) <= want:  # out of rounds: a short page, continued by ``next``
            return Collected([r for r, _ in found], True, Cursor(phase, start, shown))
    if len(found) > want:
        return Collected([r for r, _ in found[:want]], True, found[want - 1][1] if want else cursor)
    return Collected([r for r, _ in found], False, None)


def paged(phases: Sequence[Phase[Any, R]], read: Reader, query: ListQuery, cursor: Cursor | None,
          exact: int | None) -> Page[R]:
    """The page ``query`` asks for: from ``cursor`` (a ``next`` link's) at the cost of one page, or by its
    number alone by reading the rows before it (at most MAX_JUMP). ``exact``: the list's size from its
    counters (None under a search: ``count`` is then what is known, the rows up to this page and 1 more while
    more follow; exact on the last page)."""
    size = query.page_size
    skip = 0 if cursor else (query.page - 1) * size
    if cursor is None and exact is not None and skip >= exact and skip:
        return Page([], exact, query, more=False)  # past the end: nothing to read
    if skip > MAX_JUMP:
        raise NotFound(f"page {query.page} starts {skip} rows in; a page number alone reaches the first "
                       f"{MAX_JUMP} rows: follow the 'next' links (they carry a cursor)", field="page")
    try:
        got = collect(phases, read, skip + size, cursor, batch=size + 1)
    except CursorLost:  # the cursor's row is gone (reset, removed): the page by its number
        return paged(phases, read, query, None, exact)
    rows = got.rows[skip:]
    known = (query.page - 1) * size + len(rows) + (1 if got.more else 0)
    return Page(rows, known if exact is None else max(exact, known), query, more=got.more,
                cursor=got.resume if got.more else None)
