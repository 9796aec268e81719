"""The entitlement rule (what a partner may assert), as a pure function: property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from liaison.exchange._entitlement import PARTY_BOUND_TYPES, Standing, entitlement
from liaison.policy import ONWARD_RELEASE_MARKING_ID
from liaison.records import EXT_PARTY

OWN = "identity--00000000-0000-4000-8000-000000000001"
PARTNER = "identity--00000000-0000-4000-8000-000000000002"
OTHER = "identity--00000000-0000-4000-8000-000000000003"  # another registered partner
THIRD = "identity--00000000-0000-4000-8000-000000000004"  # a party this node does not sync
PARTIES = (OWN, PARTNER, OTHER, THIRD)
KEY = "A" * 43 + "="
TYPES = ("identity", "liaison-designation", "liaison-assessment", "location", "threat-actor")


def _standing(partner_party: str | None, creators: dict[str, frozenset[str]]) -> Standing:
    return Standing(OWN, "de", partner_party, KEY, {OTHER: "uk"}, creators)


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], Standing]:
    stix_type = draw(st.sampled_from(TYPES))
    if stix_type == "identity":
        oid = draw(st.sampled_from(PARTIES))
    else:
        oid = f"{stix_type}--{draw(st.uuids(version=4))}"
    obj: dict[str, Any] = {"type": stix_type, "id": oid}
    creator = draw(st.sampled_from((*PARTIES, None)))
    if creator is not None:
        obj["created_by_ref"] = creator
    if stix_type == "liaison-designation":
        obj["party_ref"] = draw(st.sampled_from(PARTIES))
    if stix_type == "identity" and draw(st.booleans()):
        key = draw(st.sampled_from((KEY, "B" * 43 + "=")))
        obj["extensions"] = {EXT_PARTY: {"extension_type": "property-extension", "public_key": key}}
    if draw(st.booleans()):
        obj["object_marking_refs"] = [ONWARD_RELEASE_MARKING_ID]
    held = draw(st.sets(st.sampled_from((*PARTIES, "")), max_size=2))
    creators = {oid: frozenset(held)} if held else {}
    return obj, _standing(draw(st.sampled_from((PARTNER, None))), creators)


@given(cases())
def test_an_accepted_object_never_touches_this_node_or_speaks_for_another_party(
    case: tuple[dict[str, Any], Standing],
) -> None:
    obj, standing = case
    refusal = entitlement(obj, standing)
    if refusal is not None:
        assert refusal.field and refusal.reason
        assert (
            refusal.field in ("id", "created_by_ref", "party_ref") or "public_key" in refusal.field
        )
        return
    creator = obj.get("created_by_ref")
    held = standing.creators.get(obj["id"], frozenset())
    assert obj["id"] != OWN and OWN not in held and creator != OWN
    assert not held or (creator or "") in held  # only the creator versions an object
    assert creator != OTHER  # another partner's objects come from that partner only
    speaker = standing.partner_party or creator
    if obj["type"] in PARTY_BOUND_TYPES:
        assert creator is not None and creator == speaker
    if obj["type"] == "identity":
        assert obj["id"] == speaker
        if standing.partner_party is not None and EXT_PARTY in obj.get("extensions", {}):
            assert obj["extensions"][EXT_PARTY]["public_key"] == KEY
    if obj["type"] == "liaison-designation":
        assert obj["party_ref"] == speaker
    if creator != speaker:
        assert ONWARD_RELEASE_MARKING_ID in obj.get("object_marking_refs", ())


@given(
    st.sampled_from(TYPES),
    st.uuids(version=4),
    st.booleans(),
    st.booleans(),
)
def test_a_partners_own_objects_about_itself_are_always_accepted(
    stix_type: str, uid: Any, marked: bool, held_before: bool
) -> None:
    oid = PARTNER if stix_type == "identity" else f"{stix_type}--{uid}"
    obj: dict[str, Any] = {"type": stix_type, "id": oid, "created_by_ref": PARTNER}
    if stix_type == "liaison-designation":
        obj["party_ref"] = PARTNER
    if marked:
        obj["object_marking_refs"] = [ONWARD_RELEASE_MARKING_ID]
    creators = {oid: frozenset({PARTNER})} if held_before else {}
    assert entitlement(obj, _standing(PARTNER, creators)) is None


def test_each_refusal_names_the_field_and_the_reason() -> None:
    spoof = {
        "type": "liaison-designation",
        "id": "liaison-designation--0d1f6a52-58a7-4c3e-9a11-2f0c6a1f7e01",
        "created_by_ref": PARTNER,
        "party_ref": OWN,
    }
    r = entitlement(spoof, _standing(PARTNER, {}))
    assert r is not None and r.field == "party_ref" and OWN in r.reason
    r = entitlement({"type": "identity", "id": OWN, "created_by_ref": OWN}, _standing(PARTNER, {}))
    assert r is not None and r.field == "id" and "own identity" in r.reason
    relayed = {"type": "identity", "id": THIRD, "created_by_ref": THIRD,
               "object_marking_refs": [ONWARD_RELEASE_MARKING_ID]}  # fmt: skip
    r = entitlement(relayed, _standing(PARTNER, {}))
    assert r is not None and r.field == "created_by_ref" and "never accepted" in r.reason
    owned = {"type": "location", "id": "location--1", "created_by_ref": PARTNER}
    r = entitlement(owned, _standing(PARTNER, {"location--1": frozenset({OWN})}))
    assert r is not None and r.field == "id" and "this node created" in r.reason
    theirs = {"type": "location", "id": "location--1", "created_by_ref": PARTNER}
    r = entitlement(theirs, _standing(PARTNER, {"location--1": frozenset({THIRD})}))
    assert r is not None and "only an object's creator may version it" in r.reason
    unmarked = {"type": "location", "id": "location--2", "created_by_ref": THIRD}
    r = entitlement(unmarked, _standing(PARTNER, {}))
    assert r is not None and "onward-release marking" in r.reason
