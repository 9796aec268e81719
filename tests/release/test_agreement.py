"""``explain``, ``withheld`` and the materialised table agree on every record and
every version, for random policies and random stores — after releases under one
policy, a change to another (re-decision), new versions, revocations, delays that
end, own and spoofed designations, records received from a partner — on both
backends. The table is built by history (incremental runs, re-decisions); the
explanation is computed afresh: they must say the same."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.crypto import strip_signature, verify_attached
from liaison.exchange import add_partner
from liaison.ingest import ingest_objects
from liaison.node import Node, SteppingClock, audit_report
from liaison.policy import ONWARD_RELEASE_MARKING_ID
from liaison.records import format_timestamp
from liaison.records.examples import example_objects
from liaison.release import decide_version, explain_release, materialise_releases, release_state
from liaison.release import withheld as withheld_of
from liaison.store import Query
from tests.exchange.conftest import set_policy
from tests.nodes import T0, NodeFactory
from tests.release.conftest import table

DAY = 86_400_000
PARTNERS = ("pa", "pb")
SPOOFER = "identity--00000000-0000-4000-8000-0000000000aa"

rule = st.fixed_dictionaries(
    {
        "kinds": st.lists(
            st.sampled_from(["location", "strike-report"]), min_size=1, max_size=2, unique=True
        ),
        "coarsen_m": st.sampled_from([None, 1000, 10_000, 50_000]),
        "drop": st.booleans(),
        "delay": st.sampled_from([None, None, "7d", "1000d"]),
        "designated": st.booleans(),
        "north_of": st.sampled_from([None, 34.5]),
    }
)
section = st.one_of(st.none(), st.lists(rule, min_size=0, max_size=3))
policy = st.fixed_dictionaries({p: section for p in PARTNERS})
record = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["location", "strike"]),
        "lat": st.sampled_from([33.0, 35.5, 36.0]),
        "age_days": st.sampled_from([1, 30]),
        "versions": st.integers(1, 3),
        "revoke": st.booleans(),
        "late": st.booleans(),  # stored after the first release
        "from_pa": st.sampled_from([None, "plain", "onward"]),
    }
)


def _toml(pol: dict[str, Any]) -> str:
    out = []
    for partner, rules in pol.items():
        if rules is None:
            continue
        out.append(f"[partners.{partner}]")
        for i, r in enumerate(rules):
            out += [f"[[partners.{partner}.rules]]", f'name = "r{i}"']
            out.append("kinds = [" + ", ".join(f'"{k}"' for k in r["kinds"]) + "]")
            if r["coarsen_m"] is not None:
                out.append(f"coarsen_m = {r['coarsen_m']}")
            if r["drop"] and r["kinds"] == ["strike-report"]:
                out.append('drop_fields = ["target_description"]')
            if r["delay"] is not None:
                out.append(f'delay = "{r["delay"]}"')
            if r["designated"]:
                out.append('designation = ["terrorist"]')
            if r["north_of"] is not None:
                out.append(f"area = {{ bbox = [{r['north_of']}, 30.0, 40.0, 45.0] }}")
    return "\n".join(out) + "\n"


def _versions(fr: Node, n: int, spec: dict[str, Any], group: str) -> list[dict[str, Any]]:
    """The versions of one generated record, oldest first."""
    ex = {o["type"]: o for o in example_objects(fr.party_id)}
    uid = f"00000000-0000-4000-8000-{n:012d}"
    t = T0 - spec["age_days"] * DAY
    if spec["kind"] == "location":
        base = ex["location"] | {"id": f"location--{uid}", "latitude": spec["lat"]}
    else:
        base = ex["liaison-strike-report"] | {
            "id": f"liaison-strike-report--{uid}",
            "latitude": spec["lat"],
            "target_group_ref": group,
            "time_start": format_timestamp(t - 3_600_000),
            "time_end": format_timestamp(t),
        }
    if spec["from_pa"] is not None:
        base = base | {"created_by_ref": SPOOFER}
        base.pop("party_ref", None)
        if spec["kind"] == "strike":
            base["party_ref"] = SPOOFER
        if spec["from_pa"] == "onward":
            base["object_marking_refs"] = [ONWARD_RELEASE_MARKING_ID]
    out = []
    for i in range(spec["versions"]):
        out.append(base | {"modified": f"2016-0{i + 2}-01T00:00:00.000Z", "precision": 10 + i})
    if spec["revoke"]:
        out.append(out[-1] | {"modified": "2016-03-15T00:00:00.000Z", "revoked": True})
    return out


def _store(fr: Node, specs: list[dict[str, Any]], group: str, late: bool) -> None:
    own: list[dict[str, Any]] = []
    received: list[dict[str, Any]] = []
    for n, spec in enumerate(specs):
        if spec["late"] != late:
            continue
        versions = _versions(fr, n, spec, group)
        (received if spec["from_pa"] else own).extend(versions)
    for objs, sender in ((own, None), (received, "pa")):
        for obj in objs:  # one version at a time: older ones first
            assert ingest_objects(fr, [obj], source="t", received_from=sender).ok


def _check(fr: Node) -> None:
    """The table, ``explain`` and ``withheld`` say the same for every version."""
    state = release_state(fr)
    everything = list(fr.store.query(Query(latest_only=False)))
    history: dict[str, list[Any]] = {}
    for v in everything:
        history.setdefault(v.index.id, []).append((v, orjson.loads(v.body)))
    for versions in history.values():
        versions.sort(key=lambda item: item[0].index.modified)
    for partner in PARTNERS:
        held = table(fr, partner)
        expected: Counter[tuple[str, str]] = Counter()
        for v in everything:
            obj = orjson.loads(v.body)
            d = decide_version(state, partner, v, obj, history[v.index.id])
            row = held.pop((v.index.id, v.index.modified), None)
            assert (row is not None) == d.released, (partner, v.index, d.reason)
            if row is not None:
                verify_attached(row, fr.public_key)
                assert strip_signature(row) == d.obj
            why = explain_release(fr, v, partner)
            assert why.explanation.released == d.released
            assert why.explanation.decision.reason == d.reason
            assert (why.served is not None) == d.released
            current = v.latest and not v.index.revoked and v.received_from != partner
            if current and not d.released:
                expected[(v.index.kind, d.reason)] += 1
        assert held == {}, f"{partner} is served versions the store does not hold: {held}"
        got = Counter({(w.kind, w.reason): w.count for w in withheld_of(fr, partner)})
        assert got == expected


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    first=policy,
    second=policy,
    specs=st.lists(record, min_size=1, max_size=7),
    own_status=st.sampled_from([None, "terrorist", "armed-opposition"]),
    changed_status=st.sampled_from([None, "terrorist", "armed-opposition"]),
    later=st.booleans(),
)
def test_table_explain_and_withheld_agree(
    store_url_factory: Callable[[], str],
    first: dict[str, Any],
    second: dict[str, Any],
    specs: list[dict[str, Any]],
    own_status: str | None,
    changed_status: str | None,
    later: bool,
) -> None:
    with tempfile.TemporaryDirectory() as tmp, NodeFactory(Path(tmp), store_url_factory) as make:
        fr = make("fr")
        for name in PARTNERS:
            add_partner(fr, name, "http://127.0.0.1:1/api/", public_key=None, unsigned=True)
        ex = {o["type"]: o for o in example_objects(fr.party_id)}
        group = ex["threat-actor"]
        designation = ex["liaison-designation"] | {"group_ref": group["id"]}
        objs = [group] + ([designation | {"status": own_status}] if own_status else [])
        assert ingest_objects(fr, objs, source="t").ok
        spoof = designation | {
            "id": "liaison-designation--00000000-0000-4000-8000-00000000beef",
            "created_by_ref": SPOOFER,
            "status": "terrorist",
            "since": "2016-01-01T00:00:00.000Z",
        }
        assert ingest_objects(fr, [spoof], source="t", received_from="pa").ok
        _store(fr, specs, group["id"], late=False)
        set_policy(fr, _toml(first))
        materialise_releases(fr)
        _check(fr)
        _store(fr, specs, group["id"], late=True)
        if changed_status:
            when = "2016-02-01T00:00:00.000Z"
            newer = designation | {"status": changed_status, "since": when, "modified": when}
            assert ingest_objects(fr, [newer], source="t").ok
        set_policy(fr, _toml(second))
        materialise_releases(fr)
        _check(fr)
        if later:  # the 7-day delays end; the 1000-day ones do not
            fr.clock = SteppingClock(T0 + 10 * DAY, 1000)
            materialise_releases(fr)
            _check(fr)
        assert audit_report(fr).ok
