"""Issue 8 findings 1 (decide side), 3 and 4, and the own-identity disagreement:
each test failed on the main branch before the release room and passes after —
on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson

from liaison.exchange import (
    ServerThread,
    create_app,
    explain_release,
    materialise_releases,
    withheld,
)
from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report
from liaison.records import EXT_SIGNATURE, format_timestamp
from liaison.records.examples import example_objects
from tests.exchange.conftest import T0, pair, set_policy
from tests.release.conftest import table

LATER = "2016-03-01T00:00:00.000Z"
REVOKED = "2016-04-01T00:00:00.000Z"


def _example(node: Node, kind: str) -> dict[str, Any]:
    return next(o for o in example_objects(node.party_id) if o["type"] == kind)


def _strike(node: Node) -> dict[str, Any]:
    recent = {"time_start": format_timestamp(T0 - 3_600_000), "time_end": format_timestamp(T0)}
    return _example(node, "liaison-strike-report") | recent


def _ids(node: Node, partner: str, record_id: str) -> list[dict[str, Any]]:
    return [o for (i, _), o in sorted(table(node, partner).items()) if i == record_id]


def test_adding_a_delay_withdraws_what_is_now_held_back(nodes: Callable[[str], Node]) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    strike = _strike(fr)
    assert ingest_objects(fr, [strike], source="t").ok
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\n')
    materialise_releases(fr)
    assert len(_ids(fr, "ru", strike["id"])) == 1
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ndelay = "1000d"\n')
    report = materialise_releases(fr)
    assert report.delayed == 1 and report.withdrawn == 1
    assert _ids(fr, "ru", strike["id"]) == []  # not served while the delay runs
    assert fr.store.exchange.pending_count() == 1
    assert audit_report(fr).ok


def test_a_tighter_rule_re_renders_every_served_version(nodes: Callable[[str], Node]) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    token = fr.store.exchange.partner("ru")
    strike = _strike(fr)
    assert ingest_objects(fr, [strike], source="t").ok
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ncoarsen_m = 10000\n')
    materialise_releases(fr)
    assert ingest_objects(fr, [strike | {"modified": LATER, "munitions": 6}], source="t").ok
    materialise_releases(fr)
    assert len(_ids(fr, "ru", strike["id"])) == 2  # both versions served
    set_policy(
        fr,
        '[[partners.ru.rules]]\nkinds = ["strike-report"]\ncoarsen_m = 50000\n'
        'drop_fields = ["target_description"]\n',
    )
    materialise_releases(fr)
    served = _ids(fr, "ru", strike["id"])
    assert [o["modified"] for o in served] == [strike["modified"], LATER]
    for obj in served:  # every version, not only the latest
        assert obj["precision"] >= 50_000 and "target_description" not in obj
    # and so through the versions endpoint and match[version]=all
    assert token is not None
    from liaison.exchange import issue_token

    h = {"Authorization": f"Bearer {issue_token(fr, 'ru')}"}
    with ServerThread(create_app(fr)) as srv, httpx.Client(base_url=srv.url, headers=h) as c:
        base = f"/api/collections/{token.collection_id}"
        everything = c.get(f"{base}/objects/", params={"match[version]": "all"}).json()
        versions = c.get(f"{base}/objects/{strike['id']}/versions/").json()
        by_version = c.get(
            f"{base}/objects/{strike['id']}/", params={"match[version]": strike["modified"]}
        ).json()
    objs = [o for o in everything["objects"] if o["id"] == strike["id"]]
    assert len(objs) == 2 and versions["versions"] == [strike["modified"], LATER]
    for obj in [*objs, *by_version["objects"]]:
        assert obj["precision"] >= 50_000 and "target_description" not in obj


def test_a_revocation_is_re_rendered_and_removed_with_the_section(
    nodes: Callable[[str], Node],
) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    strike = _strike(fr)
    assert ingest_objects(fr, [strike], source="t").ok
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ncoarsen_m = 10000\n')
    materialise_releases(fr)
    assert ingest_objects(fr, [strike | {"modified": REVOKED, "revoked": True}], source="t").ok
    assert materialise_releases(fr).revoked == 1
    revocation = table(fr, "ru")[(strike["id"], REVOKED)]
    assert revocation["revoked"] is True and revocation["precision"] >= 10_000
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ncoarsen_m = 50000\n')
    materialise_releases(fr)
    for obj in _ids(fr, "ru", strike["id"]):  # the revocation too: the new, coarser view
        assert obj["precision"] >= 50_000
    set_policy(fr, '[[partners.de.rules]]\nkinds = ["location"]\n')  # ru's section removed
    report = materialise_releases(fr)
    assert report.withdrawn >= 3  # the strike's version, its revocation, the identity
    assert table(fr, "ru") == {}  # nothing at all, revocations included
    assert audit_report(fr).ok


def _designation(node: Node, group: str, status: str, by: str, modified: str) -> dict[str, Any]:
    return _example(node, "liaison-designation") | {
        "group_ref": group,
        "status": status,
        "created_by_ref": by,
        "modified": modified,
        "since": modified,
    }


DESIGNATED = '[[partners.ru.rules]]\nkinds = ["strike-report"]\ndesignation = ["terrorist"]\n'


def test_a_designation_sent_by_a_partner_never_decides(nodes: Callable[[str], Node]) -> None:
    fr, ru, de = nodes("fr"), nodes("ru"), nodes("de")
    pair(fr, ru)
    group, strike = _example(fr, "threat-actor"), _strike(fr)
    assert ingest_objects(fr, [group, strike], source="t").ok
    # de asserts that fr designates the group (party_ref = fr, created by de)
    spoof = _designation(fr, group["id"], "terrorist", de.party_id, LATER)
    spoof["id"] = "liaison-designation--00000000-0000-4000-8000-00000000beef"
    assert ingest_objects(fr, [spoof], source="de", received_from="de").ok
    set_policy(fr, DESIGNATED)
    materialise_releases(fr)
    assert _ids(fr, "ru", strike["id"]) == []
    why = explain_release(fr, fr.store.get(strike["id"]), "ru")  # type: ignore[arg-type]
    assert not why.explanation.released and "designated 'none'" in why.explanation.decision.reason


def test_a_change_of_own_designation_re_decides(nodes: Callable[[str], Node]) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    group, strike = _example(fr, "threat-actor"), _strike(fr)
    own = _designation(fr, group["id"], "terrorist", fr.party_id, LATER)
    assert ingest_objects(fr, [group, strike, own], source="t").ok
    set_policy(fr, DESIGNATED)
    materialise_releases(fr)
    assert len(_ids(fr, "ru", strike["id"])) == 1
    changed = own | {"status": "armed-opposition", "modified": REVOKED, "since": REVOKED}
    assert ingest_objects(fr, [changed], source="t").ok
    report = materialise_releases(fr)
    assert report.policy_changed and report.withdrawn == 1
    assert _ids(fr, "ru", strike["id"]) == []


def test_explain_and_withheld_agree_with_the_table_on_the_own_identity(
    nodes: Callable[[str], Node],
) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["location"]\n')
    materialise_releases(fr)
    me = fr.store.get(fr.party_id)
    assert me is not None and (fr.party_id, me.index.modified) in table(fr, "ru")
    why = explain_release(fr, me, "ru")
    assert why.explanation.released, why.explanation.decision.reason
    assert why.explanation.decision.rule == "own-identity"
    assert why.served is not None and why.served.modified == me.index.modified
    assert all(w.kind != "party" for w in withheld(fr, "ru"))


def test_a_version_of_the_own_identity_a_partner_sent_is_never_served(
    nodes: Callable[[str], Node],
) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    me = fr.store.get(fr.party_id)
    assert me is not None
    from liaison.policy import ONWARD_RELEASE_MARKING_ID

    spoof = orjson.loads(me.body) | {
        "modified": "2030-01-01T00:00:00.000Z",
        "name": "not fr",
        "object_marking_refs": [ONWARD_RELEASE_MARKING_ID],
    }
    spoof.get("extensions", {}).pop(EXT_SIGNATURE, None)
    assert ingest_objects(fr, [spoof], source="de", received_from="de").ok
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["party"]\n')
    materialise_releases(fr)
    served = _ids(fr, "ru", fr.party_id)
    assert [o["modified"] for o in served] == [me.index.modified]  # only its own version
    latest = fr.store.get(fr.party_id)
    assert latest is not None and latest.index.modified == spoof["modified"]
    why = explain_release(fr, latest, "ru")
    assert not why.explanation.released and "received from 'de'" in why.explanation.decision.reason
