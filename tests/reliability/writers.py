"""Concurrent writers over HTTP: each runs in its own thread, all released at once by a barrier, and retries
its one write on 409 until it succeeds (what a well-behaved client does)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.e2e.harness import Api

MAX_TRIES = 60


@dataclass
class Write:
    """One writer's request: ``method path`` with ``body`` as ``user``, sent to runner ``runner``."""

    method: str
    path: str
    user: str
    body: Any
    runner: int = 0


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)  # every answer, retries included
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # 409 bodies
    unexpected: list[str] = field(default_factory=list)  # anything but 2xx / 409
    answers: list[Any] = field(default_factory=list)  # each writer's successful body, in writer order
    tries: list[int] = field(default_factory=list)  # requests each writer needed

    @property
    def retries(self) -> int:
        return sum(self.tries) - len(self.tries)


def run(apis: list[Api], writes: list[Write]) -> Tally:
    tally = Tally(answers=[None] * len(writes), tries=[0] * len(writes))
    lock = threading.Lock()
    barrier = threading.Barrier(len(writes))

    def writer(n: int, write: Write) -> None:
        api = apis[write.runner % len(apis)]
        headers = {"Authorization": f"Bearer {api.token(write.user)}"}
        with requests.Session() as http:
            barrier.wait()
            for attempt in range(1, MAX_TRIES + 1):
                try:
                    answer = http.request(write.method, api.base + write.path, json=write.body,
                                          headers=headers, timeout=120)
                except requests.RequestException as error:  # not retried: it may have been applied
                    with lock:
                        tally.unexpected.append(f"writer {n}: {type(error).__name__}: {error}")
                    return
                with lock:
                    tally.statuses[answer.status_code] += 1
                    tally.tries[n] = attempt
                if answer.ok:
                    tally.answers[n] = answer.json()
                    return
                # A lost race: 409, or where the dialect's spec has no 409 (Open edX) a 503 with Retry-After.
                lost = answer.status_code == 409 or (answer.status_code == 503 and "Retry-After" in answer.headers)
                if not lost:
                    with lock:
                        tally.unexpected.append(f"writer {n}: {answer.status_code} {answer.text[:300]}")
                    return
                with lock:
                    tally.conflicts.append(answer.json())
                time.sleep(random.uniform(0, 0.05 * min(attempt, 4)))
            with lock:
                tally.unexpected.append(f"writer {n}: still losing the race after {MAX_TRIES} tries")

    threads = [threading.Thread(target=writer, args=(n, w), name=f"writer-{n}") for n, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return tally
