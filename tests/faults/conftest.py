"""The fault-and-load suite: real `liaison` subprocesses (every one with a timeout),
real servers, real stores on both backends; SIGKILL at chosen moments.

A bounded part runs in ``make test``; tests marked ``soak`` run only under
``make soak`` (``LIAISON_SOAK=1``), longer and with more repetitions.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import psycopg
import pytest

from liaison.node import CONFIG_NAME, Node, init_node
from liaison.store._postgres import _LOCK_CLASS, lock_key, split_options
from tests.exchange.conftest import bulk_objects, served

ROOT = Path(__file__).resolve().parents[2]
#: No subprocess of the suite may run longer than this (nothing hangs).
TIMEOUT = 120.0
SOAK = os.environ.get("LIAISON_SOAK") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "soak: part of the long fault-and-load run (make soak)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Outside `make soak`, soak tests are deselected (not run, not reported as skipped)."""
    if SOAK:
        return
    soak = [i for i in items if i.get_closest_marker("soak") is not None]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [i for i in items if i.get_closest_marker("soak") is None]


def env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(ROOT / "src"), "COLUMNS": "200"}


def liaison(*args: str, node: Path | None = None, timeout: float = TIMEOUT) -> Result:
    """Run the CLI to completion (bounded by ``timeout``)."""
    started = time.monotonic()
    cmd = [sys.executable, "-m", "liaison", *args, *(["--node", str(node)] if node else [])]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env(), timeout=timeout)
    return Result(done.returncode, done.stdout, done.stderr, started, time.monotonic())


@dataclass
class Result:
    """A finished subprocess: exit code, output, and when it ran (monotonic seconds)."""

    code: int
    out: str
    err: str
    started: float
    ended: float

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Running:
    """A background subprocess, its output going to files (so that a child it leaves
    behind cannot block the test on a pipe); always reaped at teardown."""

    def __init__(self, cmd: list[str], logs: Path) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.out_path, self.err_path = logs / "stdout", logs / "stderr"
        self.started = time.monotonic()
        with self.out_path.open("wb") as out, self.err_path.open("wb") as err:
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env(),
                start_new_session=True,
            )  # fmt: skip

    def output(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    def wait_output(self, text: str, timeout: float = 60.0) -> None:
        """Wait until the process has printed ``text`` (fails if it exits first)."""
        wait_for(lambda: text in self.output() or self.proc.poll() is not None, timeout)
        assert text in self.output(), self.wait()

    def wait(self, timeout: float = TIMEOUT) -> Result:
        self.proc.wait(timeout=timeout)
        err = self.err_path.read_text(encoding="utf-8", errors="replace")
        return Result(self.proc.returncode, self.output(), err, self.started, time.monotonic())

    def kill(self) -> None:
        """SIGKILL the process itself (not its children: they must cope)."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)

    def survivors(self) -> list[int]:
        """Processes of its session still alive (children it started, left behind)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == self.proc.pid:
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.proc.pid and fields[0] != "Z":  # session id, not a zombie
                found.append(int(entry.name))
        return found

    def reap(self) -> None:
        """Teardown: kill whatever is left of the process group we started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """Start background subprocesses: ``spawn("ingest", "f.json", node=…)`` runs the
    CLI; ``spawn(python="code", args=[…])`` runs a Python snippet."""
    running: list[Running] = []

    def start(
        *args: str, node: Path | None = None, python: str | None = None, argv: tuple[str, ...] = ()
    ) -> Running:
        if python is not None:
            cmd = [sys.executable, "-c", python, *argv]
        else:
            cmd = [sys.executable, "-m", "liaison", *args, *(["--node", str(node)] if node else [])]
        r = Running(cmd, tmp_path / "logs" / str(len(running)))
        running.append(r)
        return r

    yield start
    for r in running:
        r.reap()


# -- nodes and stores ---------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Store URLs on the parametrised backend, one per name (PostgreSQL: a schema each)."""
    if backend == "sqlite":
        return lambda name: f"sqlite:///{tmp_path / f'{name}.db'}"
    factory: Callable[[], str] = request.getfixturevalue("pg_schema_url")
    return lambda name: factory()


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[Callable[..., Node]]:
    """Nodes made by the library (fast); the faults come from CLI subprocesses."""
    made: list[Node] = []

    def make(party: str, url: str | None = None) -> Node:
        node = init_node(tmp_path / party, party, store_url=url)
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


def with_store_option(node: Node, option: str) -> Path:
    """A second directory for the same node whose store URL carries ``option`` (e.g.
    ``lock_timeout=1``): same key, same store."""
    copy = node.root.with_name(node.root.name + "-" + option.replace("=", "-"))
    subprocess.run(["cp", "-a", str(node.root), str(copy)], check=True, timeout=30)
    sep = "&" if "?" in node.config.store_url else "?"
    text = (copy / CONFIG_NAME).read_text(encoding="utf-8")
    original = next(line for line in text.splitlines() if line.startswith("store = "))
    url = node.config.store_url + sep + option
    (copy / CONFIG_NAME).write_text(text.replace(original, f"store = {orjson.dumps(url).decode()}"))
    return copy


def write_bundle(path: Path, party_id: str, n: int, seed: int) -> Path:
    """A STIX bundle of ``n`` valid location records; returns its path."""
    objects = bulk_objects(party_id, n, seed=seed)
    bundle = {"type": "bundle", "id": f"bundle--00000000-0000-4000-8000-{seed:012d}"}
    path.write_bytes(orjson.dumps(bundle | {"objects": objects}))
    return path


def bundle_keys(path: Path) -> set[tuple[str, str]]:
    return {(o["id"], o["modified"]) for o in orjson.loads(path.read_bytes())["objects"]}


def stored_keys(node: Node) -> list[tuple[str, str]]:
    """Every stored version (a list: duplicates would show)."""
    cur = node.store._execute("SELECT id, modified FROM records")
    return [(str(a), str(b)) for a, b in cur]


def released(node: Node, partner: str) -> list[tuple[int, str, str]]:
    cur = node.store._execute(
        "SELECT pseq, id, modified FROM releases WHERE partner = ? ORDER BY pseq", (partner,)
    )
    return [(int(p), str(i), str(m)) for p, i, m in cur]


# -- partners reading a node over TAXII ----------------------------------------------

MEDIA = "application/taxii+json;version=2.1"


@dataclass
class Pager:
    """A partner following its collection as a TAXII client does: ``next`` while
    there is more, then ``added_after`` the last date it was given."""

    base: str
    collection: str
    token: str
    received: list[tuple[str, str]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def page(self, client: httpx.Client, state: dict[str, str | None]) -> bool:
        params = {"limit": "250"}
        if state.get("next"):
            params["next"] = str(state["next"])
        elif state.get("added_after"):
            params["added_after"] = str(state["added_after"])
        answer = client.get(f"{self.base}/api/collections/{self.collection}/objects/",
                            params=params)  # fmt: skip
        self.statuses.append(answer.status_code)
        if answer.status_code != 200:
            return False
        body = answer.json()
        self.received += [(o["id"], o["modified"]) for o in body.get("objects", [])]
        if body.get("more"):
            state["next"] = body["next"]
            return True
        state["next"] = None
        state["added_after"] = answer.headers.get("x-taxii-date-added-last") or state.get(
            "added_after"
        )
        return False

    def follow(self, stop: threading.Event) -> None:
        headers = {"Accept": MEDIA, "Authorization": f"Bearer {self.token}"}
        state: dict[str, str | None] = {}
        with httpx.Client(headers=headers, timeout=30) as client:
            while not stop.is_set():
                if not self.page(client, state):
                    stop.wait(0.05)
            while self.page(client, state):  # drain what the last releases added
                pass

    def drain(self) -> list[tuple[str, str]]:
        """Page from the start to the end once; what this pass received."""
        headers = {"Accept": MEDIA, "Authorization": f"Bearer {self.token}"}
        start = len(self.received)
        state: dict[str, str | None] = {}
        with httpx.Client(headers=headers, timeout=30) as client:
            while self.page(client, state):
                pass
        return self.received[start:]


# -- is a writer inside its transaction? ------------------------------------------------


def writer_active(url: str) -> bool:
    """True while some process holds the store's write lock (probes without waiting)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///") :], timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            conn.close()
    conninfo, options = split_options(url)
    with psycopg.connect(conninfo, connect_timeout=5) as conn:
        row = conn.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            (_LOCK_CLASS, lock_key(options.get("schema") or "public")),
        ).fetchone()
        conn.rollback()
        return not (row and row[0])


def wait_for(condition: Callable[[], bool], timeout: float = 60.0, every: float = 0.01) -> float:
    """Poll until ``condition`` holds; returns when (monotonic). Fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout} s")


__all__ = [
    "MEDIA",
    "SOAK",
    "TIMEOUT",
    "Pager",
    "Result",
    "Running",
    "bundle_keys",
    "liaison",
    "released",
    "served",
    "stored_keys",
    "wait_for",
    "with_store_option",
    "write_bundle",
    "writer_active",
]
