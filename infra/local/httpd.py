"""What the local runner and the fake providers share: an HTTP/1.1 server that behaves like a production one
on loopback, so that what the benchmark and the tests time is the code, not the socket defaults."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Server(ThreadingHTTPServer):
    # socketserver's backlog of 5 drops the SYNs of a burst of clients: each dropped one waits a 1 s
    # retransmission (seen: the importer's first 16 provider calls, one of them 1,085 ms).
    request_queue_size = 128
    daemon_threads = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as API Gateway and the providers answer
    # Headers and body leave in two writes; with Nagle's algorithm on, the body waits for the client's delayed
    # ACK of the headers, ~40 ms a response on a kept-alive connection (seen: a 50 ms fake answered in 80 ms).
    disable_nagle_algorithm = True
