"""SIGKILL during ingest, release and sync, on both backends: nothing lost, nothing
duplicated, the audit log verifies after every kill, and the work resumes exactly
(ingest is all or nothing; release and sync continue where the last commit left)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from liaison.audit import witness
from liaison.exchange import ServerThread, create_app, free_port, materialise_releases
from liaison.ingest import PARALLEL_ABOVE_BYTES, ingest_file
from liaison.node import Node, audit_report, open_node
from tests.exchange.conftest import STRIKE_POLICY, link, pair, set_policy
from tests.faults.conftest import (
    SOAK,
    Pager,
    Running,
    bundle_keys,
    released,
    stored_keys,
    wait_for,
    write_bundle,
    writer_active,
)

#: Kills per operation and backend (soak: at random moments, more of them).
ROUNDS = 6 if SOAK else 1


def _verified(root: Path) -> None:
    with open_node(root) as node:  # a fresh process view of the node
        report = audit_report(node)
        assert report.ok, report


def _kill_inside_a_write(proc: Running, url: str, rng: random.Random, spread: float) -> int:
    """SIGKILL ``proc`` at a random moment (within ``spread`` s) after it has begun
    writing to the store; returns its exit code (-9 if the kill landed)."""
    wait_for(lambda: writer_active(url) or proc.proc.poll() is not None, timeout=90)
    try:
        proc.proc.wait(timeout=rng.uniform(0.0, spread))
    except subprocess.TimeoutExpired:
        proc.kill()
    return proc.wait(timeout=60).code


def _served_ids(base: str, collection: str, token: str) -> list[tuple[str, str]]:
    """Every object a partner receives by following ``next`` from the start."""
    return Pager(base, collection, token).drain()


def test_kill_during_ingest_and_release(
    make_node: Callable[..., Node],
    store_url: Callable[[str], str],
    spawn: Callable[..., Running],
    served: Callable[[Node], str],
    tmp_path: Path,
) -> None:
    rng = random.Random(9)
    fr = make_node("fr", store_url("fr"))
    ru = make_node("ru")
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    url = fr.config.store_url
    for n in range(ROUNDS):
        size = 6000 if not SOAK else rng.choice([6000, 20_000])  # 20,000: a check worker too
        big = write_bundle(tmp_path / f"big-{n}.json", fr.party_id, size, seed=100 + n)
        before = set(stored_keys(fr))
        ingest = spawn("ingest", str(big), node=fr.root)
        code = _kill_inside_a_write(ingest, url, rng, spread=0.4 if not SOAK else 3.0)
        assert code == -signal.SIGKILL or (SOAK and code == 0)
        keys = stored_keys(fr)
        assert len(keys) == len(set(keys))
        new = set(keys) - before
        assert new in (set(), bundle_keys(big)), f"ingest not all-or-nothing: {len(new)} kept"
        _verified(fr.root)
        if not new:
            assert ingest_file(fr, big).accepted == size
        release = spawn("release", node=fr.root)
        wait_for(lambda r=release: r.proc.poll() is not None or len(released(fr, "ru")) > 0)
        if not SOAK or rng.random() < 0.7:
            release.kill()
        release.wait(timeout=60)
        table = released(fr, "ru")
        assert len({(i, m) for _, i, m in table}) == len(table)
        if not SOAK and release.proc.returncode == 0:
            # on a fast machine the release can finish before the kill lands: all of it
            assert len(table) == size + 1  # the records and the party's identity
        elif not SOAK:  # killed during the release, usually between two of its chunks
            assert release.proc.returncode == -signal.SIGKILL
            assert 0 < len(table) <= size + 1
        _verified(fr.root)
        materialise_releases(fr)
        table = released(fr, "ru")
        pairs = [(i, m) for _, i, m in table]
        assert len(pairs) == len(set(pairs))
        assert set(pairs) >= bundle_keys(big)
        _verified(fr.root)
    partner = fr.store.exchange.partner("ru")
    assert partner is not None
    base = served(fr)
    assert sorted(_served_ids(base, partner.collection_id, token)) == sorted(pairs)


def test_kill_during_sync_then_sync_beside_an_ingest(
    make_node: Callable[..., Node],
    store_url: Callable[[str], str],
    spawn: Callable[..., Running],
    served: Callable[[Node], str],
    tmp_path: Path,
) -> None:
    rng = random.Random(4)
    fr = make_node("fr")
    ru = make_node("ru", store_url("ru"))
    size = 3000 if not SOAK else 20_000
    assert ingest_file(fr, write_bundle(tmp_path / "fr.json", fr.party_id, size, seed=5)).ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    materialise_releases(fr)
    link(ru, fr, served(fr), token)
    table = {(i, m) for _, i, m in released(fr, "ru")}

    def pulled() -> int:
        cur = ru.store.exchange.cursor("fr")
        return 0 if cur is None else cur.objects

    for _ in range(ROUNDS):
        # one page per transaction, so that a kill can fall between two of them
        sync = spawn("sync", "--commit-objects", "1", node=ru.root)
        start = pulled()
        wait_for(lambda s=start, p=sync: p.proc.poll() is not None or pulled() > s)
        if SOAK:
            try:
                sync.proc.wait(timeout=rng.uniform(0.0, 1.5))
            except subprocess.TimeoutExpired:
                sync.kill()
        else:
            sync.kill()
        done = sync.wait(timeout=60)
        assert done.code in (0, -signal.SIGKILL), done
        got = [(i, m) for i, m, src in _records_from(ru, "fr")]
        assert len(got) == len(set(got)) and set(got) <= table
        if not SOAK:  # killed between two pages
            assert 0 < len(got) < len(table)
        _verified(ru.root)
    extra = write_bundle(tmp_path / "ru.json", ru.party_id, 1500, seed=6)
    sync, ingest = spawn("sync", node=ru.root), spawn("ingest", str(extra), node=ru.root)
    synced, ingested = sync.wait(), ingest.wait()
    assert synced.code == 0 and ingested.code == 0, (synced, ingested)
    got = [(i, m) for i, m, _ in _records_from(ru, "fr")]
    assert len(got) == len(set(got)) and set(got) == table
    assert bundle_keys(extra) <= set(stored_keys(ru))
    _verified(ru.root)
    seen = witness.last_seen(ru.store, "fr")
    assert seen is not None and seen.signed.verify(fr.public_key)


def _records_from(node: Node, partner: str) -> list[tuple[str, str, str]]:
    cur = node.store._execute(
        "SELECT id, modified, received_from FROM records WHERE received_from = ?", (partner,)
    )
    return [(str(a), str(b), str(c)) for a, b, c in cur]


@pytest.mark.soak
def test_kill_serve_during_its_releases(
    make_node: Callable[..., Node],
    store_url: Callable[[str], str],
    spawn: Callable[..., Running],
    tmp_path: Path,
) -> None:
    """`liaison serve` releases at start-up and on every tick; SIGKILLed in the middle
    of them, again and again, and restarted: each version is released once."""
    rng = random.Random(11)
    fr = make_node("fr", store_url("fr"))
    ru = make_node("ru")
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    expected: set[tuple[str, str]] = set()
    for n in range(8):
        batch = write_bundle(tmp_path / f"b-{n}.json", fr.party_id, 12_000, seed=300 + n)
        assert ingest_file(fr, batch).ok  # stored, not yet released
        expected |= bundle_keys(batch)
        port = free_port()
        serve = spawn("serve", "--port", str(port), "--release-interval", "0.2", node=fr.root)
        before = len(released(fr, "ru"))
        wait_for(lambda b=before, s=serve: s.proc.poll() is not None or len(released(fr, "ru")) > b)
        try:
            serve.proc.wait(timeout=rng.uniform(0.0, 2.0))
        except subprocess.TimeoutExpired:
            serve.kill()
        serve.wait(timeout=60)
        pairs = [(i, m) for _, i, m in released(fr, "ru")]
        assert len(pairs) == len(set(pairs))
        _verified(fr.root)
    materialise_releases(fr)
    pairs = [(i, m) for _, i, m in released(fr, "ru")]
    assert len(pairs) == len(set(pairs)) and set(pairs) >= expected
    partner = fr.store.exchange.partner("ru")
    assert partner is not None
    with ServerThread(create_app(fr)) as srv:
        assert sorted(_served_ids(srv.url, partner.collection_id, token)) == sorted(pairs)
    _verified(fr.root)


@pytest.mark.soak
def test_a_killed_ingest_leaves_no_process_behind(
    make_node: Callable[..., Node], spawn: Callable[..., Running], tmp_path: Path
) -> None:
    fr = make_node("fr")
    # Checked in a worker process, in more batches than its queue holds.
    big = write_bundle(tmp_path / "big.json", fr.party_id, 40_000, seed=7)
    assert big.stat().st_size > PARALLEL_ABOVE_BYTES
    ingest = spawn("ingest", str(big), node=fr.root)

    def worker_reading() -> bool:  # a child process has the input file open
        return ingest.proc.poll() is not None or any(
            _has_open(pid, big) for pid in ingest.survivors()
        )

    wait_for(worker_reading)
    ingest.kill()
    assert ingest.wait(timeout=30).code == -signal.SIGKILL
    try:
        wait_for(lambda: not ingest.survivors(), timeout=3.0)
    except AssertionError:
        raise AssertionError(f"processes left behind: {ingest.survivors()}") from None


def _has_open(pid: int, path: Path) -> bool:
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if Path(os.readlink(fd)) == path:
                return True
        except OSError:
            continue
    return False
