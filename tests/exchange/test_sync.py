"""Sync between two nodes over real HTTP: verification, provenance, refusals, resume."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from liaison.crypto import NodeKey, sign_objects
from liaison.exchange._partners import load_credential
from liaison.exchange._sync import WORKER_MIN_PAGE, sync_partner
from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report, open_node
from liaison.records import EXT_PARTY
from liaison.records.examples import example_objects
from liaison.release import own_designations
from liaison.store import NewRelease, Selection
from tests.exchange.conftest import (
    STRIKE_POLICY,
    audit_actions,
    bulk_objects,
    link,
    pair,
    record_rows,
    release,
    set_policy,
)

ROOT = Path(__file__).resolve().parents[2]


def _two(make_node: Callable[..., Node], served: Callable[[Node], str], n: int = 20):  # type: ignore[no-untyped-def]
    fr, ru = make_node("fr"), make_node("ru")
    objs = [o for o in example_objects(fr.party_id) if o["type"] != "identity"]
    assert ingest_objects(fr, objs + bulk_objects(fr.party_id, n), source="t").ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    release(fr)
    url = served(fr)
    link(ru, fr, url, token)
    return fr, ru, objs


def _put_rows(fr: Node, objs: list[dict], key: NodeKey | None = None) -> None:  # type: ignore[type-arg]
    signed = sign_objects(key or fr.key, objs)
    batch = [NewRelease(s["id"], s["modified"], s["type"], False, "test", orjson.dumps(s))
             for s in signed]  # fmt: skip
    with fr.store.transaction():
        fr.store.exchange.add_releases("ru", batch, fr.clock.now_ms() * 1000)


def test_sync_stores_verified_objects_with_provenance(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, ru, _ = _two(make_node, served)
    report = sync_partner(ru, "fr", limit=7)
    assert report.error is None and report.refused == 0
    assert report.accepted == 20 + 3
    got = {(i, m) for i, m, src in record_rows(ru) if src == "fr"}
    served_rows = fr.store.exchange.select_releases("ru", Selection(limit=10_000))
    assert got == {(r.id, r.modified) for r in served_rows}
    assert ru.store.exchange.partner("fr").party_id == fr.party_id  # type: ignore[union-attr]
    receipt = ru.store.exchange.receipts_of(served_rows[-1].id)
    assert receipt and receipt[0].verified and receipt[0].partner == "fr"
    again = sync_partner(ru, "fr")
    assert (again.accepted, again.refused) == (0, 0)
    assert audit_report(ru).ok
    assert any(a == "sync" and s == "fr" for a, s, _ in audit_actions(ru))


def test_tampered_objects_are_refused_audited_and_not_stored(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, ru, objs = _two(make_node, served)
    strike = next(o for o in objs if o["type"] == "liaison-strike-report")
    extra = bulk_objects(fr.party_id, 3, seed=99)
    # ru first holds a newer version of the strike report
    newer = strike | {"modified": "2016-03-01T00:00:00.000Z", "precision": 20000}
    _put_rows(fr, [newer])
    assert sync_partner(ru, "fr").refused == 0
    before = record_rows(ru)
    # 1. one byte changed after signing
    signed = sign_objects(fr.key, [extra[0]])[0]
    body = orjson.dumps(signed).replace(b'"precision":100', b'"precision":900', 1)
    with fr.store.transaction():
        fr.store.exchange.add_releases("ru", [NewRelease(extra[0]["id"], extra[0]["modified"],
                          "location", False, "t", body)], fr.clock.now_ms() * 1000)  # fmt: skip
    # 2. signed by another key
    _put_rows(fr, [extra[1]], key=NodeKey.generate())
    # 3. the older version replayed, validly signed
    _put_rows(fr, [strike | {"precision": 20000}])
    # 4. claims to be created by the receiving node itself
    _put_rows(fr, [extra[2] | {"created_by_ref": ru.party_id}])
    # 5. no signature at all
    with fr.store.transaction():
        bare = strike | {"modified": "2016-04-01T00:00:00.000Z"}
        row = NewRelease(strike["id"], bare["modified"], strike["type"], False, "t",
                         orjson.dumps(bare))  # fmt: skip
        fr.store.exchange.add_releases("ru", [row], fr.clock.now_ms() * 1000)
    # a misbehaving server serves the replayed version as current (a write below the
    # store's API on purpose: no honest node does this)
    fr.store._execute(  # type: ignore[attr-defined]
        "UPDATE releases SET latest = 1 WHERE id = ? AND modified = ?",
        (strike["id"], strike["modified"]),
    )
    report = sync_partner(ru, "fr")
    assert report.refused == 5 and report.accepted == 0
    assert record_rows(ru) == before
    reasons = [d["reason"] for a, _, d in audit_actions(ru) if a == "refuse"]
    assert any("bad-proof" in r for r in reasons)
    assert any("unknown-key" in r for r in reasons)
    assert any("replayed older version" in r for r in reasons)
    assert any("cannot assert objects in its name" in r for r in reasons)
    assert any("missing-signature" in r for r in reasons)
    assert audit_report(ru).ok


def test_pages_opened_by_the_worker_process_are_judged_as_in_process(
    make_node: Callable[..., Node], served: Callable[[Node], str], caplog: pytest.LogCaptureFixture
) -> None:
    """Pages of at least WORKER_MIN_PAGE objects after the first are verified and
    parsed in the sync worker process: the same versions are stored and the same
    objects refused, for the same reasons, as when every page is opened here."""
    fr, ru, objs = _two(make_node, served, n=1100)
    strike = next(o for o in objs if o["type"] == "liaison-strike-report")
    extra = bulk_objects(fr.party_id, 3, seed=99)
    signed = sign_objects(fr.key, [extra[0]])[0]
    body = orjson.dumps(signed).replace(b'"precision":100', b'"precision":900', 1)
    with fr.store.transaction():
        row = NewRelease(extra[0]["id"], extra[0]["modified"], "location", False, "t", body)
        fr.store.exchange.add_releases("ru", [row], fr.clock.now_ms() * 1000)
    _put_rows(fr, [extra[1]], key=NodeKey.generate())
    third = "identity--5d1f6a52-58a7-4c3e-9a11-2f0c6a1f7e05"
    _put_rows(fr, [extra[2] | {"created_by_ref": third}])  # not fr's, no onward marking
    _put_rows(fr, [strike | {"latitude": 91.0}])  # a signed, invalid record
    other = make_node("ru", seed=5)
    url = ru.store.exchange.partner("fr").url.removesuffix("/api/")  # type: ignore[union-attr]
    link(other, fr, url, load_credential(ru, "fr") or "")
    page = WORKER_MIN_PAGE
    with_worker = sync_partner(ru, "fr", limit=page)
    here = sync_partner(other, "fr", limit=page - 1)  # first page too small: no worker
    served_count = len(fr.store.exchange.select_releases("ru", Selection(limit=10_000)))
    assert with_worker.pages == 3 and here.pages == 3
    for report in (with_worker, here):
        assert report.error is None and (report.accepted, report.refused) == (served_count - 4, 4)
        assert report.not_entitled == 1
    assert [r for r in record_rows(ru) if r[2] == "fr"] == [
        r for r in record_rows(other) if r[2] == "fr"
    ]

    def reasons(node: Node) -> list[str]:
        return sorted(d["reason"] for a, _, d in audit_actions(node) if a == "refuse")

    assert reasons(ru) == reasons(other)
    assert any("bad-proof" in r for r in reasons(ru))
    assert any("unknown-key" in r for r in reasons(ru))
    assert any("not a valid record" in r and "latitude" in r for r in reasons(ru))
    assert audit_report(ru).ok and audit_report(other).ok
    assert not [r for r in caplog.records if "worker" in r.getMessage()]  # it did the work


def test_a_sync_whose_worker_process_dies_checks_the_rest_itself(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, ru, _ = _two(make_node, served, n=3 * WORKER_MIN_PAGE)
    killed: list[int] = []

    def kill_the_worker(report: object) -> None:
        for child in multiprocessing.active_children():
            if not killed:
                os.kill(child.pid or 0, signal.SIGKILL)
                killed.append(child.pid or 0)

    report = sync_partner(ru, "fr", limit=WORKER_MIN_PAGE, commit_objects=1,
                          on_page=kill_the_worker)  # fmt: skip
    assert killed and report.error is None and report.refused == 0
    got = {(i, m) for i, m, src in record_rows(ru) if src == "fr"}
    served_rows = fr.store.exchange.select_releases("ru", Selection(limit=10_000))
    assert got == {(r.id, r.modified) for r in served_rows}
    assert audit_report(ru).ok


_WORKER = """
import sys, time
from pathlib import Path
from liaison.node import open_node
from liaison.exchange._partners import load_credential
from liaison.exchange._sync import WORKER_MIN_PAGE, sync_partner
node = open_node(Path(sys.argv[1]))
def page(report):
    print("page", report.pages, flush=True)
    time.sleep(0.05)
print(sync_partner(node, "fr", limit=int(sys.argv[2]), on_page=page,
                   commit_objects=int(sys.argv[3])), flush=True)
"""


def test_killed_sync_resumes_with_nothing_lost_or_duplicated(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    fr, ru, _ = _two(make_node, served, n=600)
    ru_root = ru.root
    ru.close()
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    # pages of 25, committed two at a time (when the next page has arrived)
    cmd = [sys.executable, "-c", _WORKER, str(ru_root), "25", "50"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("page 6"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    middle = open_node(ru_root)
    cursor = middle.store.exchange.cursor("fr")
    assert cursor is not None and cursor.next_token is not None
    partial = {(i, m) for i, m, s in record_rows(middle) if s == "fr"}
    assert 0 < len(partial) < 623
    middle.close()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120, check=True)
    assert "0 refused" in done.stdout
    after = open_node(ru_root)
    try:
        got = [(i, m) for i, m, s in record_rows(after) if s == "fr"]
        table = fr.store.exchange.select_releases("ru", Selection(limit=10_000))
        expected = {(r.id, r.modified) for r in table}
        assert len(got) == len(set(got)) and set(got) == expected
        assert audit_report(after).ok
    finally:
        after.close()


_WORKER_CHILD = """
import multiprocessing, sys, time
from pathlib import Path
from liaison.node import open_node
from liaison.exchange._sync import sync_partner
node = open_node(Path(sys.argv[1]))
def page(report):
    pids = [p.pid for p in multiprocessing.active_children()]
    print("page", report.pages, *pids, flush=True)
    time.sleep(0.2)
sync_partner(node, "fr", limit=int(sys.argv[2]), on_page=page)
"""


def test_a_killed_sync_leaves_no_worker_process_behind(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    _, ru, _ = _two(make_node, served, n=2 * WORKER_MIN_PAGE + 100)
    ru_root = ru.root
    ru.close()
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    cmd = [sys.executable, "-c", _WORKER_CHILD, str(ru_root), str(WORKER_MIN_PAGE)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    workers: list[int] = []
    for line in proc.stdout:
        workers = [int(w) for w in line.split()[2:]]
        if workers:  # the worker process is running: kill the sync under it
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL and workers
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [w for w in alive if _running(w)]
        time.sleep(0.1)
    assert not alive


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (not yet reaped) has ended
        return stat.read().split(")")[-1].split()[0] != "Z"


_SPOOF_POLICY = """
[[partners.fr.rules]]
name = "everything, passed on"
kinds = ["party", "group", "designation", "location"]
allow_onward = true
"""


def _spoofing_partner(make_node: Callable[..., Node], served: Callable[[Node], str]):  # type: ignore[no-untyped-def]
    """fr (the node under test) designates a group; a third node ``de`` serves fr a
    designation of that group in fr's name and a newer identity with fr's party id."""
    fr, de = make_node("fr"), make_node("de", seed=7)
    mine = example_objects(fr.party_id)
    group = next(o for o in mine if o["type"] == "threat-actor")
    own = next(o for o in mine if o["type"] == "liaison-designation") | {"status": "other"}
    assert ingest_objects(fr, [group, own], source="t").ok
    spoofed_designation = own | {
        "id": "liaison-designation--0d1f6a52-58a7-4c3e-9a11-2f0c6a1f7e01",
        "created_by_ref": de.party_id,
        "status": "terrorist",
        "since": "2016-03-01T00:00:00.000Z",
    }
    spoofed_identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": fr.party_id,
        "created": "2016-01-01T00:00:00.000Z",
        "modified": "2016-06-01T00:00:00.000Z",
        "created_by_ref": fr.party_id,
        "name": "fr (rewritten by de)",
        "identity_class": "organization",
        "extensions": {
            EXT_PARTY: {"extension_type": "property-extension", "public_key": de.key.public_key_b64}
        },
    }
    assert ingest_objects(de, [spoofed_designation, spoofed_identity], source="t").ok
    token = pair(de, fr)
    set_policy(de, _SPOOF_POLICY)
    release(de)
    link(fr, de, served(de), token)
    return fr, de, spoofed_designation, spoofed_identity


def test_a_partner_cannot_set_this_nodes_designations_or_identity(
    make_node: Callable[..., Node], served: Callable[[Node], str]
) -> None:
    """Findings 1 and 2 of issue 8: spoofed designation and identity never enter the store."""
    fr, _, designation, identity = _spoofing_partner(make_node, served)
    own_identity = fr.store.get(fr.party_id)
    assert own_identity is not None
    report = sync_partner(fr, "de")
    assert report.error is None
    assert fr.store.get(designation["id"]) is None
    assert own_designations(fr).get(designation["group_ref"]) == "other"
    now = fr.store.get(fr.party_id)
    assert now is not None and now.body == own_identity.body
    assert [v.index.modified for v in fr.store.versions(fr.party_id)] == [
        own_identity.index.modified
    ]
    refusals = {d["id"]: d for a, s, d in audit_actions(fr) if a == "refuse" and s == "de"}
    assert refusals[designation["id"]]["field"] == "party_ref"
    assert fr.party_id in refusals[designation["id"]]["reason"]
    assert refusals[identity["id"]]["field"] == "id"
    assert "this node's own identity" in refusals[identity["id"]]["reason"]
    assert report.refused >= 2 and report.not_entitled >= 2
    assert audit_report(fr).ok
