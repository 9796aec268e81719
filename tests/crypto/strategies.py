"""Hypothesis strategies and sample objects shared by the crypto tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

SAFE_INT = 2**53 - 1

# Characters chosen to stress escaping and UTF-16 key ordering.
_TRICKY = st.sampled_from(
    ["\x00", "\x1f", "\x7f", '"', "\\", "/", "\u2028", "\ue000", "\uffff", "\U00010000", "😀"]
)
_CHARS = st.one_of(st.characters(blacklist_categories=("Cs",)), _TRICKY)
texts = st.text(_CHARS, max_size=12)

_SPECIAL_FLOATS = st.sampled_from(
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        100.0,
        1e-7,
        1.5e-6,
        1e-6,
        9.999e-7,
        1e20,
        1e21,
        1e22,
        1e16,
        123456789012345.6,
        2.0**53,
        2.0**60,
        5e-324,
        1.7976931348623157e308,
        0.1,
        1 / 3,
    ]
)
floats = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(2**70), 2**70).map(float),
    st.floats(min_value=1e-9, max_value=1e-4),
    st.floats(min_value=1e14, max_value=1e23),
    _SPECIAL_FLOATS,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-SAFE_INT, SAFE_INT),
    st.sampled_from([SAFE_INT, -SAFE_INT, 10**15, 9 * 10**15, -(10**15)]),
    floats,
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(texts, inner, max_size=5)),
    max_leaves=30,
)

_TS = st.datetimes().map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"
)
_UUID = st.uuids().map(str)


@st.composite
def stix_objects(draw: st.DrawFn) -> dict[str, Any]:
    """A STIX-like record: ids, timestamps, floats for coordinates, nested extensions."""
    kind = draw(st.sampled_from(["location", "sighting", "x-liaison-strike-report"]))
    obj: dict[str, Any] = {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{draw(_UUID)}",
        "created": draw(_TS),
        "modified": draw(_TS),
        "created_by_ref": f"identity--{draw(_UUID)}",
        "name": draw(texts),
        "latitude": draw(st.floats(-90, 90)),
        "longitude": draw(st.floats(-180, 180)),
        "precision": draw(st.one_of(st.floats(0, 1e6), st.integers(0, 10**6))),
        "labels": draw(st.lists(texts, max_size=3)),
        "count": draw(st.integers(0, 10**6)),
        "confidence": draw(st.integers(0, 100)),
    }
    if draw(st.booleans()):
        obj["extensions"] = {
            f"extension-definition--{draw(_UUID)}": {
                "extension_type": "property-extension",
                "grading": draw(st.sampled_from(["A1", "B2", "F6"])),
                "claimed_effect": draw(st.sampled_from(["destroyed", "damaged", "missed"])),
                "extra": draw(json_values),
            }
        }
    return obj


def sample_stix(i: int = 0) -> dict[str, Any]:
    """A realistic ~1 KB strike report (deterministic)."""
    return {
        "type": "x-liaison-strike-report",
        "spec_version": "2.1",
        "id": f"x-liaison-strike-report--6f1c3a52-{i:04x}-4d1e-9b0a-{i:012x}",
        "created": "2015-12-01T08:30:00.000Z",
        "modified": "2015-12-02T10:15:30.250Z",
        "created_by_ref": "identity--0c5f6c1e-7a7d-4b8e-a2a4-6f1f2d2b8a10",
        "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"],
        "striking_party_ref": "identity--0c5f6c1e-7a7d-4b8e-a2a4-6f1f2d2b8a10",
        "means": "air",
        "time_start": "2015-11-30T22:00:00Z",
        "time_end": "2015-12-01T04:00:00Z",
        "location_ref": f"location--2a0b1c9d-{i:04x}-4e5f-8a9b-{i:012x}",
        "latitude": 35.9528 + i * 1e-4,
        "longitude": 39.0097 - i * 1e-4,
        "precision": 250.5,
        "target_category": "oil-infrastructure",
        "target_group_ref": "threat-actor--8e2e2d2b-5c4a-4f43-9b7d-3c1f8e0a9d61",
        "strikes": 4 + i % 7,
        "munitions": 12,
        "claimed_effect": "destroyed",
        "assessment_phase": "physical",
        "description": "Night strike on a crude oil collection point south-east of Raqqa; "
        "secondary explosions observed. Tanker trucks in the vicinity: 23 (est.).",
        "source_grading": {"reliability": "B", "credibility": 2},
        "labels": ["strike", "oil", "logistics"],
        "external_references": [
            {"source_name": "mod-release", "external_id": f"MR-2015-{i:05d}"},
        ],
    }
