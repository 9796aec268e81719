"""Release materialisation: delays, policy changes, revocations, audit — on both backends."""

from __future__ import annotations

import orjson
import pytest

from liaison.crypto import strip_signature, verify_attached
from liaison.exchange import materialise_releases
from liaison.ingest import ingest_objects
from liaison.node import Node, SteppingClock, audit_report
from liaison.records.examples import example_objects
from liaison.store import Selection
from tests.exchange.conftest import STRIKE_POLICY, audit_actions, pair, set_policy
from tests.nodes import T0, NodeFactory

HOUR = 3_600_000


@pytest.fixture
def fr_ru(make_node: NodeFactory) -> tuple[Node, Node]:
    return make_node("fr"), make_node("ru")


def _table(node: Node, partner: str) -> dict[str, dict]:  # type: ignore[type-arg]
    got = node.store.exchange.select_releases(partner, Selection(limit=10_000))
    return {r.id: orjson.loads(r.body) for r in got}


def test_release_rows_are_signed_transformed_and_audited(fr_ru: tuple[Node, Node]) -> None:
    fr, ru = fr_ru
    objs = [o for o in example_objects(fr.party_id) if o["type"] != "identity"]
    assert ingest_objects(fr, objs, source="t").ok
    pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    report = materialise_releases(fr)
    table = _table(fr, "ru")
    kinds = {o["type"] for o in table.values()}
    assert kinds == {"identity", "location", "liaison-strike-report"}  # nothing else, no person
    for obj in table.values():
        verify_attached(obj, fr.public_key)
    strike = next(o for o in table.values() if o["type"] == "liaison-strike-report")
    assert "target_description" not in strike and strike["precision"] >= 10_000
    assert report.released == {"ru": 3}
    releases = [d for a, s, d in audit_actions(fr) if a == "release" and s == "ru"]
    assert releases and releases[-1]["count"] == 3
    assert materialise_releases(fr).total == 0  # idempotent
    assert audit_report(fr).ok


def test_delay_then_policy_change_then_revocation(fr_ru: tuple[Node, Node]) -> None:
    fr, ru = fr_ru
    pair(fr, ru)
    strike = next(o for o in example_objects(fr.party_id) if o["type"] == "liaison-strike-report")
    from liaison.records import format_timestamp

    recent = strike | {"time_start": format_timestamp(T0), "time_end": format_timestamp(T0)}
    assert ingest_objects(fr, [recent], source="t").ok
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ndelay = "24h"\n')
    first = materialise_releases(fr)
    assert first.delayed == 1 and strike["id"] not in _table(fr, "ru")
    assert fr.store.exchange.pending_count() == 1
    fr.clock = SteppingClock(T0 + 25 * HOUR, 1000)
    assert materialise_releases(fr).released == {"ru": 1}
    assert strike["id"] in _table(fr, "ru") and fr.store.exchange.pending_count() == 0
    # policy change: strikes no longer released -> withdrawn, audited
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["location"]\n')
    changed = materialise_releases(fr)
    assert changed.policy_changed and changed.withdrawn == 1
    assert strike["id"] not in _table(fr, "ru")
    assert any(a == "policy-change" for a, _, _ in audit_actions(fr))
    # back again, then revoke: the revocation reaches ru without new content
    set_policy(
        fr, '[[partners.ru.rules]]\nkinds = ["strike-report"]\ndrop_fields = ["munitions"]\n'
    )
    materialise_releases(fr)
    before = _table(fr, "ru")[strike["id"]]
    revoked = recent | {"modified": "2016-05-01T00:00:00.000Z", "revoked": True}
    assert ingest_objects(fr, [revoked], source="t").ok
    assert materialise_releases(fr).revoked == 1
    after = _table(fr, "ru")[strike["id"]]
    assert after["revoked"] is True and after["modified"] == revoked["modified"]
    expected = strip_signature(before) | {"revoked": True, "modified": revoked["modified"]}
    assert strip_signature(after) == expected
    assert "munitions" not in after
    # no longer selected: every version of it is withdrawn, the revocation included
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["location"]\n')
    assert materialise_releases(fr).withdrawn == 2
    assert strike["id"] not in _table(fr, "ru")
    assert audit_report(fr).ok
