"""How the scheduled importer's outcomes share DynamoDB transactions (``imported_outcomes.ImportUnitOfWork``):
packing them within DynamoDB's limits, and telling which of them a cancelled transaction lost. No requests
here: the importer's unit of work builds each outcome's operations and sends the transactions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from functions.core.changes import TRANSACTION_ITEMS
from functions.core.errors import ConcurrentUpdate

TRANSACTION_BYTES = 3_500_000  # DynamoDB's 4 MB per TransactWriteItems, less room for the expressions
ITEM_BYTES = 400 * 1024  # DynamoDB's limit per item (attribute names and values, as item_size counts them)


@dataclass(frozen=True)
class Outcome:
    """One assignment's outcome, ready to write: its operations, all-or-nothing."""

    shard: int
    ops: list[dict[str, Any]]
    keys: frozenset[tuple[str, str]]  # a transaction may touch an item only once
    size: int  # an upper bound of DynamoDB's count: the items' wire JSON (names, values, type tags, quotes)
    largest: int = 0  # the largest of its items, by item_size: over ITEM_BYTES it is never sent


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it against its 400 KB limit, from the wire form (``{"S": ...}``):
    names and strings in UTF-8 bytes, a number 1 byte per 2 significant digits + 1 (rounded up here), 1 byte
    for a boolean or null, 3 bytes + 1 per element for a list or map. An upper bound within a few bytes."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (tag, inner), = value.items()
    if tag == "S":
        return len(inner.encode())
    if tag == "N":
        return (len(inner.lstrip("-")) + 1) // 2 + 1
    if tag == "B":
        return len(inner)
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    if tag == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in inner.items())
    return sum(_value_size({tag[0]: v}) for v in inner)  # SS, NS, BS


def lost_outcomes(group: list[Outcome], error: Exception) -> set[int]:
    """The outcomes of ``group`` a cancelled transaction pins the failure on: a failed condition on one of
    their own writes, or on their shard's lease check (a lost lease loses all of that shard's)."""
    if not isinstance(error, ConcurrentUpdate):
        return set()
    # The lease checks come first, one per shard in this order (imported_outcomes.ImportUnitOfWork._write).
    shards = sorted({o.shard for o in group})
    lost_shards = {shard for position, shard in enumerate(shards) if position in error.failed}
    lost, at = set(), len(shards)
    for k, o in enumerate(group):
        if o.shard in lost_shards or not error.failed.isdisjoint(range(at, at + len(o.ops))):
            lost.add(k)
        at += len(o.ops)
    return lost


def pack(outcomes: list[Outcome]) -> list[list[int]]:
    """Consecutive outcomes grouped into transactions within DynamoDB's limits (a shard lease check each)."""
    groups: list[list[int]] = []
    group: list[int] = []
    count = size = 0
    shards: set[int] = set()
    touched: set[tuple[str, str]] = set()
    for i, o in enumerate(outcomes):
        checks = len(shards | {o.shard})
        if group and (count + len(o.ops) + checks > TRANSACTION_ITEMS or size + o.size > TRANSACTION_BYTES
                      or touched & o.keys):
            groups.append(group)
            group, count, size, shards, touched = [], 0, 0, set(), set()
        group.append(i)
        count, size = count + len(o.ops), size + o.size
        shards.add(o.shard)
        touched |= o.keys
    if group:
        groups.append(group)
    return groups
