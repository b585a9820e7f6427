"""The sharded list merge (data/course_walks.py ``merged``) on moto: every page is exactly the list's next
items in either direction, from any position, whether the students fall into shards at random or all into
one (one student's sessions on many exams: the refill rounds), and a page's reads follow the page: each Query
asks for ``shard_limit`` items, and the first round is one Query per shard."""

from __future__ import annotations

import random
from typing import Any

import pytest

from functions.core.listing import MAX_JUMP, MAX_PAGE_SIZE
from functions.data import dynamo, keys
from functions.data.course_walks import MAX_REFILLS, merged, shard_limit

COURSE = "course-merge"
SPEC = keys.course_sessions_list(COURSE)


class QueryLimits:
    """The ``Limit`` of every Query the shared client sends."""

    def __init__(self) -> None:
        self.limits: list[int] = []

    def __call__(self, params: dict[str, Any], **_: Any) -> None:
        self.limits.append(params["Limit"])


def _put(entries: list[tuple[int, str]]) -> list[str]:
    """Index entries (shard, sort key) of the course list; their sort keys in list order."""
    client, table = dynamo.client(), dynamo.table_name()
    index = SPEC.index
    for at in range(0, len(entries), 25):
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": dynamo.serialize({
            keys.PK: f"merge-{sk}", keys.SK: "exam-session", index.pk: SPEC.partitions[shard],
            index.sk: f"{SPEC.prefix}{sk}"})}} for shard, sk in entries[at:at + 25]]})
    return sorted(f"{SPEC.prefix}{sk}" for _, sk in entries)


def _keys(items: list[dict[str, Any]]) -> list[str]:
    return [i[SPEC.index.sk] for i in items]


def _expected(ordered: list[str], limit: int, start: str | None, forward: bool) -> tuple[list[str], bool]:
    rows = ordered if forward else ordered[::-1]
    if start is not None:
        rows = [r for r in rows if (r >= start if forward else r <= start)]
    return rows[:limit], len(rows) > limit


@pytest.mark.parametrize("spread", ["random", "one shard", "two shards"])
def test_every_page_is_the_lists_next_items(table, spread):
    rng = random.Random(20)
    shards = {"random": range(keys.LIST_SHARDS), "one shard": [5], "two shards": [3, 11]}[spread]
    ordered = _put([(rng.choice(list(shards)), f"{n:05d}") for n in rng.sample(range(10_000), 300)])
    for limit in (1, 2, 11, 21, 101, 301):
        for forward in (True, False):
            for start in (None, ordered[0], ordered[137], ordered[-1], f"{SPEC.prefix}05000"):
                got, more = merged(SPEC, limit, start=start, forward=forward)
                want, want_more = _expected(ordered, limit, start, forward)
                assert (_keys(got), more) == (want, want_more), (limit, forward, start)


def test_a_page_asks_each_shard_for_its_share_not_the_page(table, dynamo_calls):
    rng = random.Random(7)
    _put([(rng.randrange(keys.LIST_SHARDS), f"{n:05d}") for n in rng.sample(range(100_000), 2_000)])
    limits = QueryLimits()
    dynamo.client().meta.events.register("provide-client-params.dynamodb.Query", limits)
    dynamo_calls.reset()
    got, more = merged(SPEC, 101)
    calls = dynamo_calls
    assert len(got) == 101 and more
    assert set(limits.limits) == {shard_limit(101, keys.LIST_SHARDS)} == {17}
    assert calls.counts["Query"] == keys.LIST_SHARDS  # no refill: 16 x 17 items held the page


def test_refill_rounds_read_on_only_the_shards_that_may_hold_the_page(table, dynamo_calls):
    # One student's sessions on 40 exams, all started after everyone else's: the page's items are all in
    # that student's shard.
    rng = random.Random(3)
    entries = [(rng.randrange(keys.LIST_SHARDS), f"1{n:04d}") for n in range(200)]
    entries += [(9, f"0{n:04d}") for n in range(40)]
    ordered = _put(entries)
    dynamo_calls.reset()
    got, more = merged(SPEC, 21)
    calls = dynamo_calls
    assert (_keys(got), more) == (ordered[:21], True)
    step = shard_limit(21, keys.LIST_SHARDS)  # 7: shard 9 is read 3 times
    assert calls.counts["Query"] == keys.LIST_SHARDS + -(-21 // step) - 1


def test_out_of_rounds_a_short_page_says_more_follow(table, monkeypatch):
    from functions.data import course_walks

    ordered = _put([(0, f"0{n:04d}") for n in range(50)] + [(1, "19999")])
    monkeypatch.setattr(course_walks, "MAX_REFILLS", 1)
    got, more = course_walks.merged(SPEC, 40)
    step = shard_limit(40, keys.LIST_SHARDS)
    assert (_keys(got), more) == (ordered[:2 * step], True)  # certain so far; the next page continues


def test_the_largest_read_fits_the_rounds_even_in_one_shard():
    largest = MAX_JUMP + MAX_PAGE_SIZE + 2  # a page number's rows before it, the page, one more, the cursor's
    assert -(-largest // shard_limit(largest, keys.LIST_SHARDS)) <= 1 + MAX_REFILLS
