"""`liaison serve` as a process: the scheduler and the HTTP limits it is given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from liaison.exchange import free_port
from liaison.node import init_node


def test_serve_closes_a_client_that_trickles_its_head_at_the_given_timeout(
    tmp_path: Path,
) -> None:
    init_node(tmp_path / "fr", "fr").close()
    port = free_port()
    env = os.environ | {"LIAISON_NODE": str(tmp_path / "fr")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "liaison", "serve", "--port", str(port), "--header-timeout", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/taxii2/", timeout=2).status_code
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            start = time.monotonic()
            sock.sendall(b"GET /taxii2/ HTTP/1.1\r\nHost: x\r\n")  # never ends its head
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
            held = time.monotonic() - start
        assert answer.startswith(b"HTTP/1.1 408"), answer[:80]
        assert 0.5 < held < 8, held  # the 1 s limit, not the 10 s default
    finally:
        proc.terminate()
        proc.wait(timeout=30)
