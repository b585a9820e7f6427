"""Open edX list mechanics on rows already read: search, ordering, page numbers (Django REST framework's
``PageNumberPagination`` and ``OrderingFilter`` as edX uses them; the routes clamp page numbers and sizes as DRF
does before they get here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from functions.core.errors import InvalidInput
from functions.core.models import User

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 10  # edX's DefaultPagination
MAX_PAGE_SIZE = 100
MAX_SEARCH = 256
USER_ORDERINGS = frozenset({"username", "user.username", "email", "user.email"})


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

    @property
    def needs_users(self) -> bool:
        """Does filtering or ordering read every row's user (rather than only the page's)?"""
        return bool(self.needle) or self.field in USER_ORDERINGS


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    count: int
    query: ListQuery

    @property
    def has_next(self) -> bool:
        return self.query.page * self.query.page_size < self.count

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1

    @property
    def last_page(self) -> int:
        return max(1, -(-self.count // self.query.page_size))


def matches(user: User | None, needle: str) -> bool:
    """edX's search: a case-insensitive partial match on the username or the email."""
    if not needle:
        return True
    return user is not None and (needle in user.username.lower() or needle in user.email.lower())


def user_sort_value(user: User | None, field: str) -> str:
    if user is None:
        return ""
    return (user.email if field.endswith("email") else user.username).lower()


def ordered(rows: Sequence[T], keys: dict[str, Callable[[T], Any]], query: ListQuery,
            tie: Callable[[T], Any]) -> list[T]:
    """Rows in ``query``'s order; ``keys`` maps each accepted ordering name to its sort value. Empty values
    sort last going up (first going down), and ``tie`` makes the order total, so descending is exactly the
    ascending list reversed."""
    if not query.ordering or query.field not in keys:  # an unknown field is ignored, as DRF's OrderingFilter does
        return list(rows)
    value = keys[query.field]
    return sorted(rows, key=lambda row: (value(row) is None, _comparable(value(row)), tie(row)),
                  reverse=query.descending)


def _comparable(value: Any) -> Any:
    return "" if value is None else value


def page_of(rows: list[T], query: ListQuery) -> list[T]:
    start = (query.page - 1) * query.page_size
    return rows[start : start + query.page_size]
