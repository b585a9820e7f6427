"""Part 1, cold start: the median wall time of a fresh interpreter importing each function's module, next to
the reference handler (bench/reference_handler.py: the stack's floor) and bare ``python -c pass``.

Runs are interleaved (every target once per round, in a shuffled order) so a busy machine slows all alike.
Each run records wall time and the child's CPU time (user + sys, from wait4): on a shared machine the wall
time also measures the neighbours, so the goal is checked on the CPU-time ratio and the wall ratio is shown.
The environment is a Lambda's (its reserved variables set: Powertools' Tracer is on and patches, and the X-Ray SDK
sees it runs in Lambda, as deployed)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Row

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.25
PROBE = "import sys, {module}; print(len(sys.modules))"
# Lambda's own reserved variables (python3.12, active tracing), then the stack's. LAMBDA_TASK_ROOT matters: the
# X-Ray SDK reads it to know it runs in Lambda, where it samples locally instead of building the centralized
# sampler's botocore X-Ray clients (an earlier run of this benchmark without it charged every route for them).
LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "examdesk-bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
              "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
              "LAMBDA_TASK_ROOT": str(ROOT), "LAMBDA_RUNTIME_DIR": "/var/runtime",
              "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
              "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "EXAMDESK_TABLE_NAME": "examdesk",
              "POWERTOOLS_SERVICE_NAME": "examdesk", "POWERTOOLS_METRICS_NAMESPACE": "examdesk"}


def targets(quick: bool) -> dict[str, str]:
    """label -> module (None-like "" for bare python)."""
    from functions.routes import ROUTES

    routes = ROUTES
    if quick:  # one route per dialect
        seen: set[str] = set()
        routes = tuple(r for r in ROUTES if not (r.dialect in seen or seen.add(r.dialect)))  # type: ignore[func-returns-value]
    found = {"python -c pass": "", "reference handler": "bench.reference_handler"}
    found.update({r.name: r.import_path for r in routes})
    found["importer (jobs.import_results)"] = "functions.jobs.import_results"
    found["authorizer"] = "functions.platform.authorizer"
    return found


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    modules: int = 0

    @property
    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def lambda_env() -> dict[str, str]:
    """This process's environment without our settings, plus Lambda's (LAMBDA_ENV)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "EXAMDESK_"))} | LAMBDA_ENV


def once(module: str, figures: Figures) -> None:
    env = lambda_env()
    code = PROBE.format(module=module) if module else "pass"
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"importing {module} failed ({child.returncode})")
    figures.wall.append(time.perf_counter() - started)
    figures.cpu.append(usage.ru_utime + usage.ru_stime)
    figures.modules = int(out.strip() or 0)


def measure(runs: int, quick: bool) -> dict[str, Figures]:
    found = targets(quick)
    figures = {label: Figures() for label in found}
    order = list(found)
    for _ in range(runs):
        random.shuffle(order)
        for label in order:
            once(found[label], figures[label])
    return figures


def rows(runs: int = 5, quick: bool = False) -> list[Row]:
    figures = measure(runs, quick)
    bare_wall, bare_cpu = figures.pop("python -c pass").median
    ref_wall, ref_cpu = figures["reference handler"].median
    out = [Row("cold start", "python -c pass", f"wall {bare_wall * 1000:.0f} ms, cpu {bare_cpu * 1000:.0f} ms"),
           Row("cold start", "reference handler", f"wall {ref_wall * 1000:.0f} ms, cpu {ref_cpu * 1000:.0f} ms, "
               f"{figures['reference handler'].modules} modules")]
    for label, found in figures.items():
        if label == "reference handler":
            continue
        wall, cpu = found.median
        ratio = cpu / ref_cpu
        out.append(Row("cold start", label, f"cpu {cpu * 1000:.0f} ms = {ratio:.2f}x ref; wall {wall * 1000:.0f} ms = "
                       f"{wall / ref_wall:.2f}x; {found.modules} modules", f"cpu <= {GOAL}x ref", ratio <= GOAL))
    return out


if __name__ == "__main__":
    from bench.report import text

    print(text(rows(int(sys.argv[1]) if len(sys.argv) > 1 else 5, quick="--quick" in sys.argv)))
