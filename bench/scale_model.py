"""Part 7, scale model: an exam day simulated from the requests the test suite recorded (no AWS, no DynamoDB).

Input: infra/dynamodb_requests.json (tests/dynamodb_requests.py): per route, the DynamoDB requests of each
successful invocation with its keys as shapes (``<exam>#exam-stats#<shard/N>``, ``course#<course>``...).
A shape's partition key is shared by as many students as its ids allow: a key of ``<session>`` or ``<user>``
is one student's, a key of ``<exam>`` or ``<course>`` alone is every student's, ``<shard/N>`` spreads over N.
So re-recording after a key changes (a shard added, an index split) changes these rows by itself.

The exam day and every constant the figures rest on are below (``SCENARIO``, the ``*_S`` latencies, the
limits); docs/performance.md, "Scale model", says why each is what it is. Run alone: ``python -m bench.scale_model``.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.capacity import read_units, write_units
from bench.report import Row, text
from functions.core import prewarm

ROOT = Path(__file__).resolve().parents[1]
REQUESTS_FILE = ROOT / "infra" / "dynamodb_requests.json"
PART = "scale model"

STUDENTS = 100_000  # of one course, all taking one exam
STAFF = 20  # instructors and assistants of the course at work during the exam
START_S, SUBMIT_S = 60, 300  # every student starts within the first minute, submits within the next five


@dataclass(frozen=True)
class Flow:
    route: str
    who: str  # "student" | "staff"
    per_second: dict[str, float]  # phase -> invocations per second


# Students start (ExamSpark) in the first phase and submit in the second; staff page through attempts and grant
# extensions at a steady pace throughout (20 staff: 10 list pages and 1 grant per second between them).
SCENARIO: tuple[Flow, ...] = (
    Flow("examspark_start_session", "student", {"start": STUDENTS / START_S}),
    Flow("examspark_set_responses", "student", {"submit": STUDENTS / SUBMIT_S}),
    Flow("examspark_list_sessions", "staff", {"start": 4.0, "submit": 4.0}),
    Flow("openedx_list_course_attempts", "staff", {"start": 3.0, "submit": 3.0}),
    Flow("openedx_list_exam_attempts", "staff", {"start": 3.0, "submit": 3.0}),
    Flow("canvas_quiz_extensions", "staff", {"start": 0.5, "submit": 0.5}),
    Flow("openedx_grant_allowance", "staff", {"start": 0.5, "submit": 0.5}),
)
PHASES = ("start", "submit")
EXAM_DAY_ROUTES = tuple(f.route for f in SCENARIO)

# DynamoDB (per partition key, table or index), Lambda (per account and region, per function), API Gateway.
PARTITION_RCU, PARTITION_WCU = 3000, 1000
ITEM_TRANSACTION_HOLD_S = 0.010  # how long one transaction keeps an item busy (prepare to commit)
ITEM_BUSY_SHARE = 0.10  # at most this share of an item's transactions may find it busy (a TransactionConflict)
ITEM_TRANSACTIONS = math.floor(-math.log(1 - ITEM_BUSY_SHARE) / ITEM_TRANSACTION_HOLD_S)  # 1 - e^(-λτ) <= share
LAMBDA_CONCURRENCY = 1000  # account default, all functions together
LAMBDA_SCALING = 1000  # new instances per function per 10 s
APIGW_RPS, APIGW_BURST = 10_000, 5_000  # per account and region
# A warm invocation: its own work plus one round trip per DynamoDB call; a cold one first pays the init.
INVOKE_S, DYNAMODB_CALL_S, COLD_INIT_S = 0.040, 0.010, 1.5
QUERY_PAGE_BYTES = 1024 * 1024  # a Query reads at most 1 MB per call
SESSION_BYTES = 800  # a session item when the recording saw none on a page


@dataclass(frozen=True)
class Load:
    rcu: float = 0.0
    wcu: float = 0.0
    transactions: float = 0.0


def population(pattern: str, who: str) -> int:
    """How many distinct keys the students' requests spread over for a key of this shape."""
    spread = 1
    for token in re.findall(r"<([^>]+)>", pattern):
        if token.startswith("shard/"):
            spread = max(spread, int(token.split("/", 1)[1]))
        elif token == "user":
            spread = max(spread, STUDENTS if who == "student" else STAFF)
        elif token in ("session", "id", "hash", "time"):  # one per student, or fresh per request
            spread = max(spread, STUDENTS)
    return spread  # <exam>, <course>, <item>, <n> and constant text: one key for the whole exam


def shape_of(route: str, recorded: dict[str, Any]) -> list[dict[str, Any]]:
    """The costliest successful invocation the tests recorded for ``route`` (by write units, then reads)."""
    shapes = recorded.get(route) or []
    if not shapes:
        raise KeyError(f"{route}: no successful invocation recorded in {REQUESTS_FILE.name}; "
                       "record it: EXAMDESK_RECORD_REQUESTS=1 pytest <its tests> (tests/dynamodb_requests.py)")

    def cost(shape: dict[str, Any]) -> tuple[float, float]:
        loads = request_loads(shape["requests"])
        return sum(v.wcu for v in loads.values()), sum(v.rcu for v in loads.values())

    return max(shapes, key=cost)["requests"]


def _query_bytes(request: dict[str, Any], grows: set[tuple[str, str]] | None = None) -> int:
    """A Query's page at exam-day size: full when the partition is shared by the exam, else as recorded.
    ``grows``: the partitions the students' own requests write (None: assume every shared one does); a
    partition no student writes (a course's exams) holds what staff put there, as the tests recorded it."""
    per_item = request["size"] / request["items"] if request.get("items") else SESSION_BYTES
    if population(request["pk"], "student") >= STUDENTS:  # one student's partition (staff read them too)
        return int(request["size"])
    if grows is not None and (request.get("index") or "table", request["pk"]) not in grows:
        return int(request["size"])
    if request.get("limit"):
        return int(per_item * request["limit"])
    return int(per_item * STUDENTS)  # no limit on a shared partition: the whole of it, 1 MB per call


def request_loads(requests: list[dict[str, Any]], grows: set[tuple[str, str]] | None = None
                  ) -> dict[tuple[str, str, str], Load]:
    """Per (table or index, key shape, kind) the units (and transactions) ONE invocation puts on ONE key."""
    out: dict[tuple[str, str, str], Load] = defaultdict(Load)

    def add(where: str, pattern: str, kind: str, rcu: float = 0, wcu: float = 0, tx: float = 0) -> None:
        old = out[(where, pattern, kind)]
        out[(where, pattern, kind)] = Load(old.rcu + rcu, old.wcu + wcu, old.transactions + tx)

    for r in requests:
        op, n = r["op"], r.get("count", 1)  # n requests of this shape (e.g. every shard of a batch read)
        if op == "Get":
            add("table", r["pk"], "partition",
                rcu=n * read_units(r["size"], consistent=r.get("consistent", False)))
        elif op in ("Query", "Scan"):
            size = _query_bytes(r, grows)
            rcu = sum(read_units(min(QUERY_PAGE_BYTES, size - start), consistent=r.get("consistent", False))
                      for start in range(0, max(size, 1), QUERY_PAGE_BYTES))
            add(r.get("index") or "table", r["pk"], "partition", rcu=n * rcu)
        else:  # Put, Update, Delete, Check: a ConditionCheck is counted as a transactional write of its item
            add("table", r["pk"], "partition", wcu=n * write_units(r["size"], transactional=r.get("tx", False)))
            for index, keys in r.get("indexes", {}).items():
                for pk in keys:
                    add(index, pk, "partition", wcu=n * write_units(r["size"]))
            if r.get("tx"):
                add("table", f"{r['pk']} / {r['sk']}", "item", tx=n)
    return out


def written_by_students(recorded: dict[str, Any]) -> set[tuple[str, str]]:
    """(table or index, partition shape) of everything the students' requests write: the partitions that grow
    with the exam's students."""
    out: set[tuple[str, str]] = set()
    for flow in SCENARIO:
        if flow.who != "student":
            continue
        for r in shape_of(flow.route, recorded):
            if r["op"] not in ("Get", "Query", "Scan"):
                out.add(("table", r["pk"]))
                out |= {(index, pk) for index, keys in r.get("indexes", {}).items() for pk in keys}
    return out


def peaks(recorded: dict[str, Any]) -> tuple[dict[tuple[str, str, str], Load], dict[str, float],
                                            dict[str, float], float]:
    """Per key its peak load over the phases; per function its peak invocations/s and warm duration; peak rps."""
    per_phase: dict[str, dict[tuple[str, str, str], Load]] = {p: defaultdict(Load) for p in PHASES}
    rates: dict[str, float] = defaultdict(float)
    durations: dict[str, float] = {}
    rps = {p: 0.0 for p in PHASES}
    grows = written_by_students(recorded)
    for flow in SCENARIO:
        requests = shape_of(flow.route, recorded)
        durations[flow.route] = INVOKE_S + DYNAMODB_CALL_S * len({r["n"] for r in requests})
        for (where, pattern, kind), load in request_loads(requests, grows).items():
            spread = population(pattern, flow.who)
            for phase, rate in flow.per_second.items():
                old = per_phase[phase][(where, pattern, kind)]
                per_phase[phase][(where, pattern, kind)] = Load(
                    old.rcu + rate * load.rcu / spread, old.wcu + rate * load.wcu / spread,
                    old.transactions + rate * load.transactions / spread)
        for phase, rate in flow.per_second.items():
            rps[phase] += rate
            rates[flow.route] = max(rates[flow.route], rate)
    keys_ = {k for loads in per_phase.values() for k in loads}
    peak = {k: Load(max(per_phase[p][k].rcu for p in PHASES), max(per_phase[p][k].wcu for p in PHASES),
                    max(per_phase[p][k].transactions for p in PHASES)) for k in keys_}
    return peak, dict(rates), durations, max(rps.values())


def authorizer_in_front() -> bool:
    """Does a Lambda REQUEST authorizer run before the routes (infra/constructs/api.py)? Each student's token is
    new to its cache, so it is invoked once per student request."""
    api = ROOT / "infra" / "constructs" / "api.py"
    return api.exists() and "RequestAuthorizer(" in api.read_text()


def provisioned(route: str, duration_s: float) -> int:
    """The environments the pre-warm job (functions/jobs/prewarm.py) provisions on ``route`` for this exam: its
    own sizing rule (functions/core/prewarm.py) on the model's students, arrival window and warm duration."""
    for phase, arrival_s in ((prewarm.OPEN, START_S), (prewarm.CLOSE, SUBMIT_S)):
        if route in phase.routes:
            return prewarm.environments(STUDENTS, arrival_s, duration_s, prewarm.DEFAULT_CAP)
    return 0


def rows(path: Path = REQUESTS_FILE, *, prewarmed: bool = True) -> list[Row]:
    """``prewarmed``: the exam-day functions have the job's provisioned environments when the students come."""
    recorded = json.loads(path.read_text())
    peak, rates, durations, rps = peaks(recorded)
    out: list[Row] = []
    partitions = sorted({(w, p) for (w, p, k) in peak if k == "partition"})
    per_student: list[tuple[float, float, str]] = []
    for where, pattern in partitions:
        load = peak[(where, pattern, "partition")]
        name = f"{where} key `{pattern}`"  # backticks: a shape's <...> must not read as HTML in the markdown
        if population(pattern, "student") >= STUDENTS:
            per_student.append((load.rcu, load.wcu, name))
            continue
        ok = load.rcu <= PARTITION_RCU and load.wcu <= PARTITION_WCU
        out.append(Row(PART, name, f"peak {load.rcu:,.0f} RCU/s, {load.wcu:,.0f} WCU/s",
                       f"<= {PARTITION_RCU:,} RCU, {PARTITION_WCU:,} WCU", ok))
    if per_student:
        rcu = max(per_student)[0]
        wcu = max(per_student, key=lambda x: x[1])[1]
        out.append(Row(PART, f"{len(per_student)} per-student key shapes (busiest)",
                       f"peak {rcu:,.2f} RCU/s, {wcu:,.2f} WCU/s",
                       f"<= {PARTITION_RCU:,} RCU, {PARTITION_WCU:,} WCU",
                       rcu <= PARTITION_RCU and wcu <= PARTITION_WCU))
    items = sorted(((peak[k].transactions, k[1]) for k in peak if k[2] == "item"), reverse=True)
    shared = [(t, i) for t, i in items if population(i, "student") < STUDENTS]
    for tx, item in shared:
        out.append(Row(PART, f"transactions on item `{item}`", f"peak {tx:,.1f}/s", f"<= {ITEM_TRANSACTIONS}/s",
                       tx <= ITEM_TRANSACTIONS))
    rest = [t for t, i in items if population(i, "student") >= STUDENTS]
    if rest:
        out.append(Row(PART, f"transactions on any per-student item ({len(rest)} shapes)",
                       f"peak {max(rest):,.3f}/s", f"<= {ITEM_TRANSACTIONS}/s", max(rest) <= ITEM_TRANSACTIONS))
    functions = dict(rates)
    if authorizer_in_front():
        functions["authorizer"] = rps
        durations["authorizer"] = INVOKE_S
    total = 0.0
    for name, rate in sorted(functions.items(), key=lambda f: -f[1]):
        warm = rate * durations[name]
        ready = provisioned(name, durations[name]) if prewarmed else 0
        # Provisioned environments serve up to ready / duration requests/s; only the rest finds none warm, and
        # while instances are new each such request holds its instance for the init and the invocation.
        spill = max(0.0, rate - ready / durations[name])
        cold = spill * (COLD_INIT_S + durations[name])
        total += ready + cold  # provisioned environments count against the account's concurrency too
        figure = (f"{ready:,} provisioned + {spill:,.1f}/s" if ready else f"{rate:,.1f}/s")
        out.append(Row(PART, f"Lambda {name} concurrency", f"{figure} x ({COLD_INIT_S:g} s init + "
                       f"{durations[name] * 1000:.0f} ms) = {ready + cold:,.0f} while cold ({warm:,.0f} warm)",
                       f"<= {LAMBDA_CONCURRENCY:,}", ready + cold <= LAMBDA_CONCURRENCY))
        new = min(cold, spill * 10)
        out.append(Row(PART, f"Lambda {name} scale-out", f"{new:,.0f} new instances in the first 10 s",
                       f"<= {LAMBDA_SCALING:,} / 10 s", new <= LAMBDA_SCALING))
    out.append(Row(PART, "Lambda account concurrency (all functions)", f"{total:,.0f} while cold",
                   f"<= {LAMBDA_CONCURRENCY:,}", total <= LAMBDA_CONCURRENCY))
    out.append(Row(PART, "API Gateway requests", f"peak {rps:,.0f} rps", f"<= {APIGW_RPS:,} rps", rps <= APIGW_RPS))
    out.append(Row(PART, "API Gateway burst (one second's requests)", f"{rps:,.0f}", f"<= {APIGW_BURST:,}",
                   rps <= APIGW_BURST))
    return out


def main() -> int:
    print(text(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
