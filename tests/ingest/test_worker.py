"""The check worker: every failure reaches the parent, a dead worker is an error
(never a hang), and the worker dies with its parent, releasing the input file."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from liaison.ingest import ingest_file
from liaison.ingest._check import FileSource, checked_file_batches
from liaison.node import Node
from liaison.records.examples import example_objects
from liaison.store import Query

PARTY = "identity--5e0b3c52-7d8f-4c1a-9a63-2f7d7b1e9c40"


def big_bundle(path: Path, party: str, *, extra: Sequence[bytes] = (), mib: float = 4.5) -> Path:
    """A bundle over the worker threshold (4 MiB): copies of the strike report, then ``extra``."""
    strike = next(o for o in example_objects(party) if o["type"] == "liaison-strike-report")
    parts: list[bytes] = []
    size, n = 0, 0
    while size < mib * 2**20:
        obj = strike | {"id": f"liaison-strike-report--{n:08x}-0000-4000-8000-000000000000"}
        parts.append(orjson.dumps(obj))
        size += len(parts[-1])
        n += 1
    path.write_bytes(b'{"type":"bundle","objects":[' + b",".join([*parts, *extra]) + b"]}")
    return path


def snapshot(node: Node) -> list[tuple[str, str]]:
    return [(v.index.id, v.index.modified) for v in node.store.query(Query(latest_only=False))]


def test_a_deeply_nested_field_in_a_large_file_is_refused_not_hung(
    node: Node, tmp_path: Path
) -> None:
    deep = b'{"type":"liaison-strike-report","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path = big_bundle(tmp_path / "deep.json", node.party_id, extra=[deep])
    before = snapshot(node)
    start = time.perf_counter()
    report = ingest_file(node, path, parallel=True)
    assert time.perf_counter() - start < 60
    assert not report.committed
    assert any("deep.json object #" in e and "nested deeper than 64" in e for e in report.errors)
    assert snapshot(node) == before


def test_year_0000_in_a_large_file_is_refused_naming_the_field(node: Node, tmp_path: Path) -> None:
    strike = next(o for o in example_objects(node.party_id) if o["type"] == "liaison-strike-report")
    bad = orjson.dumps(strike | {"time_start": "0000-01-01T00:00:00Z"})
    path = big_bundle(tmp_path / "y0.json", node.party_id, extra=[bad])
    before = snapshot(node)
    report = ingest_file(node, path, parallel=True)
    assert not report.committed
    assert report.refused == 1
    assert "field 'time_start': year 0000" in report.errors[0]
    assert snapshot(node) == before


def test_a_killed_worker_is_an_error_not_a_hang(tmp_path: Path) -> None:
    path = big_bundle(tmp_path / "k.json", PARTY, mib=8)
    batches = checked_file_batches(FileSource(path, "stix"), parallel=True, batch_size=200)
    next(batches)
    (worker,) = multiprocessing.active_children()
    os.kill(worker.pid or 0, signal.SIGKILL)
    start = time.perf_counter()
    with pytest.raises(Exception) as info:  # noqa: PT011 (checked below)
        for _ in batches:
            pass
    assert time.perf_counter() - start < 30
    assert type(info.value).__name__ == "SourceError"
    assert "check worker stopped unexpectedly (killed by SIGKILL" in str(info.value)


_HARNESS = """
import multiprocessing, sys, time
from multiprocessing import resource_tracker
from pathlib import Path
from liaison.ingest._check import FileSource, checked_file_batches
it = checked_file_batches(FileSource(Path(sys.argv[1]), "stix"), parallel=True, batch_size=100)
next(it)
(worker,) = multiprocessing.active_children()
print(worker.pid, resource_tracker._resource_tracker._pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return state not in ("Z", "X")


def _holders(path: Path) -> list[int]:
    target = str(path.resolve())
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            links = [os.readlink(fd) for fd in (proc / "fd").iterdir()]
        except OSError:
            continue
        if target in links:
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_worker_and_resource_tracker_die_with_a_killed_parent(tmp_path: Path) -> None:
    path = big_bundle(tmp_path / "held.json", PARTY, mib=8)
    parent = subprocess.Popen([sys.executable, "-c", _HARNESS, str(path)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert parent.stdout is not None
        worker_pid, tracker_pid = (int(x) for x in parent.stdout.readline().split())
        assert _alive(worker_pid) and _alive(tracker_pid)
        assert worker_pid in _holders(path)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (_alive(worker_pid) or _alive(tracker_pid)):
            time.sleep(0.1)
        assert not _alive(worker_pid), "the check worker outlived its parent"
        assert not _alive(tracker_pid), "the resource tracker outlived the parent"
        assert _holders(path) == []
    finally:
        parent.kill()
        parent.wait(10)
