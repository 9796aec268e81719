"""A hostile partner against the node under test, on SQLite and PostgreSQL.

As a server the node syncs from (``hostile.HostileServer``, real HTTP): spoofed
designations and identities, objects claiming another party's ``created_by_ref``,
versions of the node's own objects, replayed envelopes, malformed and oversized
pages. As a client of the node's TAXII server: every endpoint, with ``match[...]``
filters, forged ``next`` tokens, odd ``added_after``, writes. Each time nothing of
the node's own changes and every refusal is in its audit log.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from liaison.crypto import sign_objects
from liaison.exchange import (
    ServerThread,
    add_partner,
    create_app,
    issue_token,
    save_credential,
    sync_partner,
)
from liaison.exchange._client import TaxiiClient
from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report
from liaison.policy import ONWARD_RELEASE_MARKING_ID
from liaison.records.examples import example_objects
from liaison.release import own_designations
from liaison.store import Query, Selection
from tests.exchange.conftest import audit_actions, release, set_policy
from tests.exchange.hostile import Answer, HostileServer, envelope, hostile_server
from tests.nodes import NodeFactory

THIRD = "identity--5b0c1f0e-3b8e-4d59-a1a4-9f1d7a0c2e11"  # a party this node does not sync
LATER = "2016-06-01T00:00:00.000Z"
MARK = {"object_marking_refs": [ONWARD_RELEASE_MARKING_ID]}


def _fresh(stix_type: str) -> str:
    return f"{stix_type}--{uuid.uuid4()}"


class World:
    """fr (the node under test, holding its own records), the hostile partner de
    (a key and a party, behind a scripted server) and an honest partner uk."""

    def __init__(self, nodes: Callable[..., Node], server: HostileServer) -> None:
        self.fr, self.de, self.uk = nodes("fr"), nodes("de", 5), nodes("uk", 9)
        self.server = server
        self.mine = {o["type"]: o for o in example_objects(self.fr.party_id)}
        own = [o for t, o in self.mine.items() if t != "identity"]
        assert ingest_objects(self.fr, own, source="t").ok
        add_partner(self.fr, "de", server.collection_url, public_key=self.de.key.public_key_b64)
        save_credential(self.fr, "de", "token-of-fr-at-de")
        add_partner(self.fr, "uk", "http://127.0.0.1:1/api/", public_key=self.uk.key.public_key_b64)
        self.fr.store.exchange.set_party_id("uk", self.uk.party_id)
        self.theirs = {o["type"]: o for o in example_objects(self.de.party_id)}
        stored = self.de.store.get(self.de.party_id)
        assert stored is not None
        self.identity = orjson.loads(stored.body)  # de's own identity, names its key

    def signed(self, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sign_objects(self.de.key, [self.identity, *objects])

    def serve(self, *pages: Answer) -> None:
        self.server.pages[:] = list(pages)

    def snapshot(self) -> list[tuple[Any, ...]]:
        """Every stored version not received from de, and fr's designation of its group."""
        every = self.fr.store.query(Query(latest_only=False))
        kept = sorted((v.index.id, v.index.modified, v.digest, v.received_from)
                      for v in every if v.received_from != "de")  # fmt: skip
        group = self.mine["threat-actor"]["id"]
        return [*kept, ("designation", own_designations(self.fr).get(group))]

    def refusals(self) -> dict[str, dict[str, Any]]:
        return {d["id"]: d for a, s, d in audit_actions(self.fr) if a == "refuse" and s == "de"}


@pytest.fixture
def world(make_node: NodeFactory) -> Iterator[World]:
    """The world on the backend under test (every node on it)."""
    with hostile_server() as server:
        yield World(make_node, server)


def test_spoofed_objects_are_refused_one_by_one_and_the_rest_accepted(world: World) -> None:
    fr, de, uk, mine, theirs = world.fr, world.de, world.uk, world.mine, world.theirs
    before = world.snapshot()
    spoofs = {  # object -> the field its refusal names
        "designation in fr's name": (
            theirs["liaison-designation"]
            | {"id": _fresh("liaison-designation"), "party_ref": fr.party_id, "status": "other"},
            "party_ref",
        ),
        "fr's identity, rewritten": (
            mine["identity"] | MARK | {"modified": LATER, "name": "fr (by de)"},
            "id",
        ),
        "uk's identity, by de": (theirs["identity"] | {"id": uk.party_id}, "id"),
        "uk's object, relayed": (
            theirs["location"] | MARK | {"id": _fresh("location"), "created_by_ref": uk.party_id},
            "created_by_ref",
        ),
        "an object in fr's name": (
            theirs["liaison-strike-report"]
            | {"id": _fresh("liaison-strike-report"), "created_by_ref": fr.party_id},
            "created_by_ref",
        ),
        "a version of fr's location": (
            mine["location"] | {"modified": LATER, "created_by_ref": de.party_id},
            "id",
        ),
        "a third party's assessment, marked": (
            example_objects(THIRD)[-1] | MARK,
            "created_by_ref",
        ),
        "a third party's designation, marked": (
            theirs["liaison-designation"]
            | MARK
            | {"id": _fresh("liaison-designation"), "created_by_ref": THIRD, "party_ref": THIRD},
            "created_by_ref",
        ),
    }
    assert example_objects(THIRD)[-1]["type"] == "liaison-assessment"
    relayed = example_objects(THIRD)[3] | MARK  # a third party's location, passed on
    assert relayed["type"] == "location"
    honest = [theirs["liaison-designation"], theirs["location"], theirs["threat-actor"], relayed]
    bad = [o for o, _ in spoofs.values()]
    world.serve(envelope(world.signed([*bad[:4], *honest, *bad[4:]])))
    report = sync_partner(fr, "de")
    assert report.error is None
    assert (report.refused, report.not_entitled) == (len(spoofs), len(spoofs))
    assert report.accepted == 1 + len(honest)  # de's identity and its own records
    assert world.snapshot() == before
    refusals = world.refusals()
    for what, (obj, fld) in spoofs.items():
        assert refusals[obj["id"]]["field"] == fld, what
        assert refusals[obj["id"]]["reason"].startswith("not entitled: "), what
    for obj in honest:
        stored = fr.store.get(obj["id"])
        assert stored is not None and stored.received_from == "de"
    assert audit_report(fr).ok


@pytest.mark.parametrize("whose", ["fr", "uk"])
def test_a_partner_cannot_take_another_partys_id_as_its_own(world: World, whose: str) -> None:
    fr, de = world.fr, world.de
    taken = fr.party_id if whose == "fr" else world.uk.party_id
    claim = world.identity | {"id": taken, "created_by_ref": taken, "modified": LATER}
    mine = world.theirs["location"] | {"created_by_ref": taken}
    before = world.snapshot()
    world.serve(envelope(sign_objects(de.key, [claim, mine])))
    report = sync_partner(fr, "de")
    assert report.accepted == 0 and report.refused == 2
    partner = fr.store.exchange.partner("de")
    assert partner is not None and partner.party_id is None
    assert world.snapshot() == before
    assert "is not known yet" in world.refusals()[mine["id"]]["reason"]
    assert audit_report(fr).ok


def test_replayed_envelopes_and_other_keys_signatures_are_refused(world: World) -> None:
    fr, theirs = world.fr, world.theirs
    newer = theirs["location"] | {"modified": LATER, "precision": 20_000}
    first = world.signed([newer])
    world.serve(envelope(first))
    assert sync_partner(fr, "de").accepted == 2
    # fr releases its own records to de; de serves fr's own signed envelopes back
    set_policy(fr, '[[partners.de.rules]]\nname = "all"\nkinds = ["location", "strike-report"]\n')
    release(fr)
    served = fr.store.exchange.select_releases("de", Selection(limit=100))
    fr_signed = [orjson.loads(r.body) for r in served if r.type != "identity"]
    assert fr_signed
    before = world.snapshot()
    old = world.signed([theirs["location"]])[1]  # an older version, validly signed by de
    world.serve(envelope([*first, old, *fr_signed], added="2016-07-01T00:00:00.000000Z"))
    report = sync_partner(fr, "de")
    assert report.error is None
    assert report.unchanged == 2 and report.refused == 1 + len(fr_signed)
    assert world.snapshot() == before
    reasons = {i: d["reason"] for i, d in world.refusals().items()}
    assert "replayed older version" in reasons[old["id"]]
    for obj in fr_signed:
        assert "unknown-key" in reasons[obj["id"]]
    assert audit_report(fr).ok


def test_a_garbled_date_added_header_never_becomes_the_cursor(world: World) -> None:
    world.serve(envelope(world.signed([world.theirs["location"]]), added="'; DROP TABLE x"))
    report = sync_partner(world.fr, "de")
    assert report.error is None and report.accepted == 2
    cursor = world.fr.store.exchange.cursor("de")
    assert cursor is not None and cursor.added_after is None
    assert world.server.requests[-1].get("added_after") is None


def _garbage(world: World) -> list[Any]:
    huge = "location--" + "9" * 200_000
    return [1, "x", None, [], {"type": "location"}, world.theirs["location"] | {"id": huge}]


@pytest.mark.parametrize(
    "case",
    ["not json", "not an envelope", "objects not a list", "over the limit", "empty but more",
     "the same page for ever", "server error", "oversized answer", "garbled next",
     "trickled answer", "oversized, streamed"],
)  # fmt: skip
def test_malformed_and_oversized_pages_stop_the_sync_and_change_nothing(
    world: World, case: str
) -> None:
    fr = world.fr
    page = world.signed([world.theirs["location"]])
    answers = {
        "not json": Answer(b"<html>hello</html>"),
        "not an envelope": Answer(b"[1, 2, 3]"),
        "objects not a list": Answer(b'{"objects": {"a": 1}, "more": false}'),
        "over the limit": envelope(world.signed([world.theirs["location"]] * 12)),
        "empty but more": envelope([], more=True, next_token="1"),
        "the same page for ever": envelope(page, more=True, next_token="x"),
        "server error": Answer(b"boom", status=500),
        "oversized answer": Answer(b'{"objects": ["' + b"a" * 300_000 + b'"]}'),
        "garbled next": Answer(orjson.dumps({"objects": page, "more": True, "next": ["1"]})),
        "trickled answer": Answer(orjson.dumps({"objects": page}), trickle_s=0.1),
        "oversized, streamed": Answer(b'{"objects": ["' + b"a" * 300_000 + b'"]}', trickle_s=0.001),
    }
    world.serve(answers[case])
    before, cursor = world.snapshot(), fr.store.exchange.cursor("de")
    client = TaxiiClient(world.server.url + "/api/", max_answer_bytes=100_000,
                         answer_deadline_s=0.5)  # fmt: skip
    try:
        report = sync_partner(fr, "de", limit=10, client=client)
    finally:
        client.close()
    assert report.error
    why = {"trickled answer": "took more than 0.5 s", "oversized answer": "over 100000",
           "oversized, streamed": "exceeds 100000 bytes",
           "over the limit": "13 objects for a limit of 10", "empty but more": "empty page",
           "the same page for ever": "same page", "garbled next": "'next'"}  # fmt: skip
    assert why.get(case, "") in report.error
    assert world.snapshot() == before
    if case != "the same page for ever":  # that one stores its first (valid) page once
        assert fr.store.exchange.cursor("de") == cursor
    errors = [d["error"] for a, s, d in audit_actions(fr) if a == "sync-error" and s == "de"]
    assert errors == [report.error]
    assert len(world.server.requests) <= 4  # no loop
    assert audit_report(fr).ok


def test_garbage_objects_are_refused_and_audited_in_bounded_size(world: World) -> None:
    fr = world.fr
    before = world.snapshot()
    world.serve(envelope([*world.signed([]), *_garbage(world)]))
    report = sync_partner(fr, "de")
    assert report.error is None and report.refused == len(_garbage(world))
    assert world.snapshot() == before
    entries = [d for a, s, d in audit_actions(fr) if a == "refuse" and s == "de"]
    assert len(entries) == report.refused
    assert all(len(orjson.dumps(d)) < 2_000 for d in entries)
    assert audit_report(fr).ok


_PROBE_POLICY = """
[[partners.de.rules]]
name = "loc"
kinds = ["location"]
[[partners.uk.rules]]
name = "all"
kinds = ["strike-report", "designation"]
"""


def test_a_flood_of_refusals_is_audited_without_flooding_the_log(world: World) -> None:
    flood = [{"type": "location", "id": f"location--{uuid.uuid4()}"} for _ in range(250)]
    world.serve(envelope([*world.signed([]), *flood]))
    report = sync_partner(world.fr, "de", limit=1000)
    assert report.refused == 250
    entries = [d for a, s, d in audit_actions(world.fr) if a == "refuse" and s == "de"]
    listed = [d for d in entries if d["id"]]
    assert len(listed) == 100 and {d["id"] for d in listed} <= {o["id"] for o in flood}
    (summary,) = [d for d in entries if not d["id"]]
    assert summary["count"] == 150 and "150 more objects" in summary["reason"]
    sync = [d for a, s, d in audit_actions(world.fr) if a == "sync" and s == "de"]
    assert sync[-1]["refused"] == 250


def test_a_hostile_client_probes_every_endpoint_and_changes_nothing(world: World) -> None:
    fr = world.fr
    token = issue_token(fr, "de")
    set_policy(fr, _PROBE_POLICY)
    release(fr)
    mine = {r.id for r in fr.store.exchange.select_releases("de", Selection(limit=100))}
    theirs = fr.store.exchange.partner("uk")
    ours = fr.store.exchange.partner("de")
    assert theirs is not None and ours is not None
    before = world.snapshot()
    tables = {p: fr.store.exchange.select_releases(p, Selection(limit=100)) for p in ("de", "uk")}
    secret = world.mine["liaison-strike-report"]["id"]
    col, other = (
        f"/api/collections/{ours.collection_id}/",
        f"/api/collections/{theirs.collection_id}/",
    )
    probes: list[tuple[str, str, dict[str, str], int]] = [
        ("GET", "/taxii2/", {}, 200),
        ("GET", "/api/", {}, 200),
        ("GET", "/api/collections/", {}, 200),
        ("GET", col, {}, 200),
        ("GET", other, {}, 404),
        ("GET", other + "objects/", {}, 404),
        ("GET", other + "manifest/", {}, 404),
        ("GET", col + "objects/", {"match[id]": secret}, 200),
        ("GET", col + "objects/", {"match[type]": "liaison-strike-report,identity"}, 200),
        ("GET", col + "objects/", {"match[version]": "all"}, 200),
        ("GET", col + "objects/", {"match[version]": "first,last,2016-01-01T00:00:00.000Z"}, 200),
        ("GET", col + "objects/", {"match[spec_version]": "2.0"}, 200),
        ("GET", col + "objects/", {"added_after": "yesterday"}, 400),
        ("GET", col + "objects/", {"added_after": "1970-01-01T00:00:00Z"}, 200),
        ("GET", col + "objects/", {"next": "1' OR '1'='1"}, 400),
        ("GET", col + "objects/", {"next": "-5"}, 400),
        ("GET", col + "objects/", {"next": "99999999999999999999999"}, 400),
        ("GET", col + "objects/", {"limit": "100000000"}, 200),
        ("GET", col + "objects/", {"limit": "-1"}, 400),
        ("GET", col + f"objects/{secret}/", {}, 404),
        ("GET", col + f"objects/{secret}/versions/", {}, 404),
        ("GET", col + f"objects/{fr.party_id}/versions/", {}, 200),
        ("GET", col + "manifest/", {"match[id]": secret}, 200),
        ("GET", "/api/status/x/", {}, 404),
        ("POST", col + "objects/", {}, 403),
        ("DELETE", col + f"objects/{next(iter(mine))}/", {}, 403),
        ("GET", "/api/collections/../../etc/passwd", {}, 404),
    ]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/taxii+json;version=2.1"}
    seen: set[str] = set()
    with ServerThread(create_app(fr)) as srv, httpx.Client(base_url=srv.url) as http:
        for method, path, params, status in probes:
            body, sent = None, headers
            if method == "POST":  # a well-formed TAXII write: still refused
                body = orjson.dumps({"objects": world.signed([world.theirs["location"]])})
                sent = headers | {"Content-Type": "application/taxii+json;version=2.1"}
            resp = http.request(method, path, params=params, headers=sent, content=body)
            assert resp.status_code == status, (method, path, params, resp.text)
            if resp.status_code == 200 and resp.content:
                answer = resp.json()
                seen.update(str(o.get("id")) for o in answer.get("objects", []))
                assert theirs.collection_id not in resp.text
    assert seen and seen <= mine  # de's own table only (fr's identity is in it)
    assert secret not in seen
    assert world.snapshot() == before
    after = {p: fr.store.exchange.select_releases(p, Selection(limit=100)) for p in ("de", "uk")}
    assert after == tables
    assert audit_report(fr).ok
