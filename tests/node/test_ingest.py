"""Ingest: every kind goes in validated, signed and audited; bad input is refused
with a precise message and leaves the store unchanged."""

from __future__ import annotations

import copy
import stat
from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.ingest import ingest_file, ingest_objects
from liaison.node import Node, audit_report, verify_record
from liaison.records import KINDS
from liaison.records.examples import example_objects
from liaison.store import Query


def bundle(path: Path, objects: list[dict[str, Any]]) -> Path:
    body = {"type": "bundle", "id": "bundle--0b1d4a0e-3a8e-4c1e-9a55-0a4b4f1f8e11"}
    path.write_bytes(orjson.dumps({**body, "objects": objects}))
    return path


def snapshot(node: Node) -> list[tuple[str, str, bytes]]:
    return [
        (v.index.id, v.index.modified, v.body) for v in node.store.query(Query(latest_only=False))
    ]


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
def test_every_kind_is_stored_signed_and_audited(
    node: Node, tmp_path: Path, parallel: bool
) -> None:
    objs = example_objects(node.party_id)
    report = ingest_file(node, bundle(tmp_path / "all.json", objs), parallel=parallel)
    assert (report.accepted, report.refused) == (len(objs), 0)
    kinds = set(node.store.counts())
    assert kinds == set(KINDS)
    for v in node.store.query(Query()):
        check = verify_record(node, v)
        assert check.ok, (v.index.id, check)
        assert orjson.loads(v.body) in objs or v.index.id == node.party_id
    assert audit_report(node).ok


def test_same_version_twice_is_unchanged(node: Node) -> None:
    objs = example_objects(node.party_id)
    ingest_objects(node, objs, source="first")
    before = snapshot(node)
    again = ingest_objects(node, objs, source="again")
    assert (again.accepted, again.unchanged, again.refused) == (0, len(objs), 0)
    assert snapshot(node) == before


def test_different_body_same_version_is_refused(node: Node) -> None:
    objs = example_objects(node.party_id)
    ingest_objects(node, objs, source="first")
    before = snapshot(node)
    strike = next(o for o in objs if o["type"].endswith("strike-report"))
    changed = copy.deepcopy(strike)
    changed["strikes"] += 1
    report = ingest_objects(node, [changed], source="tamper")
    assert report.refused == 1
    assert "already exists with a different body" in report.errors[0]
    assert changed["id"] in report.errors[0]
    assert snapshot(node) == before


def test_a_newer_version_supersedes_and_revocation_is_kept(node: Node) -> None:
    strike = next(o for o in example_objects(node.party_id) if o["type"].endswith("strike-report"))
    ingest_objects(node, [strike], source="v1")
    revoked = {**strike, "modified": "2017-01-01T00:00:00.000Z", "revoked": True}
    ingest_objects(node, [revoked], source="v2")
    latest = node.store.get(strike["id"])
    assert latest is not None and latest.index.revoked
    assert len(node.store.versions(strike["id"])) == 2


BAD_CASES = [
    ("latitude out of range", lambda o: o.update(latitude=91.5), "latitude"),
    ("missing required field", lambda o: o.pop("means"), "means"),
    ("unknown kind", lambda o: o.update(type="liaison-unicorn"), "type"),
    ("bad timestamp", lambda o: o.update(time_start="yesterday"), "time_start"),
]


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
@pytest.mark.parametrize(("label", "mutate", "field"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_one_bad_object_refuses_the_whole_bundle(
    node: Node, tmp_path: Path, label: str, mutate: Any, field: str, parallel: bool
) -> None:
    objs = example_objects(node.party_id)
    strike_index = next(i for i, o in enumerate(objs) if o["type"].endswith("strike-report"))
    mutate(objs[strike_index])
    before = snapshot(node)
    report = ingest_file(node, bundle(tmp_path / "bad.json", objs), parallel=parallel)
    assert not report.committed
    assert report.accepted == 0
    assert report.refused == 1
    message = report.errors[0]
    assert f"bad.json object #{strike_index + 1}" in message
    assert field in message
    assert snapshot(node) == before
    refusals = [e for e in _audit(node) if e["action"] == "refuse"]
    assert refusals and field in refusals[-1]["detail"]["reason"]


def test_skip_invalid_keeps_the_valid_records(node: Node, tmp_path: Path) -> None:
    objs = example_objects(node.party_id)
    next(o for o in objs if o["type"] == "location")["latitude"] = 123.0
    report = ingest_file(node, bundle(tmp_path / "some.json", objs), skip_invalid=True)
    assert report.committed
    assert (report.accepted, report.refused) == (len(objs) - 1, 1)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"type": "bundle", "objects": [{"type": "identity",', "malformed JSON"),
        (b"not json at all", "not JSON"),
        (b'{"type": "identity", "name": "x"}', "not a STIX bundle"),
    ],
)
def test_malformed_json_is_refused_cleanly(
    node: Node, tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    before = snapshot(node)
    report = ingest_file(node, path)
    assert not report.committed
    assert expected in report.errors[0]
    assert "broken.json" in report.errors[0]
    assert snapshot(node) == before


def test_key_file_is_private(node: Node) -> None:
    mode = stat.S_IMODE((node.root / "keys" / "node.key").stat().st_mode)
    assert mode == 0o600


def _audit(node: Node) -> list[dict[str, Any]]:
    from liaison.audit import journal

    return [e.to_dict() for e in journal.entries(node.store)]
