"""core/listing.py: pages read in order from lists the store keeps (a fake store), with phases, cursors,
page numbers and rows some items do not give."""

from __future__ import annotations

from functions.core import listing
from functions.core.listing import Chunk, Cursor, ListOrder, ListQuery, Located, Phase


def store(items: dict[str, list[int]]):  # type: ignore[no-untyped-def]
    """A list per field: items in key order; ``read`` counts its calls."""
    calls: list[int] = []

    def read(order: ListOrder, limit: int, start: dict[str, str] | None) -> Chunk[int]:
        calls.append(limit)
        keys = items[order.field]
        at = 0 if start is None else keys.index(int(start["id"]))
        taken = keys[at:at + limit]
        return Chunk([Located(k, {"id": str(k), "sk": "x"}) for k in taken], at + limit < len(keys))

    return read, calls


def test_pages_follow_their_cursors_and_end_exactly_where_the_list_ends():
    read, calls = store({"time": list(range(25))})
    phases = [Phase(ListOrder("time"), lambda n: [n])]
    seen, cursor, pages = [], None, 0
    while True:
        page = listing.paged(phases, read, ListQuery(page=pages + 1, page_size=10), cursor, exact=25)
        seen += page.rows
        pages += 1
        if not page.has_next:
            break
        cursor = page.cursor
    assert seen == list(range(25)) and pages == 3 and page.count == 25
    assert max(calls) <= 12  # each read asks for about a page


def test_items_with_several_rows_continue_inside_an_item_and_empty_items_are_skipped():
    read, _ = store({"time": list(range(10))})
    phases = [Phase(ListOrder("time"), lambda n: [] if n % 3 == 0 else [(n, "a"), (n, "b")])]
    first = listing.collect(phases, read, 3, None)
    assert first.rows == [(1, "a"), (1, "b"), (2, "a")] and first.more
    assert first.resume == Cursor(0, {"id": "2", "sk": "x"}, 1)
    second = listing.collect(phases, read, 3, first.resume)
    assert second.rows == [(2, "b"), (4, "a"), (4, "b")]


def test_a_search_reads_its_second_phase_without_the_first_phases_rows_and_counts_what_it_knows():
    read, _ = store({"username": [1, 2], "email": [2, 3, 4]})
    phases = [Phase(ListOrder("username"), lambda n: [n]),
              Phase(ListOrder("email"), lambda n: [] if n in (1, 2) else [n])]
    page = listing.paged(phases, read, ListQuery(search="x", page_size=2), None, exact=None)
    assert page.rows == [1, 2] and page.has_next and page.count == 3  # 2 shown, more follow
    rest = listing.paged(phases, read, ListQuery(search="x", page=2, page_size=2), page.cursor, exact=None)
    assert rest.rows == [3, 4] and not rest.has_next and rest.count == 4  # exact on the last page
    by_number = listing.paged(phases, read, ListQuery(search="x", page=2, page_size=2), None, exact=None)
    assert by_number.rows == rest.rows


def test_a_lost_cursor_reads_the_page_by_its_number():
    calls = []

    def read(order: ListOrder, limit: int, start: dict[str, str] | None) -> Chunk[int]:
        calls.append(start)
        if start is not None:
            return Chunk([], False, lost=True)
        return Chunk([Located(n, {"id": str(n), "sk": "x"}) for n in range(limit)], True)

    phases = [Phase(ListOrder("time"), lambda n: [n])]
    page = listing.paged(phases, read, ListQuery(page=2, page_size=5), Cursor(0, {"id": "gone", "sk": "x"}, 1),
                         exact=100)
    assert page.rows == [5, 6, 7, 8, 9] and calls[0] is not None and calls[-1] is None


def test_a_round_that_steps_over_rows_already_listed_reads_a_page_of_them_not_what_the_page_lacks():
    # A search: 100 username matches, then the email matches, the same 100 (listed already) and 3 more.
    read, calls = store({"username": list(range(100)), "email": list(range(103))})
    phases = [Phase(ListOrder("username"), lambda n: [n]),
              Phase(ListOrder("email"), lambda n: [] if n < 100 else [n])]
    page = listing.paged(phases, read, ListQuery(search="x", page_size=100), None, exact=None)
    assert page.rows == list(range(100)) and page.has_next  # 100 shown; 3 more follow
    # The email phase asks for a page (101), not the 1 row the page still lacked: 2 reads in all, where asking
    # for what is lacking stepped over 1-2 listed rows a read and ran out of rounds.
    assert calls == [101, 101]
    rest = listing.paged(phases, read, ListQuery(search="x", page=2, page_size=100), page.cursor, exact=None)
    assert rest.rows == [100, 101, 102] and not rest.has_next
