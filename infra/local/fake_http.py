"""The HTTP plumbing of the fake providers (``fake_providers.py``): an HTTP server on 127.0.0.1 (``httpd.py``)
with a route table, a per-answer latency, and the faults a test or the demo asks for (see ``MODES``)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local.httpd import Handler, Server

Answer = tuple[int, Any]  # status, JSON body (bytes are sent as they are)
MODES = ("ok", "slow", "error", "malformed", "wrong-shape", "partial", "drop")


class FakeServer:
    name = "fake"

    def __init__(self, port: int = 0, *, delay: float = 0.0) -> None:
        self.lock = threading.RLock()
        self.calls: Counter[str] = Counter()
        self.mode, self.delay, self.status = "ok", delay, 500
        self.times: int | None = None
        self.base_delay = delay  # every API answer waits this long (the benchmark's 50 ms)
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Answer]]] = []
        self._clients: set[Any] = set()  # open connections, so that "down" also cuts kept-alive ones
        self._server = Server(("127.0.0.1", port), self._handler())
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"fake-{self.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Down: the port refuses connections from now on, and open ones are cut."""
        self._server.shutdown()
        self._server.server_close()
        with self.lock:
            for connection in list(self._clients):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def set_mode(self, mode: str = "ok", *, delay: float = 1.0, status: int = 500,
                 times: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        with self.lock:
            self.mode, self.delay, self.status, self.times = mode, delay, status, times

    def route(self, method: str, pattern: str, fn: Callable[..., Answer]) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), fn))

    # --- faults ----------------------------------------------------------------------------------
    def _fault(self) -> str:
        with self.lock:
            mode = self.mode
            if mode != "ok" and self.times is not None:
                self.times -= 1
                if self.times <= 0:
                    self.mode, self.times = "ok", None
            return mode

    def _dispatch(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
                  ) -> Answer | None:
        if path == "/_control/mode" and method == "POST":
            self.set_mode(body.get("mode", "ok"), delay=float(body.get("delay", 1.0)),
                          status=int(body.get("status", 500)), times=body.get("times"))
            return 200, {"mode": self.mode}
        if path == "/_control/calls":
            return 200, dict(self.calls)
        if path == "/_control/latency" and method == "POST":
            self.base_delay = float(body.get("seconds", 0))
            return 200, {"latency": self.base_delay}
        if path.startswith("/_control/"):
            return self.control(method, path, body)
        for route_method, pattern, fn in self.routes:
            found = pattern.match(path)
            if found and route_method == method:
                label = fn.__name__.lstrip("_")
                self.calls[label] += 1
                api = not label.startswith("student")
                mode = self._fault() if api else "ok"
                if api and self.base_delay:
                    time.sleep(self.base_delay)
                if mode == "drop":
                    return None
                if mode == "slow":
                    time.sleep(self.delay)
                if mode == "error":
                    return self.status, {"message": f"{self.name} is having a bad day (fake {self.status})"}
                if mode == "malformed":
                    return 200, b"<html>502 Bad Gateway</html>"
                answer = fn(*found.groups(), query=query, headers=headers, body=body)
                if mode == "wrong-shape" and answer[0] == 200:
                    return 200, {"unexpected": True}
                if mode == "partial" and answer[0] == 200:
                    return answer[0], self.partial(answer[1])
                return answer
        return 404, {"message": f"no route {method} {path}"}

    def partial(self, body: Any) -> Any:
        return body

    def control(self, method: str, path: str, body: Any) -> Answer:
        return 404, {"message": f"no control {method} {path}"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class FakeHandler(Handler):

            def setup(self) -> None:
                super().setup()
                with fake.lock:
                    fake._clients.add(self.connection)

            def finish(self) -> None:
                with fake.lock:
                    fake._clients.discard(self.connection)
                super().finish()

            def _serve(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = None
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                if body is None:
                    answer: Answer | None = (400, {"message": "body is not JSON"})
                else:
                    answer = fake._dispatch(self.command, url.path, query, headers, body)
                if answer is None:  # "drop": hang up without a word
                    self.close_connection = True
                    return
                status, payload = answer
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return FakeHandler
