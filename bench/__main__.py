"""``python -m bench`` (``make bench``): every part, one table, also written to docs/performance.md.

    python -m bench                    # everything: 5 cold-start runs, 100,000 sessions, importer c=16,32
    python -m bench --quick            # a smoke run: fewer cold-start targets and runs, 10,000 sessions
    python -m bench --parts costs,scaling --sessions 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.report import Row, markdown, text

ROOT = Path(__file__).resolve().parents[1]
PARTS = ("coldstart", "costs", "scaling", "throughput", "size", "importer", "scale")


class Rows(list[Row]):
    """Prints each part's rows as soon as it is measured (a long run shows progress)."""

    def __iadd__(self, new: list[Row]) -> Rows:  # type: ignore[override, misc]
        print(text(new), end="\n\n", flush=True)
        self.extend(new)
        return self


def run(args: argparse.Namespace) -> list[Row]:
    from bench import env

    env.configure()
    parts, rows = args.parts.split(","), Rows()
    if "coldstart" in parts:
        from bench import coldstart

        rows += coldstart.rows(runs=args.runs or (3 if args.quick else 5), quick=args.quick)
    if {"costs", "scaling", "throughput"} & set(parts):
        db = env.start_dynamodb()
        try:
            from bench import costs, dataset, scaling, throughput

            if {"costs", "scaling"} & set(parts):
                dataset.realistic()
            if "costs" in parts:
                rows += costs.rows()
            if "scaling" in parts:
                rows += scaling.rows(args.sessions or (10_000 if args.quick else 100_000))
            if "throughput" in parts:
                rows += throughput.rows(db.endpoint, seconds=2.0 if args.quick else 5.0)
        finally:
            db.stop()
    if "size" in parts:
        from bench import size

        rows += size.rows()
    if "importer" in parts:
        from bench import importer

        rows += importer.rows(assignments=300 if args.quick else 1000)
    if "scale" in parts:
        from bench import scale_model

        rows += scale_model.rows()
    return rows


def write(rows: list[Row], seconds: float, args: argparse.Namespace) -> Path:
    path = ROOT / "docs" / "performance.md"
    guide = path.read_text().split("<!-- table -->")[0] if path.exists() else "# Performance\n\n"
    load = os.getloadavg()[0]
    header = (f"`make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.python_version()}, "
              f"{os.cpu_count()} cores, load average {load:.1f} at the end, {seconds / 60:.0f} min"
              f"{' (--quick)' if args.quick else ''}; parts: {args.parts}.")
    path.write_text(f"{guide}<!-- table -->\n{header}\n\n{markdown(rows)}\n")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke run (minutes, not an hour)")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--sessions", type=int, default=0, help="bulk sessions for scaling (default 100,000)")
    parser.add_argument("--runs", type=int, default=0, help="cold-start runs per target (default 5)")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = run(args)
    print("=" * 40, "the table", "=" * 40)
    print(text(rows))
    short = [r for r in rows if r.ok is False]
    print(f"\n{len(rows)} figures, {len(short)} short of their goal")
    if not args.no_write:
        print(f"wrote {write(rows, time.monotonic() - started, args).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
