"""Partners as witnesses: a node serves its signed audit head, a syncing partner
keeps the highest one it verified, and the receipt it hands back catches a
rollback of the whole node (store and anchor file put back from a backup)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner

from liaison.audit import journal, witness
from liaison.audit.anchor import ANCHOR_NAME
from liaison.cli import cli
from liaison.exchange import sync_partner
from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report
from tests.audit.conftest import restore, snapshot
from tests.exchange.conftest import (
    STRIKE_POLICY,
    audit_actions,
    bulk_objects,
    link,
    pair,
    release,
    set_policy,
)

Pair = tuple[Node, Node, str, str]


@pytest.fixture
def fr_ru(make_node: Callable[..., Node], served: Callable[[Node], str]) -> Pair:
    """fr serving ru over real HTTP (both on each backend); ru has synced once."""
    fr = make_node("fr")
    ru = make_node("ru", seed=2)
    assert ingest_objects(fr, bulk_objects(fr.party_id, 30), source="t").ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    release(fr)
    url = served(fr)
    link(ru, fr, url, token)
    assert sync_partner(ru, "fr", limit=10).error is None
    return fr, ru, token, url


def test_the_served_head_is_signed_and_kept_by_the_partner(fr_ru: Pair) -> None:
    fr, ru, _, _ = fr_ru
    seen = witness.last_seen(ru.store, "fr")
    head = journal.signed_head(fr.store, fr.public_key)
    assert seen is not None and head is not None
    assert seen.signed.head.seq <= head.head.seq  # as served with the last page
    assert seen.signed.verify(fr.public_key)
    assert audit_report(fr).ok and audit_report(ru).ok


def test_unsigned_or_forged_heads_are_ignored(fr_ru: Pair) -> None:
    fr, ru, _, _ = fr_ru
    before = witness.last_seen(ru.store, "fr")
    assert before is not None
    forged = before.signed.to_dict() | {"seq": before.signed.head.seq + 100}
    for header in (orjson.dumps(forged).decode(), "garbage", "x" * 5000):
        with ru.store.transaction() as tx:
            assert (
                witness.observe(ru.store, tx, "fr", fr.key.public_key_b64, header, ru.now()) == []
            )
    assert witness.last_seen(ru.store, "fr") == before


def test_a_partner_rollback_is_noticed_once_and_the_higher_head_kept(
    fr_ru: Pair,
) -> None:
    fr, ru, _, _ = fr_ru
    old = snapshot(fr)
    assert ingest_objects(fr, bulk_objects(fr.party_id, 5, seed=8), source="more").ok
    release(fr)
    assert sync_partner(ru, "fr").error is None
    high = witness.last_seen(ru.store, "fr")
    assert high is not None and high.signed.head.seq > old.seq
    restore(fr, old)
    for _ in range(2):
        assert sync_partner(ru, "fr").error is None
    kept = witness.last_seen(ru.store, "fr")
    assert kept is not None and kept.signed == high.signed
    alarms = [d for a, s, d in audit_actions(ru) if a == "partner-rollback"]
    assert len(alarms) == 1 and alarms[0]["served"]["seq"] == old.seq
    assert alarms[0]["kept"]["seq"] == high.signed.head.seq


def test_a_receipt_catches_a_node_put_back_whole(fr_ru: Pair, tmp_path: Path) -> None:
    """Store and node directory both rolled back: the node alone cannot tell, the
    head its partner kept can (`audit verify --receipt`, exit 4)."""
    fr, ru, _, _ = fr_ru
    old_snap, old_anchor = snapshot(fr), (fr.root / ANCHOR_NAME).read_bytes()
    assert ingest_objects(fr, bulk_objects(fr.party_id, 5, seed=9), source="more").ok
    release(fr)
    assert sync_partner(ru, "fr").error is None
    receipt = tmp_path / "receipt-from-ru.json"
    runner = CliRunner()
    made = runner.invoke(
        cli, ["audit", "receipt", "fr", "-o", str(receipt), "--node", str(ru.root)]
    )
    assert made.exit_code == 0, made.output
    document = orjson.loads(receipt.read_bytes())
    assert document["type"] == "liaison-audit-receipt" and document["witness"] == ru.party_id
    ok = runner.invoke(cli, ["audit", "verify", "--receipt", str(receipt), "--node", str(fr.root)])
    assert ok.exit_code == 0 and "ru" in ok.output and "receipt" in ok.output, ok.output
    restore(fr, old_snap)
    (fr.root / ANCHOR_NAME).write_bytes(old_anchor)
    assert audit_report(fr).ok  # undetectable from the node alone
    bad = runner.invoke(cli, ["audit", "verify", "--receipt", str(receipt), "--node", str(fr.root)])
    assert bad.exit_code == 4
    seen = document["head"]["seq"]
    assert f"receipt ({receipt}, seen {document['seen']}) says {seen}" in bad.output
    assert "deleted, or the store rolled back" in bad.output


def test_receipt_errors_are_clear(fr_ru: Pair, tmp_path: Path) -> None:
    fr, ru, _, _ = fr_ru
    runner = CliRunner()
    missing = runner.invoke(cli, ["audit", "receipt", "nobody", "--node", str(ru.root)])
    assert missing.exit_code == 5 and "no audit head seen from partner 'nobody'" in missing.output
    for content, why in [
        (b"[1", "not JSON"),
        (b'{"type": "other"}', "'type' must be 'liaison-audit-receipt'"),
        (b'{"type": "liaison-audit-receipt", "version": 1, "head": 5}', "'head' must be"),
    ]:
        path = tmp_path / "r.json"
        path.write_bytes(content)
        out = runner.invoke(
            cli, ["audit", "verify", "--receipt", str(path), "--node", str(fr.root)]
        )
        assert out.exit_code == 1 and f"receipt {path}" in out.output and why in out.output
    # A receipt for another node's key: refused, naming both keys.
    theirs = runner.invoke(cli, ["audit", "receipt", "fr", "--node", str(ru.root)])
    path = tmp_path / "theirs.json"
    path.write_text(theirs.output)
    out = runner.invoke(cli, ["audit", "verify", "--receipt", str(path), "--node", str(ru.root)])
    assert out.exit_code == 4 and f"not this node's key {ru.key.key_id}" in out.output


def test_the_head_header_is_served_only_to_a_partner(fr_ru: Pair) -> None:
    fr, _, token, url = fr_ru
    partner = fr.store.exchange.partner("ru")
    assert partner is not None
    objects = f"{url}/api/collections/{partner.collection_id}/objects/"
    headers = {"Accept": "application/taxii+json;version=2.1"}
    anonymous = httpx.get(objects, headers=headers, timeout=10)
    assert anonymous.status_code == 401 and witness.HEAD_HEADER.lower() not in anonymous.headers
    answer = httpx.get(objects, headers=headers | {"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 200
    served = witness.parse_head(answer.headers[witness.HEAD_HEADER])
    assert served.verify(fr.public_key)
    assert served == journal.signed_head(fr.store, fr.public_key)
