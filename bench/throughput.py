"""Part 4, throughput of the local runner (infra/local/server.py, started as tests/e2e/harness.py does): requests
per second for a read route and a write route with 1, 8 and 32 concurrent keep-alive clients. Reported, no
goal: like one Lambda instance per route, the runner serves one request per route at a time, and AWS scales
out by instances."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.report import Row
from infra.local.demo_data import COURSE, EXAM

NEW_STUDENTS = 4000  # more than the write route serves in the three runs (5 s each)

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-runner-secret-0123456789-abcdef"


def token(user: str) -> str:
    import jwt

    now = int(time.time())
    claims = {"sub": user, "iss": "examdesk", "aud": "examdesk-api", "iat": now, "exp": now + 3600}
    return str(jwt.encode(claims, SECRET, algorithm="HS256"))


def start_runner(endpoint: str) -> tuple[subprocess.Popen[bytes], int]:
    from infra.local import spawn

    env = {**os.environ, "EXAMDESK_JWT_SECRET": SECRET, "EXAMDESK_TABLE_NAME": "examdesk-bench-runner",
           "POWERTOOLS_LOG_LEVEL": "ERROR"}
    env.pop("EXAMDESK_DYNAMODB_ENDPOINT", None)
    return spawn.start_runner(endpoint, "--demo", "--quiet", "--importer-interval", "0", env=env, timeout=180)


def hammer(port: int, request: Any, clients: int, seconds: float) -> tuple[float, int]:
    """``request(connection)`` -> status, from ``clients`` threads for ``seconds``: (requests/s, non-2xx)."""
    done, failed, stop = [0] * clients, [0] * clients, time.monotonic() + seconds

    def client(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop:
            status = request(connection)
            done[i] += 1
            failed[i] += not 200 <= status < 300

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.monotonic() - started), sum(failed)


def call(connection: http.client.HTTPConnection, method: str, path: str, user: str, body: Any = None) -> int:
    headers = {"Authorization": f"Bearer {token(user)}", "Content-Type": "application/json"}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def students(port: int, count: int) -> Iterator[str]:
    """``count`` new students of the demo exam's course, made through the authoring API (a student starting
    their own work has one session per exam, so each new session is a new student's)."""
    def make(n: int) -> str:
        uid = f"tp-{n:05d}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        call(connection, "POST", "/authoring/users", "ada",
             {"id": uid, "username": uid, "email": f"{uid}@bench.example", "name": f"Throughput {n}"})
        call(connection, "PUT", f"/authoring/courses/{COURSE}/enrollments/{uid}", "ada", {"role": "student"})
        return uid

    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(make, range(count)))
    return iter(made)


def rows(endpoint: str, seconds: float = 5.0, levels: tuple[int, ...] = (1, 8, 32)) -> list[Row]:
    runner, port = start_runner(endpoint)
    try:
        setup = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start = {"user_id": "kevin"}
        setup.request("POST", f"/api/exam-config/{EXAM}/exam-session", body=json.dumps(start),
                      headers={"Authorization": f"Bearer {token('kevin')}", "Content-Type": "application/json"})
        sid = json.loads(setup.getresponse().read())["examSession"]["id"]
        fresh, lock = students(port, NEW_STUDENTS), threading.Lock()

        def new_session(connection: http.client.HTTPConnection) -> int:
            with lock:
                student = next(fresh)
            return call(connection, "POST", f"/api/exam-config/{EXAM}/exam-session", student, {"user_id": student})

        routes = {
            "read: GET /api/exam-session/{id}": lambda c: call(c, "GET", f"/api/exam-session/{sid}", "kevin"),
            "write: POST .../exam-session (a new student's start)": new_session,
        }
        out = []
        for label, request in routes.items():
            figures = []
            for clients in levels:
                rate, failed = hammer(port, request, clients, seconds)
                figures.append(f"c={clients}: {rate:.0f}/s" + (f" ({failed} non-2xx)" if failed else ""))
            out.append(Row("throughput", label, ", ".join(figures)))
        return out
    finally:
        runner.terminate()
        runner.wait(timeout=10)
