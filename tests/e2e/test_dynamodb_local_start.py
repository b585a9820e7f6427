"""Starting DynamoDB Local (infra/local/dynamodb_local.py): "ready" means our own Java process listens on the
port. A port another process holds is never mistaken for it (a client would have reached that process, e.g.
another test run's DynamoDB Local), and a picked port taken meanwhile is given up for another."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from infra.local import dynamodb_local
from infra.local.dynamodb_local import DynamoDBLocal, PortTaken, free_port, listens_on

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port another listener holds on 127.0.0.1 (it accepts connections: a naive probe would say ready)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_a_port_another_process_listens_on_is_not_taken_for_ours(held_port: int) -> None:
    db = DynamoDBLocal(port=held_port)
    with pytest.raises(PortTaken, match=f"port {held_port} is taken"):
        db.start()
    assert db.process is None


def test_a_picked_port_taken_meanwhile_is_given_up_for_another(held_port: int,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    picks = iter([held_port])
    monkeypatch.setattr(dynamodb_local, "free_port", lambda: next(picks, None) or free_port())
    db = DynamoDBLocal()
    try:
        db.start()
        assert db.port != held_port
        assert db.process is not None and listens_on(db.process.pid, db.port) is True
    finally:
        db.stop()


def test_listens_on_tells_our_listening_sockets_from_others(held_port: int) -> None:
    import os

    assert listens_on(os.getpid(), held_port) is True
    assert listens_on(os.getpid(), free_port()) is False
