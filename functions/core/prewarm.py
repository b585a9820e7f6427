"""Exam-day pre-warm (functions/jobs/prewarm.py): how many provisioned environments an exam's students need.

Students of one exam arrive together: every one starts within the first minute after the open and submits in
the last minutes before the close (docs/performance.md, "Scale model"). With nothing warm, the start function
needs ~2,500 new environments at once, above Lambda's scale-out rate (1,000 per 10 s per function), so the job
provisions environments on the exam-day functions' ``live`` alias around those moments and releases them after.
The rule is pure and shared with the scale model (bench/scale_model.py), so the model counts what the job sets.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

HEADROOM = 1.5  # arrivals are not even within the window; a full environment turns requests away
TICK = timedelta(minutes=5)  # the job's schedule: a moment is served from one tick earlier than its lead
ALIAS = "live"  # the alias API Gateway invokes; provisioned concurrency is set on it


@dataclass(frozen=True)
class Phase:
    """A moment of an exam (its open or its close) and the functions its students call around it."""

    name: str  # "open" | "close": the window entry's kind (functions/data/keys.py)
    routes: tuple[str, ...]
    arrival_s: int  # the students' requests spread over this many seconds
    before: timedelta  # provisioned from this long before the moment (plus one tick)...
    after: timedelta  # ...to this long after it


OPEN = Phase("open", ("examspark_start_session", "learningstudio_begin_exam"), 60,
             timedelta(minutes=10), timedelta(minutes=10))
CLOSE = Phase("close", ("examspark_set_responses",), 300, timedelta(minutes=10), timedelta(0))
PHASES = {p.name: p for p in (OPEN, CLOSE)}
ROUTES = tuple(r for p in PHASES.values() for r in p.routes)


def environments(students: int, arrival_s: float, duration_s: float, cap: int, headroom: float = HEADROOM) -> int:
    """rate = students / arrival window; environments = ceil(rate x warm duration x headroom), at most ``cap``."""
    if students <= 0 or arrival_s <= 0 or duration_s <= 0:
        return 0
    rate = students / arrival_s
    return min(cap, math.ceil(rate * duration_s * headroom))


@dataclass(frozen=True)
class Moment:
    """One window entry: an exam's open or close time, as its entry recorded it."""

    exam_id: str
    kind: str  # a PHASES key
    at: datetime


def active(moment: Moment, now: datetime) -> bool:
    phase = PHASES[moment.kind]
    return moment.at - phase.before - TICK <= now <= moment.at + phase.after


def lookup_range(now: datetime) -> tuple[datetime, datetime]:
    """The moments any tick at ``now`` may serve: from the longest tail behind to the longest lead ahead."""
    return (now - max(p.after for p in PHASES.values()),
            now + max(p.before for p in PHASES.values()) + TICK)


def plan(moments: Iterable[tuple[Moment, int]], now: datetime, durations: dict[str, float],
         cap: int) -> dict[str, int]:
    """Environments per exam-day route at ``now``: the sum over its active moments (exams at the same time
    stack), at most ``cap``; 0 for a route with none (release it). ``moments`` pair a moment with its students."""
    wanted = dict.fromkeys(ROUTES, 0)
    for moment, students in moments:
        if not active(moment, now):
            continue
        phase = PHASES[moment.kind]
        for route in phase.routes:
            wanted[route] += environments(students, phase.arrival_s, durations[route], cap)
    return {route: min(cap, n) for route, n in wanted.items()}


class ProvisionedConcurrency(Protocol):
    """Provisioned environments on a function's ``live`` alias (Lambda's provisioned concurrency config)."""

    def current(self, function: str) -> int: ...  # requested environments now; 0 when none is set
    def provision(self, function: str, environments: int) -> None: ...
    def release(self, function: str) -> None: ...


def apply(wanted: dict[str, int], functions: dict[str, str], port: ProvisionedConcurrency) -> dict[str, int]:
    """Set each route's function to its wanted environments, touching only those that differ; answers what
    changed (route -> new environments, 0 for released). Routes without a deployed function are skipped."""
    changed: dict[str, int] = {}
    for route, n in sorted(wanted.items()):
        function = functions.get(route)
        if not function or port.current(function) == n:
            continue
        if n:
            port.provision(function, n)
        else:
            port.release(function)
        changed[route] = n
    return changed


DEFAULT_CAP = 400  # per function; the account's 1,000 must leave the other functions room (settings override it)
