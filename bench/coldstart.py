"""Part 1, cold start: what a fresh interpreter spends on each function's cold start, next to the reference
handler (bench/reference_handler.py: the stack's floor, imported) and bare ``python -c pass``.

A route's row is a **cold request**: everything that cold-starts in series for one request. Routes verify
credentials in their own process (functions/platform/auth.py; there is no authorizer Lambda in front), so that is
importing the route's module, then verifying the first request's credentials as deployed: a user's RS256 token
checked against the issuer's JWKS, fetched over HTTP from a local server standing in for the identity provider
(``JwksServer``). The importer's row is its import (it has no caller to verify).

Runs are interleaved (every target once per round, in a shuffled order) so a busy machine slows all alike.
Each run records wall time and the child's CPU time (user + sys, from wait4): on a shared machine the wall
time also measures the neighbours, so the goal is checked on the CPU-time ratio and the wall ratio is shown.
Neighbours also slow the CPU itself (a shared core's caches), by minutes at a time: the reference is run
again after every ``BRACKET`` targets, and each run's ratio is taken to the mean of the two reference runs
around it. A target's ratio is the median of its runs' ratios.
The environment is a Lambda's (its reserved variables set: Powertools' Tracer is on and patches, and the X-Ray SDK
sees it runs in Lambda, as deployed)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.env import peak_memory_mb
from bench.report import Row
from infra.config import LAMBDA_PYTHON

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.25  # a function's import (the importer)
COLD_REQUEST_GOAL = 1.15  # a route's cold request: import + the first request's credential check (issue 20)
BRACKET = 8  # targets between two runs of the reference
REFERENCE = "reference handler"
# The modules loaded, then the child's /proc status (its peak memory: bench.env.peak_memory_mb), if any.
PROBE = """import os, sys, {module}
{then}
print(len(sys.modules))
if os.path.exists("/proc/self/status"):
    print(open("/proc/self/status").read())"""
# What a route's first request adds: the caller's credentials, verified as RouteApp does (functions/platform/http.py).
VERIFY = ("from functions.platform import auth\n"
          "assert auth.authenticate(os.environ['BENCH_AUTHORIZATION']).subject == 'bench-user'")
COLD_REQUEST = "cold request"
# Lambda's own reserved variables (infra/config.LAMBDA_PYTHON's runtime, active tracing), then the stack's.
# LAMBDA_TASK_ROOT matters: the X-Ray SDK reads it to know it runs in Lambda, where it samples locally instead of
# building the centralized sampler's botocore X-Ray clients (an earlier run of this benchmark without it charged
# every route for them).
LAMBDA_ENV = {"AWS_LAMBDA_FUNCTION_NAME": "examdesk-bench", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
              "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_EXECUTION_ENV": f"AWS_Lambda_python{LAMBDA_PYTHON}",
              "LAMBDA_TASK_ROOT": str(ROOT), "LAMBDA_RUNTIME_DIR": "/var/runtime",
              "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
              "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "EXAMDESK_TABLE_NAME": "examdesk",
              "POWERTOOLS_SERVICE_NAME": "examdesk", "POWERTOOLS_METRICS_NAMESPACE": "examdesk"}


@dataclass(frozen=True)
class Target:
    module: str = ""  # "" for bare python
    request: bool = False  # a route: its first request's credentials are verified too


def targets(quick: bool) -> dict[str, Target]:
    from functions.routes import ROUTES

    routes = ROUTES
    if quick:  # one route per dialect
        seen: set[str] = set()
        routes = tuple(r for r in ROUTES if not (r.dialect in seen or seen.add(r.dialect)))  # type: ignore[func-returns-value]
    found = {"python -c pass": Target(), REFERENCE: Target("bench.reference_handler")}
    found.update({r.name: Target(r.import_path, request=not r.public) for r in routes})
    found["importer (jobs.import_results)"] = Target("functions.jobs.import_results")
    return found


class JwksServer:
    """The identity provider's part: an RSA key, its JWKS served on 127.0.0.1, and a user token signed with it
    (RS256 with a ``kid``, the claims the routes require), as a deployed route verifies them."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        import jwt
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        document = json.dumps({"keys": [{**json.loads(RSAAlgorithm.to_jwk(key.public_key())), "kid": "bench",
                                         "alg": "RS256", "use": "sig"}]}).encode()

        class Jwks(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        now = int(time.time())
        token = jwt.encode({"sub": "bench-user", "iss": "examdesk", "aud": "examdesk-api", "iat": now,
                            "exp": now + 3600}, key, algorithm="RS256", headers={"kid": "bench"})
        self.env = {"EXAMDESK_JWKS_URL": f"http://127.0.0.1:{self.server.server_address[1]}/.well-known/jwks.json",
                    "EXAMDESK_JWT_ISSUER": "examdesk", "EXAMDESK_JWT_AUDIENCE": "examdesk-api",
                    "BENCH_AUTHORIZATION": f"Bearer {token}"}

    def stop(self) -> None:
        self.server.shutdown()


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    modules: int = 0
    rss_mb: list[float] = field(default_factory=list)  # the child's peak resident memory
    wall_ratio: list[float] = field(default_factory=list)  # each run's, to the reference runs around it
    cpu_ratio: list[float] = field(default_factory=list)

    @property
    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)

    @property
    def median_ratio(self) -> tuple[float, float]:
        return statistics.median(self.wall_ratio), statistics.median(self.cpu_ratio)


def lambda_env() -> dict[str, str]:
    """This process's environment without our settings, plus Lambda's (LAMBDA_ENV)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "EXAMDESK_"))} | LAMBDA_ENV


def once(target: Target, figures: Figures, extra_env: dict[str, str] | None = None) -> None:
    env = lambda_env() | (extra_env or {})
    code = PROBE.format(module=target.module, then=VERIFY if target.request else "") if target.module else "pass"
    started = time.perf_counter()
    # stderr kept apart: the X-Ray SDK notes the JWKS fetch made outside an invocation (in Lambda it is inside the
    # first one); shown only if the child fails.
    with tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=err, text=True)
        out = child.stdout.read() if child.stdout else ""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise RuntimeError(f"importing {target.module} failed ({child.returncode}): {err.read()[-2000:]}")
    figures.wall.append(time.perf_counter() - started)
    figures.cpu.append(usage.ru_utime + usage.ru_stime)
    modules, _, proc_status = out.partition("\n")
    figures.modules = int(modules or 0)  # bare python prints nothing
    figures.rss_mb.append(peak_memory_mb(proc_status))


def compiled() -> None:
    """Deployed, every module loads from its ``.pyc`` (infra/constructs/bytecode.py ships them in the code asset
    and the layer). A checkout may have none (``PYTHONDONTWRITEBYTECODE`` set, or never imported), and then each
    child compiles every module it imports: about 1.4 s of CPU for the reference instead of 0.3 s here, so the
    figures would measure the compiler. Our code and the venv's packages are compiled first (a no-op when done)."""
    import compileall
    import sysconfig

    for path in (ROOT / "functions", ROOT / "bench", Path(sysconfig.get_paths()["purelib"])):
        compileall.compile_dir(path, quiet=1)


def measure(runs: int, quick: bool) -> dict[str, Figures]:
    compiled()
    found = targets(quick)
    figures = {label: Figures() for label in found}
    others = [label for label in found if label != REFERENCE]
    jwks = JwksServer()
    try:
        for _ in range(runs):
            random.shuffle(others)
            once(found[REFERENCE], figures[REFERENCE])
            for start in range(0, len(others), BRACKET):
                group = others[start:start + BRACKET]
                for label in group:
                    once(found[label], figures[label], jwks.env)
                once(found[REFERENCE], figures[REFERENCE])
                _bracketed(figures, group)
    finally:
        jwks.stop()
    return figures


def _bracketed(figures: dict[str, Figures], group: list[str]) -> None:
    """Each target of ``group`` (its latest run) against the mean of the two reference runs around it."""
    ref = figures[REFERENCE]
    ref_wall, ref_cpu = statistics.fmean(ref.wall[-2:]), statistics.fmean(ref.cpu[-2:])
    for label in group:
        found = figures[label]
        found.wall_ratio.append(found.wall[-1] / ref_wall)
        found.cpu_ratio.append(found.cpu[-1] / ref_cpu)


def rows(runs: int = 5, quick: bool = False) -> list[Row]:
    found_target = targets(quick)
    figures = measure(runs, quick)
    bare_wall, bare_cpu = figures.pop("python -c pass").median
    ref_wall, ref_cpu = figures[REFERENCE].median
    out = [Row("cold start", "python -c pass", f"wall {bare_wall * 1000:.0f} ms, cpu {bare_cpu * 1000:.0f} ms"),
           Row("cold start", REFERENCE, f"wall {ref_wall * 1000:.0f} ms, cpu {ref_cpu * 1000:.0f} ms, "
               f"{figures[REFERENCE].modules} modules, {max(figures[REFERENCE].rss_mb):.0f} MB resident")]
    for label, figs in figures.items():
        if label == REFERENCE:
            continue
        request = found_target[label].request
        goal = COLD_REQUEST_GOAL if request else GOAL
        (wall, cpu), (wall_ratio, ratio) = figs.median, figs.median_ratio
        out.append(Row(COLD_REQUEST if request else "cold start", label,
                       f"cpu {cpu * 1000:.0f} ms = {ratio:.2f}x ref; wall {wall * 1000:.0f} ms = "
                       f"{wall_ratio:.2f}x; {figs.modules} modules; {max(figs.rss_mb):.0f} MB resident",
                       f"cpu <= {goal}x ref", ratio <= goal))
    return out


if __name__ == "__main__":
    from bench.report import text

    print(text(rows(int(sys.argv[1]) if len(sys.argv) > 1 else 5, quick="--quick" in sys.argv)))
