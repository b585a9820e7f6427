"""Lists within one course whose page cost does not grow with the course: its exams (a whole, short list),
and its sessions and extensions a page at a time from write-sharded index partitions.

A list (``keys.ListSpec``) is spread over ``keys.LIST_SHARDS`` partitions of one index. A page is one Query
per shard from the same position, of about twice the shard's share of the page (``shard_limit``), merged by
sort key: sort keys are unique and compare the same in every shard, so the merged items are exactly the
list's next ones up to the frontier, the nearest last key of a shard that has more. When fewer than a page are
certain, the shards that may hold the page's missing items are read on (a refill round, rare: students fall
into shards at random). The cost of a page is LIST_SHARDS Queries of about 2 x page / LIST_SHARDS + 4 items,
whatever the course's size; docs/data-model.md lists the calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from functions.core.errors import InvalidInput
from functions.core.listing import Chunk, ListOrder, Located
from functions.core.models import Exam, Extension, Session
from functions.data import keys, tokens
from functions.data.keys import Index, ListSpec
from functions.data.store import Store, from_item
from functions.data.tokens import MAX_SORT_KEY_BYTES, utf8_size

M = TypeVar("M", bound=BaseModel)
MAX_REFILLS = 8  # rounds after the first while a page is short of certain items (each reads due shards only)
MAX_PAGES = 50  # a whole list read at once (a course's exams, a student's sessions): 50 MB is far beyond any
TOP = "\uffff"  # above every character our keys hold: the upper end of a prefix's range


def walk(index: Index, pk: str, prefix: str, what: str) -> list[dict[str, Any]]:
    """Every item of one index partition under ``prefix``, continuing from DynamoDB's own last key (only for
    lists that stay short: a course's exams, one student's sessions)."""
    store, items, start = Store(), [], None
    for _ in range(MAX_PAGES):
        page, start = store.query("#pk = :pk AND begins_with(#sk, :prefix)", {"#pk": index.pk, "#sk": index.sk},
                                  {":pk": pk, ":prefix": prefix}, index=index, start=start)
        items += page
        if not start:
            return items
    raise InvalidInput(f"{what} are too many to list at once (over {MAX_PAGES} MB)", field="course_id")


def position(spec: ListSpec, key: dict[str, str]) -> str | None:
    """The sort key in ``spec`` of the item ``key`` names (one GetItem of its index keys), or None when that
    item is gone or is not in this list: a page token can never move a list outside its own partitions."""
    found = Store().index_keys(key, spec.index)
    sk = found.get(spec.index.sk)
    if found.get(spec.index.pk) not in spec.partitions or not isinstance(sk, str) or not sk.startswith(spec.prefix):
        return None
    return sk


def shard_limit(limit: int, shards: int) -> int:
    """Items a page reads from each shard in its first round: twice the shard's even share plus 4, so that
    the merged items certain after one round reach the page (a refill round is needed for about 1 page in 300,
    simulated over 16 shards of random students), and a shard's read does not depend on how many students
    the course has once each shard holds that many (docs/performance.md, "Scaling")."""
    return min(limit, -(-2 * limit // shards) + 4)


def merged(spec: ListSpec, limit: int, *, start: str | None = None, forward: bool = True
           ) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` items of the list in order from ``start`` (a sort key, included if present), and
    whether more may follow: one Query per shard of ``shard_limit`` items, then refill rounds (``_rounds``),
    at most MAX_REFILLS; out of rounds, a short page that says more follow."""
    items, frontier = _rounds(spec, limit, shard_limit(limit, len(spec.partitions)), 1 + MAX_REFILLS,
                              start=start, forward=forward)
    return items[:limit], frontier is not None or len(items) > limit


def shard_round(spec: ListSpec, limit: int, *, start: str | None = None, forward: bool = True,
                filter_expression: str | None = None, filter_names: dict[str, str] | None = None,
                filter_values: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """The list's items from ``start`` that are certain after one Query per shard (``Limit`` = ``limit``
    items read in each, ``filter_*`` applied after), in order, and the frontier: the nearest last key read of
    a shard that has more (None: every shard was read to its end). Nothing between ``start`` and the
    frontier is missing, whether or not the filter kept it. (The audit list: a filter may drop any share of a
    shard's reads, so each shard reads the page and there is no refill.)"""
    return _rounds(spec, limit, limit, 1, start=start, forward=forward, filter_expression=filter_expression,
                   filter_names=filter_names, filter_values=filter_values)


def _rounds(spec: ListSpec, limit: int, step: int, rounds: int, *, start: str | None, forward: bool,
            filter_expression: str | None = None, filter_names: dict[str, str] | None = None,
            filter_values: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """The merge: one Query per shard of ``step`` items, then, while fewer than ``limit`` items are certain and
    ``rounds`` allow, one more Query on each shard that still has more and may hold one of the first ``limit``
    (its last key read comes before the ``limit``-th item read). Answers the certain items in order (those up to
    the frontier, the nearest last key of a shard that has more) and the frontier (None: every shard read to
    its end)."""
    if utf8_size(spec.prefix + TOP) > MAX_SORT_KEY_BYTES:
        return [], None  # no stored sort key is that long (a search past it matches nothing; DynamoDB would refuse)
    index, store = spec.index, Store()
    condition, values = _range(spec, start, forward)
    names = {"#pk": index.pk, "#sk": index.sk, **(filter_names or {})}
    items: list[dict[str, Any]] = []
    resume: dict[str, dict[str, Any] | None] = {pk: None for pk in spec.partitions}  # shard → its last key
    due = list(spec.partitions)

    def ahead(a: str, b: str) -> bool:  # a comes before b in the list's direction
        return a < b if forward else a > b

    for _ in range(rounds):
        for pk in due:
            page, last = store.query(condition, names, {":pk": pk, **values, **(filter_values or {})},
                                     index=index, limit=step, forward=forward, start=resume[pk],
                                     filter_expression=filter_expression)
            items += page
            resume[pk] = last
            if not last:
                del resume[pk]
        items.sort(key=lambda i: (i[index.sk], i[keys.PK], i[keys.SK]), reverse=not forward)
        edges = {pk: last[index.sk] for pk, last in resume.items() if last}
        frontier = (min if forward else max)(edges.values()) if edges else None
        certain = items if frontier is None else [i for i in items if not ahead(frontier, i[index.sk])]
        if frontier is None or len(certain) >= limit:
            break
        needed = items[limit - 1][index.sk] if len(items) >= limit else None
        due = [pk for pk, edge in edges.items() if needed is None or ahead(edge, needed)]
    return certain, frontier


def _range(spec: ListSpec, start: str | None, forward: bool) -> tuple[str, dict[str, Any]]:
    """The key condition of the list's items from ``start`` on (all of them when None)."""
    if start is None:
        return "#pk = :pk AND begins_with(#sk, :prefix)", {":prefix": spec.prefix}
    if forward:
        return "#pk = :pk AND #sk BETWEEN :lo AND :hi", {":lo": start, ":hi": spec.prefix + TOP}
    return "#pk = :pk AND #sk BETWEEN :lo AND :hi", {":lo": spec.prefix, ":hi": start}


def token_page(spec: ListSpec, limit: int, token: str | None, field: str = "nextToken"
               ) -> tuple[list[dict[str, Any]], str | None]:
    """A page in the seed's token format (``["id=<last item>|sk=<its sort key>"]``, the last item's own
    key): the continued page reads that item's index keys (one GetItem) and refuses, with a 400, a token
    that names anything outside this list."""
    start = None
    if token:
        start = position(spec, tokens.decode(token, field)[0])
        if start is None:
            raise InvalidInput(f"{field} does not belong to this list", field=field)
    items, more = merged(spec, limit + (1 if start else 0), start=start)
    items = [i for i in items if i[spec.index.sk] != start]
    more = more or len(items) > limit
    items = items[:limit]
    last = items[-1] if items and more else None
    return items, tokens.encode([{keys.PK: last[keys.PK], keys.SK: last[keys.SK]}]) if last else None


def _located(model: type[M], items: list[dict[str, Any]]) -> list[Located[M]]:
    return [Located(from_item(model, i), {keys.PK: i[keys.PK], keys.SK: i[keys.SK]}) for i in items]


def _chunk(spec: ListSpec, model: type[M], limit: int, start: dict[str, str] | None, forward: bool
           ) -> Chunk[M]:
    bound = position(spec, start) if start else None
    if start and bound is None:
        return Chunk([], False, lost=True)
    items, more = merged(spec, limit, start=bound, forward=forward)
    return Chunk(_located(model, items), more)


class CourseWalks:
    """The Open edX and Canvas lists' reads (core/special_exam_ports.py CourseLists)."""

    def course_exams(self, course_id: str) -> list[Exam]:
        index, pk, prefix = keys.course_exams_query(course_id)
        return [from_item(Exam, i) for i in walk(index, pk, prefix, "the course's exams")]

    def student_sessions(self, course_id: str, user_id: str, exam_id: str) -> list[Session]:
        """One student's sessions on one exam (one per LTI context), on the per-user index."""
        index, pk, prefix = keys.user_course_sessions_query(user_id, course_id, exam_id)
        return [from_item(Session, i) for i in walk(index, pk, prefix, "the student's sessions")]

    def sessions(self, course_id: str, exam_id: str | None, order: ListOrder, limit: int,
                 start: dict[str, str] | None) -> Chunk[Session]:
        """Sessions of the course (or one exam) in ``order``, from the session ``start`` names (included)."""
        specs: dict[str, Callable[[], ListSpec]] = {
            "time": lambda: keys.exam_sessions_list(exam_id) if exam_id else keys.course_sessions_list(course_id),
            "username": lambda: keys.course_sessions_by_name(course_id, order.needle),
            "email": lambda: keys.course_sessions_by_email(course_id, order.needle),
        }
        return _chunk(specs[order.field](), Session, limit, start, order.forward)

    def extensions(self, course_id: str, order: ListOrder, limit: int, start: dict[str, str] | None
                   ) -> Chunk[Extension]:
        specs: dict[str, Callable[[], ListSpec]] = {
            "time": lambda: keys.course_extensions_list(course_id),
            "username": lambda: keys.course_extensions_by_name(course_id, order.needle),
            "email": lambda: keys.course_extensions_by_email(course_id, order.needle),
        }
        return _chunk(specs[order.field](), Extension, limit, start, order.forward)

    def attempt_counts(self, exam_ids: list[str]) -> dict[str, int]:
        """Per exam its ``attempts`` counter, summed over its statistics shards (data/stats.py: 1 + 192 keys,
        2 BatchGetItem calls per exam)."""
        from functions.data.stats import StatsRepository

        found = {s[keys.PK]: s for s in StatsRepository().get_many(exam_ids)} if exam_ids else {}
        return {e: int(found.get(e, {}).get("attempts", 0)) for e in exam_ids}

    def allowance_counts(self, exam_ids: list[str]) -> dict[str, int]:
        """Per exam its ``allowances`` counter (its `list-counts` item: one key per exam, 100 per call)."""
        from functions.data.store import Store

        found = {i[keys.PK]: i for i in Store().batch_get([keys.list_counts_key(e) for e in exam_ids])} \
            if exam_ids else {}
        return {e: int(found.get(e, {}).get("allowances", 0)) for e in exam_ids}
