"""The benchmark's arithmetic: DynamoDB's capacity-unit rounding rules (bench/capacity.py) and the cold-start
ratio to the reference runs around each run (bench/coldstart.py)."""

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


def test_a_cold_start_run_is_judged_against_the_reference_runs_around_it():
    from bench.coldstart import REFERENCE, Figures, _bracketed

    figures = {REFERENCE: Figures(wall=[0.5, 0.7, 1.0, 2.0], cpu=[0.5, 0.7, 1.0, 2.0]),
               "route": Figures(wall=[0.6, 1.8], cpu=[0.6, 1.8])}
    _bracketed(figures, ["route"])  # the route's latest run, between the reference's last two
    assert figures["route"].cpu_ratio == [1.2] and figures["route"].wall_ratio == [1.2]
    figures["route"].cpu_ratio += [1.0, 1.3]
    assert figures["route"].median_ratio[1] == 1.2  # the median of the runs' ratios, not a ratio of medians


def test_peak_memory_is_read_from_a_proc_status_text():
    from bench.env import peak_memory_mb

    assert peak_memory_mb("Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t   55296 kB\nVmRSS:\t 50000 kB\n") == 54.0
    assert peak_memory_mb("") == 0.0  # no /proc: nothing printed
