"""Starting the local runner as a subprocess on a port it chooses itself (tests, the benchmark).

A port picked beforehand (bind to 0, close, pass the number) can be taken by another process before the runner,
which imports every route first, binds it: a test then talks to whatever took it. ``serve --port 0`` binds an
ephemeral port at once and prints it; this reads it from the runner's output.
"""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
LISTENING = "examdesk API on http://127.0.0.1:{port}"  # what `serve` prints once it listens
_LISTENING = re.compile(re.escape(LISTENING.split("{")[0]).encode() + rb"(\d+)")


def start_runner(endpoint: str, *options: str, env: dict[str, str] | None = None,
                 timeout: float = 240) -> tuple[subprocess.Popen[bytes], int]:
    """``python -m infra.local serve --endpoint <endpoint> --port 0 <options>``: (process, the port it bound).
    Its later output is drained in the background (the last lines kept for an error message)."""
    process = subprocess.Popen([sys.executable, "-m", "infra.local", "serve", "--endpoint", endpoint,
                                "--port", "0", *options], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    seen: deque[bytes] = deque(maxlen=40)
    try:
        port = _read_port(process, process.stdout, seen, timeout)
    except BaseException:
        process.kill()
        process.wait(timeout=10)
        raise
    threading.Thread(target=_drain, args=(process.stdout, seen), daemon=True).start()
    return process, port


def _read_port(process: subprocess.Popen[bytes], out: IO[bytes], seen: deque[bytes], timeout: float) -> int:
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(out, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.5):
                continue
            line = out.readline()
            if not line and process.poll() is not None:
                raise RuntimeError("local runner exited: " + b"".join(seen).decode(errors="replace"))
            seen.append(line)
            found = _LISTENING.search(line)
            if found:
                return int(found.group(1))
    raise RuntimeError(f"local runner did not start within {timeout:.0f} s: "
                       + b"".join(seen).decode(errors="replace"))


def _drain(out: IO[bytes], seen: deque[bytes]) -> None:
    for line in iter(out.readline, b""):
        seen.append(line)
