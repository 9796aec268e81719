"""decide / explain / revocation on real example objects."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.policy import (
    ONWARD_RELEASE_MARKING_ID,
    Decision,
    Policies,
    decide,
    explain,
    load_policies,
    onward_release_marking,
    revocation,
)
from liaison.records import (
    EXT_SIGNATURE,
    LIAISON_NAMESPACE,
    format_timestamp,
    index_of,
    parse_record,
    timestamp_ms,
)

from .strategies import GROUPS, TEMPLATES

NOW = timestamp_ms("2016-02-01T00:00:00Z")
GROUP = TEMPLATES["group"]["id"]


def _decide(
    policies: Policies,
    obj: dict[str, Any],
    *,
    partner: str = "ru",
    now_ms: int = NOW,
    own: bool = True,
    designation: str | None = "terrorist",
) -> Decision:
    return decide(
        policies,
        partner,
        obj,
        index_of(parse_record(obj)),
        now_ms=now_ms,
        originator_is_self=own,
        designation_of=lambda g: designation,
    )


def _policies(*rules: dict[str, Any]) -> Policies:
    return load_policies({"partners": {"ru": {"rules": list(rules)}}})


def test_default_deny() -> None:
    empty = load_policies({})
    no_rules = _policies()
    for obj in TEMPLATES.values():
        assert not _decide(empty, obj).released
        assert not _decide(no_rules, obj).released
    assert _decide(empty, TEMPLATES["event"]).reason == "no policy for partner 'ru' (default deny)"
    assert "has no rules" in _decide(no_rules, TEMPLATES["event"]).reason


def test_only_selected_kinds_go_and_person_never() -> None:
    policies = _policies({"name": "all"})
    for kind, obj in TEMPLATES.items():
        d = _decide(policies, obj)
        assert d.released is (kind != "person"), kind
    person = _decide(policies, TEMPLATES["person"])
    assert person.reason == "person records are local only and are never released"
    events = _policies({"kinds": ["event"]})
    d = _decide(events, TEMPLATES["strike-report"])
    assert d.reason == "no rule of partner 'ru' selects kind 'strike-report'"


def test_first_match_wins() -> None:
    policies = _policies(
        {"name": "coarse", "kinds": ["strike-report"], "coarsen_m": 10_000},
        {"name": "exact", "kinds": ["strike-report"]},
    )
    d = _decide(policies, TEMPLATES["strike-report"])
    assert d.released and d.rule == "coarse"
    assert d.obj is not None and d.obj["precision"] >= 10_000
    swapped = _policies(
        {"name": "exact", "kinds": ["strike-report"]},
        {"name": "coarse", "kinds": ["strike-report"], "coarsen_m": 10_000},
    )
    d = _decide(swapped, TEMPLATES["strike-report"])
    assert d.rule == "exact" and d.obj == TEMPLATES["strike-report"]


def test_selectors() -> None:
    strike = TEMPLATES["strike-report"]
    assert _decide(_policies({"groups": [GROUP]}), strike).released
    assert not _decide(_policies({"groups": [GROUPS[0]]}), strike).released
    assert _decide(_policies({"designation": ["terrorist"]}), strike).released
    assert not _decide(_policies({"designation": ["terrorist"]}), strike, designation=None).released
    assert _decide(_policies({"designation": ["none"]}), strike, designation=None).released
    assert _decide(_policies({"area": {"bbox": [35, 38, 37, 40]}}), strike).released
    assert not _decide(_policies({"area": {"bbox": [30, 38, 35, 40]}}), strike).released
    assert _decide(_policies({"area": {"bbox": [35, 170, 37, 40]}}), strike).released  # wraps
    assert _decide(_policies({"area": {"near": [36.0, 39.0, 10]}}), strike).released
    assert not _decide(_policies({"area": {"near": [36.5, 39.0, 10]}}), strike).released
    assert _decide(_policies({"area": {"cells": ["832daafffffffff"]}}), strike).released
    assert not _decide(_policies({"area": {"cells": ["832daefffffffff"]}}), strike).released
    assert _decide(_policies({"since": "2016-01-12", "until": "2016-01-12"}), strike).released
    assert not _decide(_policies({"until": "2016-01-11"}), strike).released
    assert not _decide(_policies({"since": "2016-01-13"}), strike).released
    assert _decide(_policies({"markings": [strike["object_marking_refs"][0]]}), strike).released
    assert not _decide(_policies({"markings": [ONWARD_RELEASE_MARKING_ID]}), strike).released
    # a group record is its own group; a party has no group, point or time
    party = TEMPLATES["party"]
    assert _decide(_policies({"groups": [GROUP]}), TEMPLATES["group"]).released
    for rule in ({"groups": [GROUP]}, {"area": {"near": [0, 0, 1]}}, {"since": "2000-01-01"}):
        assert not _decide(_policies(rule), party).released


def test_received_records_need_the_onward_marking() -> None:
    policies = _policies({"name": "x", "kinds": ["strike-report"]})
    strike = TEMPLATES["strike-report"]
    d = _decide(policies, strike, own=False)
    assert not d.released and d.rule == "x"
    assert d.reason == (
        "rule 'x' matches but the record was received from another party and carries "
        "no onward-release marking"
    )
    marked = strike | {"object_marking_refs": [ONWARD_RELEASE_MARKING_ID]}
    assert _decide(policies, marked, own=False).released
    assert _decide(policies, strike, own=True).released


def test_allow_onward_marks_the_released_object() -> None:
    d = _decide(_policies({"allow_onward": True}), TEMPLATES["event"])
    assert d.obj is not None and d.obj["object_marking_refs"] == [ONWARD_RELEASE_MARKING_ID]


def test_delay_counts_from_the_end_of_the_time_window() -> None:
    strike = TEMPLATES["strike-report"]
    end = timestamp_ms(strike["time_end"])
    policies = _policies({"name": "late", "delay": "24h"})
    at = end + 86_400_000
    held = _decide(policies, strike, now_ms=at - 1)
    assert not held.released and held.obj is None
    assert held.release_at_ms == at and held.rule == "late"
    assert held.reason == f"rule 'late' matches; delayed until {format_timestamp(at)}"
    go = _decide(policies, strike, now_ms=at)
    assert go.released and go.release_at_ms == at
    # no time window: from modified; open-ended designation: from since
    group = _decide(policies, TEMPLATES["group"], now_ms=0)
    assert group.release_at_ms == timestamp_ms(TEMPLATES["group"]["modified"]) + 86_400_000
    designation = _decide(policies, TEMPLATES["designation"], now_ms=0)
    assert designation.release_at_ms == timestamp_ms(TEMPLATES["designation"]["since"]) + 86_400_000


def test_decide_never_modifies_its_input_and_drops_the_signature() -> None:
    sig = {"extension_type": "property-extension", "alg": "a", "key_id": "k", "signature": "s"}
    obj = TEMPLATES["strike-report"]
    signed = obj | {"extensions": obj["extensions"] | {EXT_SIGNATURE: sig}}
    d = _decide(_policies({}), signed)
    assert d.obj == obj
    assert EXT_SIGNATURE in signed["extensions"]


def test_explain_names_the_rule_or_says_why_not() -> None:
    policies = _policies(
        {"name": "events", "kinds": ["event"]},
        {"name": "far", "kinds": ["strike-report"], "area": {"near": [0, 0, 1]}},
        {"name": "strikes", "kinds": ["strike-report"], "coarsen_m": 5000},
    )
    strike = TEMPLATES["strike-report"]
    idx = index_of(parse_record(strike))
    e = explain(
        policies,
        "ru",
        strike,
        idx,
        now_ms=NOW,
        originator_is_self=True,
        designation_of=lambda g: None,
    )
    assert e.released and e.decision.rule == "strikes"
    text = str(e)
    assert text.startswith(f"{strike['id']} to ru: released by rule 'strikes'")
    assert "rule 'events': kind 'strike-report' is not selected" in text
    assert "rule 'far': the point (35.9521, 39.0113) is outside the area" in text
    assert "as released:" in text and '"precision": ' in text
    harm = TEMPLATES["harm-allegation"]
    e = explain(
        policies,
        "ru",
        harm,
        index_of(parse_record(harm)),
        now_ms=NOW,
        originator_is_self=True,
        designation_of=lambda g: None,
    )
    assert not e.released
    assert "no rule of partner 'ru' selects kind 'harm-allegation'" in str(e)
    assert "as released" not in str(e)
    mixed = _policies({"name": "far", "area": {"near": [0, 0, 1]}})
    d = _decide(mixed, strike)
    assert d.reason.startswith("no rule of partner 'ru' matches: rule 'far': the point")


def test_revocation_reveals_nothing_new() -> None:
    policies = _policies({"coarsen_m": 10_000, "strip_sources": True})
    event = TEMPLATES["event"]
    released = _decide(policies, event).obj
    assert released is not None
    revoked = event | {"revoked": True, "modified": "2016-01-20T00:00:00.000Z"}
    notice = revocation(released, revoked)
    parse_record(notice)
    assert notice == released | {"revoked": True, "modified": "2016-01-20T00:00:00.000Z"}
    with pytest.raises(ValueError, match="not a version"):
        revocation(released, TEMPLATES["strike-report"])
    # the revoked version through the same rule stays revoked and transformed
    again = _decide(policies, revoked)
    assert again.obj is not None and again.obj["revoked"] is True
    assert again.obj["latitude"] == released["latitude"]


def test_onward_marking_definition_is_deterministic() -> None:
    import uuid

    marking = onward_release_marking()
    expected = uuid.uuid5(LIAISON_NAMESPACE, "liaison/marking/onward-release")
    assert f"marking-definition--{expected}" == ONWARD_RELEASE_MARKING_ID
    assert marking["id"] == ONWARD_RELEASE_MARKING_ID
    assert marking["definition_type"] == "statement"
    assert marking["name"] == "liaison onward release permitted"
    marking["name"] = "changed"
    assert onward_release_marking()["name"] == "liaison onward release permitted"
