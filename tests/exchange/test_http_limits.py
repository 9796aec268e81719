"""HTTP hygiene with real sockets: a trickled head, a silent partial body, idle and
parallel slow clients are cut within the configured bounds; normal clients are served."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from liaison.exchange import HttpLimits, ServerThread, create_app
from liaison.node import Node
from tests.exchange.conftest import pair
from tests.nodes import NodeFactory


@pytest.fixture
def make_node(make_sqlite_node: NodeFactory) -> NodeFactory:
    """Nodes on SQLite: this suite is about HTTP limits, not the store backend."""
    return make_sqlite_node


HEAD_S, BODY_S = 0.6, 0.6
LIMITS = HttpLimits(header_timeout_s=HEAD_S, body_timeout_s=BODY_S, keep_alive_s=30.0,
                    max_connections=8)  # fmt: skip
SLACK_S = 2.0  # scheduling on a shared machine; far below the 30 s keep-alive


@pytest.fixture
def server(make_node: Callable[..., Node]) -> Iterator[tuple[ServerThread, str]]:
    fr, ru = make_node("fr"), make_node("ru")
    token = pair(fr, ru)
    with ServerThread(create_app(fr), limits=LIMITS) as srv:
        yield srv, token


def _connect(srv: ServerThread) -> socket.socket:
    return socket.create_connection((srv.host, srv.port), timeout=10)


def _wait_closed(sock: socket.socket, bound_s: float, trickle: bytes = b"") -> tuple[float, bytes]:
    """Seconds until the server closes ``sock`` (sending ``trickle`` a byte every 50 ms
    meanwhile), and what it answered; fails past ``bound_s``."""
    start, got, sent = time.monotonic(), b"", 0
    while time.monotonic() - start < bound_s:
        ready, _, _ = select.select([sock], [], [], 0.05)
        if ready:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return time.monotonic() - start, got
            got += chunk
        elif sent < len(trickle):
            try:
                sock.sendall(trickle[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                return time.monotonic() - start, got
            sent += 1
    pytest.fail(f"the server kept the connection open for more than {bound_s} s")


def _normal_get(srv: ServerThread, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/taxii+json;version=2.1"}
    return httpx.get(f"{srv.url}/taxii2/", headers=headers, timeout=10).status_code


def test_a_trickled_head_is_cut_at_the_header_timeout(server: tuple[ServerThread, str]) -> None:
    srv, token = server
    sock = _connect(srv)
    trickle = b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 500
    elapsed, answer = _wait_closed(sock, HEAD_S + SLACK_S, trickle)
    assert HEAD_S * 0.9 <= elapsed <= HEAD_S + SLACK_S
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert _normal_get(srv, token) == 200


def test_a_silent_partial_body_is_cut_at_the_body_timeout(
    server: tuple[ServerThread, str],
) -> None:
    srv, token = server
    sock = _connect(srv)  # the linkage endpoint reads its body before anything else
    sock.sendall(b"POST /linkage/oprf HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n" + b'{"x": "' + b"1" * 10)  # fmt: skip
    elapsed, answer = _wait_closed(sock, BODY_S + SLACK_S)
    assert elapsed <= BODY_S + SLACK_S and b" 200 " not in answer
    assert _normal_get(srv, token) == 200


def test_a_connection_that_says_nothing_is_closed(server: tuple[ServerThread, str]) -> None:
    srv, _ = server
    elapsed, answer = _wait_closed(_connect(srv), HEAD_S + SLACK_S)
    assert elapsed >= HEAD_S * 0.9 and answer.startswith(b"HTTP/1.1 408 ")


def test_parallel_slow_clients_are_cut_and_a_normal_client_is_served(
    server: tuple[ServerThread, str],
) -> None:
    srv, token = server
    slow = [_connect(srv) for _ in range(LIMITS.max_connections - 2)]
    for s in slow:
        s.sendall(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.1)
    assert _normal_get(srv, token) == 200  # served while they hold their slots
    start = time.monotonic()
    for s in slow:
        _, answer = _wait_closed(s, HEAD_S + SLACK_S)
        assert answer.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - start <= HEAD_S + SLACK_S
    assert _normal_get(srv, token) == 200


def test_connections_over_the_limit_are_refused_at_once(server: tuple[ServerThread, str]) -> None:
    srv, token = server
    held = [_connect(srv) for _ in range(LIMITS.max_connections)]
    time.sleep(0.1)
    extra = _connect(srv)
    elapsed, answer = _wait_closed(extra, SLACK_S)
    assert answer.startswith(b"HTTP/1.1 503 ") and elapsed < HEAD_S
    for s in held:  # each is still cut at the header timeout
        _wait_closed(s, HEAD_S + SLACK_S)
    assert _normal_get(srv, token) == 200


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="header_timeout_s must be > 0"):
        HttpLimits(header_timeout_s=0)
    with pytest.raises(ValueError, match="max_connections must be >= 1"):
        HttpLimits(max_connections=0)


def test_a_head_over_the_size_limit_is_refused(server: tuple[ServerThread, str]) -> None:
    srv, token = server
    sock = _connect(srv)
    sock.sendall(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000)  # unfinished
    elapsed, answer = _wait_closed(sock, SLACK_S)
    assert answer.split(b" ")[1] in (b"400", b"431") and elapsed < HEAD_S
    assert _normal_get(srv, token) == 200
