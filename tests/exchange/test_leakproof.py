"""Security properties of the TAXII server, with the real policy engine, on both
backends.

For generated records and policies, no partner obtains — through objects,
object-by-id, versions, manifest, status or paging tokens — a record, a field
or a location precision its policy does not allow; nor, after new versions and
a change to other generated policies (tighter, looser, delayed), anything of any
version the new policy does not allow; a partner cannot read or learn the
existence of another partner's collection or objects.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.exchange import (
    ServerThread,
    add_partner,
    create_app,
    issue_token,
    materialise_releases,
)
from liaison.ingest import ingest_objects
from liaison.node import Node
from liaison.records import EXT_SIGNATURE, EXT_STRIKE_REPORT
from liaison.release import node_policies
from tests.exchange.conftest import set_policy
from tests.nodes import NodeFactory

KINDS = ("location", "strike-report")
rules = st.fixed_dictionaries(
    {
        "kinds": st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True),
        "coarsen_m": st.sampled_from([None, 500, 10_000, 100_000]),
        "drop": st.booleans(),
        "strip": st.booleans(),
        "north_of": st.sampled_from([None, 34.0, 35.5]),
        "delay": st.sampled_from([None, None, "1000d"]),
    }
)
policies = st.lists(rules, min_size=0, max_size=3)


def _toml(partner: str, rs: list[dict[str, Any]]) -> str:
    out = [f"[partners.{partner}]"]
    for i, r in enumerate(rs):
        out.append(f"[[partners.{partner}.rules]]")
        out.append(f'name = "r{i}"')
        out.append("kinds = [" + ", ".join(f'"{k}"' for k in r["kinds"]) + "]")
        if r["coarsen_m"] is not None:
            out.append(f"coarsen_m = {r['coarsen_m']}")
        if r["drop"] and r["kinds"] == ["strike-report"]:
            out.append('drop_fields = ["target_description"]')
        if r["strip"]:
            out.append("strip_sources = true")
        if r["north_of"] is not None:
            out.append(f"area = {{ bbox = [{r['north_of']}, 30.0, 40.0, 45.0] }}")
        if r["delay"] is not None:
            out.append(f'delay = "{r["delay"]}"')
    return "\n".join(out) + "\n"


def _records(party: str, seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        uid = uuid.UUID(int=rng.getrandbits(128), version=4)
        common = {"spec_version": "2.1", "created": "2016-01-01T00:00:00.000Z",
                  "modified": "2016-01-01T00:00:00.000Z", "created_by_ref": party}  # fmt: skip
        lat, lon = round(rng.uniform(32.5, 37.0), 6), round(rng.uniform(36.0, 42.0), 6)
        if i % 2:
            point = {"latitude": lat, "longitude": lon, "precision": rng.choice([5, 50, 200])}
            out.append(common | {"type": "location", "id": f"location--{uid}"} | point)
        else:
            out.append(
                common
                | {
                    "type": "liaison-strike-report",
                    "id": f"liaison-strike-report--{uid}",
                    "party_ref": party,
                    "means": "air",
                    "time_start": "2015-12-01T00:00:00.000Z",
                    "time_end": "2015-12-01T01:00:00.000Z",
                    "latitude": lat,
                    "longitude": lon,
                    "precision": 10,
                    "target_category": "fighting-position",
                    "strikes": 1,
                    "claimed_effect": "destroyed",
                    "bda_phase": "physical",
                    "target_description": "SECRET-DETAIL",
                    "reliability": "B",
                    "credibility": 2,
                    "external_references": [{"source_name": "SECRET-SOURCE"}],
                    "extensions": {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}},
                }
            )
    return out


def _allowed(obj: dict[str, Any], true: dict[str, Any], rs: list[dict[str, Any]]) -> None:
    """Independent check of one obtained object against the partner's rules."""
    kind = "location" if obj["type"] == "location" else "strike-report"
    rule = next(
        (r for r in rs if kind in r["kinds"]
         and (r["north_of"] is None or true["latitude"] >= r["north_of"])),
        None,
    )  # fmt: skip
    assert rule is not None, f"{obj['id']} obtained but no rule selects it"
    assert rule["delay"] is None, f"{obj['id']} obtained while its rule delays it"
    assert obj["id"] == true["id"] and obj["modified"] == true["modified"]
    if rule["coarsen_m"] is not None:
        assert obj["precision"] >= rule["coarsen_m"]
        assert (obj["latitude"], obj["longitude"]) != (true["latitude"], true["longitude"])
    else:
        assert (obj["latitude"], obj["longitude"]) == (true["latitude"], true["longitude"])
    if kind == "strike-report" and rule["drop"] and rule["kinds"] == ["strike-report"]:
        assert "target_description" not in obj
    if rule["strip"]:
        assert "external_references" not in obj
    if rule["strip"]:
        assert b"SECRET-SOURCE" not in orjson.dumps(obj)


def _everything(
    client: httpx.Client, token: str, ids: list[str], limit: int
) -> list[dict[str, Any]]:
    """All a partner can obtain through every endpoint."""
    h = {"Authorization": f"Bearer {token}"}
    cid = client.get("/api/collections/", headers=h).json()["collections"][0]["id"]
    base = f"/api/collections/{cid}"
    got: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit, "match[version]": "all"}
    for _ in range(500):
        page = client.get(f"{base}/objects/", params=params, headers=h).json()
        got += page.get("objects", [])
        if not page["more"]:
            break
        params = {"limit": limit, "match[version]": "all", "next": page["next"]}
    listed = {o["id"] for o in got}
    manifest = client.get(f"{base}/manifest/", params={"limit": 5000}, headers=h).json()
    assert {m["id"] for m in manifest.get("objects", [])} == listed
    for oid in ids:
        one = client.get(f"{base}/objects/{oid}/", headers=h)
        versions = client.get(f"{base}/objects/{oid}/versions/", headers=h)
        if oid in listed:
            assert one.status_code == 200 and versions.status_code == 200
            got += one.json()["objects"]
        else:
            assert one.status_code == 404 and versions.status_code == 404
            assert one.json() == versions.json() == {
                "title": "Not found", "http_status": "404", "description": "no such object"
            }  # fmt: skip
    assert client.get(f"/api/status/{oid}/", headers=h).status_code == 404
    return got


def _check(
    fr: Node,
    tokens: dict[str, str],
    rules: dict[str, list[dict[str, Any]]],
    truth: dict[tuple[str, str], dict[str, Any]],
    limit: int,
) -> None:
    """Everything each partner obtains is allowed by its rules (every version)."""
    ids = sorted({i for i, _ in truth} | {fr.party_id})
    with ServerThread(create_app(fr)) as srv, httpx.Client(base_url=srv.url) as client:
        for name, rs in rules.items():
            for obj in _everything(client, tokens[name], ids, limit):
                assert EXT_SIGNATURE in obj["extensions"]
                if obj["id"] == fr.party_id:
                    continue
                _allowed(obj, truth[(obj["id"], obj["modified"])], rs)
        # A's token reveals nothing of B's collection
        hb = {"Authorization": f"Bearer {tokens['pb']}"}
        ha = {"Authorization": f"Bearer {tokens['pa']}"}
        cid_b = client.get("/api/collections/", headers=hb).json()["collections"][0]["id"]
        for path in ("/", "/objects/", "/manifest/", f"/objects/{ids[0]}/"):
            theirs = client.get(f"/api/collections/{cid_b}{path}", headers=ha)
            nowhere = client.get(f"/api/collections/{uuid.uuid4()}{path}", headers=ha)
            assert theirs.status_code == nowhere.status_code == 404
            assert theirs.content == nowhere.content


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    pa=policies,
    pb=policies,
    pa2=policies,
    pb2=policies,
    seed=st.integers(0, 10_000),
    limit=st.integers(1, 7),
)
def test_no_partner_obtains_more_than_its_policy_allows(
    store_url_factory: Callable[[], str],
    pa: list[dict[str, Any]],
    pb: list[dict[str, Any]],
    pa2: list[dict[str, Any]],
    pb2: list[dict[str, Any]],
    seed: int,
    limit: int,
) -> None:
    with tempfile.TemporaryDirectory() as tmp, NodeFactory(Path(tmp), store_url_factory) as make:
        fr = make("fr")
        # the partners only lend their keys and party ids: their stores stay on SQLite
        a, b = (make(p, url=f"sqlite:///{tmp}/{p}.db") for p in ("pa", "pb"))
        records = _records(fr.party_id, seed, 12)
        assert ingest_objects(fr, records, source="t").ok
        tokens = {}
        for p in (a, b):
            add_partner(fr, p.config.party, "http://x/api/", public_key=p.key.public_key_b64)
            tokens[p.config.party] = issue_token(fr, p.config.party)
        set_policy(fr, _toml("pa", pa) + _toml("pb", pb))
        node_policies(fr)  # valid
        materialise_releases(fr)
        truth = {(r["id"], r["modified"]): r for r in records}
        _check(fr, tokens, {"pa": pa, "pb": pb}, truth, limit)
        # new versions of half the records, then other policies: every version
        # served must follow the new ones (withdrawn, re-rendered, delayed)
        newer = [r | {"modified": "2016-02-01T00:00:00.000Z"} for r in records[::2]]
        assert ingest_objects(fr, newer, source="t").ok
        materialise_releases(fr)
        truth |= {(r["id"], r["modified"]): r for r in newer}
        set_policy(fr, _toml("pa", pa2) + _toml("pb", pb2))
        materialise_releases(fr)
        _check(fr, tokens, {"pa": pa2, "pb": pb2}, truth, limit)
