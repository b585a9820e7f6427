"""Unit tests are pure: any attempt to open a socket fails the test."""

from __future__ import annotations

import socket

import pytest


class _NoSockets(socket.socket):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("unit tests must not open sockets")


@pytest.fixture(autouse=True)
def _no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "socket", _NoSockets)
