"""The benchmark's capacity-unit arithmetic (bench/capacity.py): DynamoDB's rounding rules."""

from __future__ import annotations

from bench.capacity import item_size, read_units, write_units


def test_read_units_round_up_per_4_kb_and_halve_when_eventually_consistent() -> None:
    assert read_units(1, consistent=True) == 1
    assert read_units(4096, consistent=True) == 1
    assert read_units(4097, consistent=True) == 2
    assert read_units(4097) == 1.0
    assert read_units(100) == 0.5
    assert read_units(0) == 0.5  # a read that finds nothing still bills one unit's half
    assert read_units(5000, transactional=True) == 4


def test_write_units_round_up_per_1_kb_and_double_in_transactions() -> None:
    assert write_units(1) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(5000, transactional=True) == 10


def test_item_size_counts_names_and_values() -> None:
    assert item_size({"id": {"S": "abc"}}) == 5
    assert item_size({"n": {"N": "12345"}}) == 1 + 4
    assert item_size({"ok": {"BOOL": True}}) == 3
    assert item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + 1 + 1 + 2
    assert item_size({"l": {"L": [{"S": "xy"}, {"NULL": True}]}}) == 1 + 3 + (1 + 2) + (1 + 1)
