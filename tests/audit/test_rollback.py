"""Rolling a node's audit log back is detected on every backend: the anchor file
outside the store remembers how far the log went (`audit verify` exits 4 naming
the missing entries), and an empty or foreign log is refused."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import orjson
from click.testing import CliRunner

from liaison.audit import journal
from liaison.audit.anchor import ANCHOR_NAME, read_anchor
from liaison.cli import cli
from liaison.ingest import ingest_objects
from liaison.node import Node, SteppingClock, audit_report, init_node, open_node, seeded_ids
from liaison.records.examples import example_objects
from tests.audit.conftest import restore, snapshot, sql
from tests.node.conftest import T0

ROOT = Path(__file__).resolve().parents[2]


def grow(node: Node, parts: int = 4, start: int = 0) -> None:
    """Audited ingests, one entry each."""
    objs = [o for o in example_objects(node.party_id) if o["type"] != "identity"]
    for i in range(start, start + parts):
        assert ingest_objects(node, [objs[i]], source=f"part-{i}").ok


def anchored_seq(node: Node) -> int:
    signed = read_anchor(node.root / ANCHOR_NAME)
    assert signed is not None
    return signed.head.seq


def test_the_anchor_follows_every_append_and_is_private(node: Node) -> None:
    assert anchored_seq(node) == 2  # key-create, the node's identity
    grow(node, 3)
    last = node.store.last_audit_row()
    assert last is not None and anchored_seq(node) == last.seq == 5
    assert os.stat(node.root / ANCHOR_NAME).st_mode & 0o777 == 0o600
    report = audit_report(node)
    assert report.ok, report
    assert "the anchor audit-head.json (entry 5)" in str(report)


def test_truncated_log_with_an_older_signed_head_is_detected(node: Node) -> None:
    grow(node, 2)
    old = snapshot(node)
    grow(node, 3, start=2)
    restore(node, old)
    report = audit_report(node)
    assert not report.ok
    assert report.first_bad_seq == old.seq + 1
    assert report.reason == (
        f"chain ends at {old.seq} but the anchor audit-head.json says {old.seq + 3} "
        f"(entries {old.seq + 1}–{old.seq + 3} deleted, or the store rolled back)"
    )
    out = CliRunner().invoke(cli, ["audit", "verify", "--node", str(node.root)])
    assert out.exit_code == 4 and report.reason in out.output
    assert f"first bad entry: {old.seq + 1}" in out.output


def test_an_emptied_log_is_refused(node: Node) -> None:
    grow(node, 2)
    sql(node, "DELETE FROM audit")
    sql(node, "DELETE FROM meta WHERE key = 'audit_head'")
    report = audit_report(node)
    assert not report.ok and report.first_bad_seq == 1
    assert report.reason is not None and "the audit log is empty" in report.reason
    out = CliRunner().invoke(cli, ["audit", "verify", "--node", str(node.root)])
    assert out.exit_code == 4 and "the audit log is empty" in out.output
    # Without its anchor too, the store alone still refuses an empty log.
    (node.root / ANCHOR_NAME).unlink()
    assert "is missing" in (audit_report(node).reason or "")
    assert "the audit log is empty" in (journal.verify(node.store, node.public_key).reason or "")


def test_a_log_not_started_by_this_node_is_refused(node: Node) -> None:
    sql(node, "UPDATE audit SET subject = 'someone-else' WHERE seq = 1")
    report = journal.verify(node.store, node.public_key)
    assert not report.ok and report.first_bad_seq == 1
    assert "not this node's key-create entry" in (report.reason or "")


def test_a_deleted_or_forged_anchor_is_detected(node: Node) -> None:
    path = node.root / ANCHOR_NAME
    data = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps(data | {"seq": data["seq"] + 5}))
    assert "signature does not verify" in (audit_report(node).reason or "")
    path.write_bytes(b"{not json")
    assert "is malformed" in (audit_report(node).reason or "")
    path.unlink()
    report = audit_report(node)
    assert not report.ok and "audit-head.json is missing" in (report.reason or "")
    grow(node, 1)  # the next audited action writes it again
    assert audit_report(node).ok


def test_the_anchor_keeps_the_evidence_of_a_rollback(node: Node) -> None:
    """After a rollback the node keeps writing: the anchor does not move past the
    head the log lost, so the rewrite stays visible."""
    grow(node, 1)
    old = snapshot(node)
    grow(node, 2, start=1)
    lost = anchored_seq(node)
    restore(node, old)
    grow(node, 4, start=3)  # the log grows past the lost head again
    assert anchored_seq(node) == lost
    report = audit_report(node)
    assert not report.ok and report.first_bad_seq == lost
    assert report.reason == f"entry {lost} differs from the anchor audit-head.json (log rewritten)"


def test_a_store_file_put_back_from_a_backup_is_detected(tmp_path: Path) -> None:
    """SQLite only: a file-level backup (PostgreSQL stores are rolled back by SQL above)."""
    node = init_node(tmp_path / "fr", "fr", clock=SteppingClock(T0), ids=seeded_ids(1))
    grow(node, 2)
    path = Path(node.config.store_url[len("sqlite:///") :])
    node.close()
    backup = path.with_suffix(".bak")
    with open_node(node.root) as live:
        live.store._execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, backup)
    with open_node(node.root) as live:
        grow(live, 3, start=2)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, path)
    with open_node(node.root) as restored:
        report = audit_report(restored)
        assert not report.ok
        assert "the anchor audit-head.json says" in (report.reason or "")


_KILLED_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
from liaison.audit import journal
from liaison.node import open_node
node = open_node(Path(sys.argv[1]))
with node.store.transaction() as tx:
    # Registered before the anchor's own callback: dies after the commit, before
    # the anchor file is written.
    node.store.after_commit("die", lambda: os.kill(os.getpid(), signal.SIGKILL))
    journal.append(node.store, tx, node.key, [("ingest", "killed", {})], node.now())
"""


def test_kill_between_commit_and_anchor_write_is_safe(node: Node) -> None:
    """The store commits first, the anchor follows: a kill -9 between the two
    leaves the anchor one transaction behind, which verifies (no false alarm), and
    the next append moves it on."""
    grow(node, 1)
    before = anchored_seq(node)
    env = os.environ | {"PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_COMMIT, str(node.root)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    last = node.store.last_audit_row()
    assert last is not None and last.seq == before + 1 and last.subject == "killed"
    assert anchored_seq(node) == before  # the anchor lags by the killed transaction
    assert audit_report(node).ok
    grow(node, 1, start=1)
    assert anchored_seq(node) == before + 2
    assert audit_report(node).ok
