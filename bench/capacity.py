"""Counting DynamoDB requests and capacity units on the shared client (botocore event hooks).

``before-call`` asks DynamoDB Local for ``ReturnConsumedCapacity=TOTAL`` and ``after-call`` sums what it
reports: DynamoDB Local computes units from the stored items' sizes with DynamoDB's rules (4 KB read units,
half for eventually consistent reads, 1 KB write units, double for transactions, an item's size summed over a
Query's items before rounding). One exception is corrected here: DynamoDB charges every read request at least
one read (0.5 RCU eventually consistent), DynamoDB Local reports 0 for a Query that finds nothing.
The rounding rules are also spelt out below (``read_units`` / ``write_units`` / ``item_size``) and unit-tested.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def item_size(item: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for an item in wire format: attribute names plus values (numbers approximated
    as their digits / 2 + 1, DynamoDB's rule of thumb; booleans and nulls 1 byte; containers 3 bytes + items)."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return math.ceil(len(inner.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in inner.items())
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in inner)
    return sum(len(v.encode()) if isinstance(v, str) else len(v) for v in inner)  # SS / NS / BS


def read_units(size: int, *, consistent: bool = False, transactional: bool = False) -> float:
    """One read unit per started 4 KB (at least one); eventually consistent halves it, transactional doubles."""
    units = max(1, math.ceil(size / 4096))
    return units * 2 if transactional else (units if consistent else units / 2)


def write_units(size: int, *, transactional: bool = False) -> int:
    """One write unit per started 1 KB (at least one); transactional doubles."""
    units = max(1, math.ceil(size / 1024))
    return units * 2 if transactional else units


@dataclass
class Meter:
    """Requests by operation, and RCU / WCU as DynamoDB would bill them (base table and indexes together)."""

    requests: Counter[str] = field(default_factory=Counter)
    rcu: float = 0.0
    wcu: float = 0.0

    def before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name in READS | WRITES:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        if name not in READS | WRITES:
            return
        self.requests[name] += 1
        consumed = parsed.get("ConsumedCapacity") or []
        units = sum(c.get("CapacityUnits", 0.0) for c in (consumed if isinstance(consumed, list) else [consumed]))
        if name in READS:
            self.rcu += max(units, 0.5)  # every read request bills at least one (eventually consistent) read
        else:
            self.wcu += units

    def attach(self, client: Any) -> Meter:
        client.meta.events.register("before-parameter-build.dynamodb.*", self._params)
        client.meta.events.register("after-call.dynamodb.*", self.after)
        return self

    def detach(self, client: Any) -> None:
        client.meta.events.unregister("before-parameter-build.dynamodb.*", self._params)
        client.meta.events.unregister("after-call.dynamodb.*", self.after)

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.before(params, model)

    def reset(self) -> None:
        self.requests.clear()
        self.rcu = self.wcu = 0.0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def calls(self) -> str:
        return " + ".join(f"{n} {op}" for op, n in sorted(self.requests.items())) or "none"
