"""Invalid records give a RecordError naming the object id and the field, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.records import (
    EXT_PARTY,
    EXT_PRESENCE,
    EXT_STRIKE_REPORT,
    RecordError,
    kind_of,
    parse_record,
    to_stix,
)
from liaison.records.examples import example_objects

from .conftest import PARTY_ID

EXAMPLES = {kind_of(o): o for o in example_objects(PARTY_ID)}


def _without(obj: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != key}


def _presence_ext(**changes: Any) -> dict[str, Any]:
    presence = EXAMPLES["presence"]
    entry = presence["extensions"][EXT_PRESENCE] | changes
    return presence | {"extensions": {EXT_PRESENCE: entry}}


S = EXAMPLES["strike-report"]
UUID = "0b7b6c7f-9e21-4a1a-8a1a-3f1d1d9a7c8e"

# (kind, bad object, field named in the error, words of the reason)
CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("strike-report", S | {"latitude": 91.5}, "latitude", "must be <= 90 (got 91.5)"),
    ("strike-report", S | {"latitude": -90.5}, "latitude", "must be >= -90"),
    ("strike-report", S | {"longitude": 180.01}, "longitude", "must be <= 180"),
    ("strike-report", S | {"precision": 0.0}, "precision", "must be > 0 (got 0.0)"),
    ("strike-report", S | {"precision": 0}, "precision", "must be >= 1 (got 0)"),
    ("strike-report", S | {"precision": "5"}, "precision", "must be a number, not a string"),
    ("strike-report", S | {"credibility": 0}, "credibility", "must be >= 1"),
    ("strike-report", S | {"credibility": 7}, "credibility", "must be <= 6"),
    ("strike-report", S | {"reliability": "G"}, "reliability", "must be one of 'A'"),
    ("strike-report", S | {"means": "naval"}, "means", "'ground-raid'"),
    ("strike-report", S | {"claimed_effect": "won"}, "claimed_effect", "must be one of"),
    ("strike-report", S | {"strikes": 0}, "strikes", "must be >= 1"),
    ("strike-report", S | {"strikes": "2"}, "strikes", "must be an integer, not a string"),
    ("strike-report", S | {"latitude": True}, "latitude", "must be a number, not a boolean"),
    ("strike-report", _without(S, "party_ref"), "party_ref", "is required"),
    ("strike-report", _without(S, "reliability"), "reliability", "is required"),
    ("strike-report", S | {"munitions": None}, "munitions", "must not be null"),
    ("strike-report", S | {"bogus": 1}, "bogus", "custom properties must start with x_"),
    ("strike-report", S | {"x_UPPER": 1}, "x_UPPER", "custom property names"),
    ("strike-report", S | {"time_end": "2016-01-01T00:00:00Z"}, "time_end", "earlier than"),
    (
        "strike-report",
        S | {"time_start": "2016-01-12T10:00:00.0002Z", "time_end": "2016-01-12T10:00:00.0001Z"},
        "time_end",
        "earlier than time_start",
    ),
    ("strike-report", S | {"time_start": "2016-01-12 10:00:00Z"}, "time_start", "RFC 3339"),
    ("strike-report", S | {"time_start": "2016-01-12T10:00:00+01:00"}, "time_start", "ending in Z"),
    ("strike-report", S | {"time_start": "2015-02-29T10:00:00Z"}, "time_start", "not a valid date"),
    ("strike-report", S | {"created": "2016-01-15T12:00:00Z"}, "created", "SS.sssZ"),
    ("strike-report", S | {"modified": "2016-01-01T00:00:00.000Z"}, "modified", "earlier than"),
    ("strike-report", S | {"id": "liaison-strike-report--1234"}, "id", "TYPE--UUID"),
    ("strike-report", S | {"id": f"liaison-event--{UUID}"}, "id", "liaison-strike-report"),
    ("strike-report", S | {"party_ref": f"threat-actor--{UUID}"}, "party_ref", "identity"),
    (
        "strike-report",
        S | {"target_group_ref": f"identity--{UUID}"},
        "target_group_ref",
        "threat-actor",
    ),
    ("strike-report", S | {"object_marking_refs": ["tlp-green"]}, "object_marking_refs[0]", "id"),
    ("strike-report", S | {"labels": []}, "labels", "must not be empty"),
    ("strike-report", S | {"confidence": 101}, "confidence", "must be <= 100"),
    ("strike-report", S | {"spec_version": "2.0"}, "spec_version", "'2.1'"),
    ("strike-report", S | {"extensions": {}}, "extensions.strike-report", "is required"),
    (
        "strike-report",
        S | {"extensions": {EXT_STRIKE_REPORT: {"extension_type": "property-extension"}}},
        "extensions.strike-report.extension_type",
        "'new-sdo'",
    ),
    (
        "strike-report",
        S | {"external_references": [{"url": "https://example.org"}]},
        "external_references[0].source_name",
        "is required",
    ),
    ("presence", _presence_ext(latitude=95.0), "extensions.presence.latitude", "<= 90"),
    ("presence", _presence_ext(credibility=9), "extensions.presence.credibility", "<= 6"),
    ("presence", _presence_ext(strength=None), "extensions.presence.strength", "null"),
    ("presence", _presence_ext(presence_kind="raid"), "extensions.presence.presence_kind", "one"),
    ("presence", _presence_ext(bogus=1), "extensions.presence.bogus", "not allowed"),
    (
        "presence",
        EXAMPLES["presence"]
        | {
            "extensions": EXAMPLES["presence"]["extensions"]
            | {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}}
        },
        "extensions.strike-report",
        "not an extension this kind accepts",
    ),
    (
        "presence",
        EXAMPLES["presence"] | {"last_seen": "2015-01-01T00:00:00.000Z"},
        "last_seen",
        "earlier than first_seen",
    ),
    (
        "presence",
        EXAMPLES["presence"] | {"where_sighted_refs": [f"indicator--{UUID}"]},
        "where_sighted_refs[0]",
        "location or identity",
    ),
    (
        "harm-allegation",
        EXAMPLES["harm-allegation"] | {"civilian_casualties_low": 9},
        "civilian_casualties_high",
        ">= civilian_casualties_low",
    ),
    ("harm-allegation", EXAMPLES["harm-allegation"] | {"grading": "sure"}, "grading", "one of"),
    ("logistics", EXAMPLES["logistics"] | {"route": [[1.0, 2.0]]}, "route", "at least 2"),
    ("logistics", EXAMPLES["logistics"] | {"route": [[1, 2], [91, 2]]}, "route[1][0]", "<= 90"),
    ("logistics", EXAMPLES["logistics"] | {"volume": -1.0}, "volume", ">= 0"),
    ("person", EXAMPLES["person"] | {"date_of_birth": "1990-13"}, "date_of_birth", "YYYY-MM"),
    ("person", EXAMPLES["person"] | {"names": []}, "names", "must not be empty"),
    ("person", EXAMPLES["person"] | {"nationalities": ["Syria"]}, "nationalities[0]", "alpha-2"),
    ("designation", EXAMPLES["designation"] | {"status": "friend"}, "status", "one of"),
    ("assessment", EXAMPLES["assessment"] | {"inputs_digest": "ab"}, "inputs_digest", "SHA-256"),
    (
        "assessment",
        EXAMPLES["assessment"] | {"period_end": "2015-01-01T00:00:00Z"},
        "period_end",
        "earlier than period_start",
    ),
    (
        "corroboration",
        _without(EXAMPLES["corroboration"], "object_refs"),
        "object_refs",
        "is required",
    ),
    (
        "corroboration",
        EXAMPLES["corroboration"] | {"extensions": {"x": {"extension_type": "new-sdo"}}},
        "extensions.x",
        "not an extension-definition id",
    ),
    (
        "corroboration",
        EXAMPLES["corroboration"] | {"extensions": {f"extension-definition--{UUID}": {}}},
        f"extensions.extension-definition--{UUID}.extension_type",
        "is required",
    ),
    (
        "party",
        EXAMPLES["party"]
        | {"extensions": {EXT_PARTY: {"extension_type": "property-extension", "public_key": "x"}}},
        "extensions.party.public_key",
        "32-byte",
    ),
    ("party", EXAMPLES["party"] | {"extensions": {}}, "extensions", "must not be empty"),
    (
        "party",
        EXAMPLES["party"] | {"identity_class": "individual"},
        "identity_class",
        "organization",
    ),
    ("group", EXAMPLES["group"] | {"extensions": {}}, "extensions", "must not be empty"),
    ("group", EXAMPLES["group"] | {"aliases": "EAG"}, "aliases", "must be a list"),
    ("location", EXAMPLES["location"] | {"country": "syr"}, "country", "alpha-2"),
    ("location", _without(EXAMPLES["location"], "latitude"), "latitude", "is required"),
    ("location", _without(EXAMPLES["location"], "longitude"), "longitude", "is required"),
    (
        "location",
        _without(_without(EXAMPLES["location"], "latitude"), "longitude"),
        "precision",
        "needs latitude and longitude",
    ),
    (
        "location",
        {
            k: v
            for k, v in EXAMPLES["location"].items()
            if k not in ("latitude", "longitude", "precision", "country")
        },
        "latitude",
        "coordinates, a region or a country",
    ),
    ("group", EXAMPLES["group"] | {"type": "indicator"}, "id", "must start with its type"),
    ("group", EXAMPLES["group"] | {"type": "liaison-unicorn"}, "type", "unknown liaison"),
    (
        "group",
        EXAMPLES["group"]
        | {"first_seen": "2016-01-02T00:00:00Z", "last_seen": "2016-01-01T00:00:00Z"},
        "last_seen",
        "earlier",
    ),
    ("group", EXAMPLES["group"] | {"created": "0000-01-01T00:00:00.000Z"}, "created", "year 0000"),
    ("strike-report", S | {"time_start": "0000-02-01T00:00:00Z"}, "time_start", "year 0000"),
]


@pytest.mark.parametrize(("kind", "obj", "field", "reason"), CASES)
def test_bad_input_names_object_and_field(
    kind: str, obj: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(RecordError) as info:
        parse_record(obj)
    err = info.value
    assert err.object_id == obj["id"]
    assert err.field == field
    assert reason in err.reason
    assert str(err) == f"{obj['id']}: field {field!r}: {err.reason}"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2016-01-12T10:00:00Z", "2016-01-12T10:00:00.000Z"),
        ("2016-01-12T10:00:00.5Z", "2016-01-12T10:00:00.500000Z"),
        ("2016-01-12T10:00:00.25Z", "2016-01-12T10:00:00.3Z"),
        ("2016-01-12T10:00:00.999Z", "2016-01-12T10:00:01Z"),
    ],
)
def test_ordered_windows_in_mixed_forms_are_accepted(start: str, end: str) -> None:
    record = parse_record(S | {"time_start": start, "time_end": end})
    assert (record.time_start, record.time_end) == (start, end)  # type: ignore[union-attr]


def test_error_message_format() -> None:
    with pytest.raises(RecordError) as info:
        parse_record(S | {"latitude": 91.5})
    assert str(info.value) == f"{S['id']}: field 'latitude': must be <= 90 (got 91.5)"


def test_not_an_object() -> None:
    with pytest.raises(RecordError) as info:
        parse_record([1, 2])  # type: ignore[arg-type]
    assert info.value.object_id is None
    assert info.value.field is None


def test_missing_or_bad_id_and_type() -> None:
    with pytest.raises(RecordError) as info:
        parse_record(_without(S, "id"))
    assert (info.value.object_id, info.value.field) == (None, "id")
    with pytest.raises(RecordError) as info:
        parse_record({"type": ["liaison-strike-report"], "id": 5})
    assert (info.value.object_id, info.value.field) == (None, "type")
    assert "<record without id>" in str(info.value)


def test_kind_of() -> None:
    assert kind_of({"type": "sighting", "extensions": {EXT_PRESENCE: {}}}) == "presence"
    assert kind_of({"type": "sighting"}) == "sighting"  # a plain STIX sighting: verbatim
    assert kind_of({"type": "opinion"}) == "opinion"
    assert kind_of({"type": "liaison-strike-report"}) == "strike-report"
    assert kind_of({"type": "identity", "identity_class": "organization"}) == "party"
    assert kind_of({"type": "identity", "identity_class": "individual"}) == "identity"
    assert kind_of({"type": "campaign"}) == "campaign"
    with pytest.raises(RecordError):
        kind_of({"type": "identity", "identity_class": "individual", "extensions": {EXT_PARTY: {}}})
    with pytest.raises(RecordError):
        kind_of({"type": "liaison-unicorn"})
    with pytest.raises(RecordError):
        kind_of({"type": 5})


def test_custom_properties_kept_verbatim() -> None:
    obj = S | {"x_source": {"page": 3, "lines": [1, 2]}, "x_n": None or 0}
    record = parse_record(obj)
    assert record.custom == {"x_source": {"page": 3, "lines": [1, 2]}, "x_n": 0}
    assert to_stix(record) == obj


def test_custom_field_name_is_not_a_property() -> None:
    with pytest.raises(RecordError) as info:
        parse_record(S | {"custom": {"x_a": 1}})
    assert info.value.field == "custom"


# Any value orjson.loads can produce.
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(EXAMPLES)),
    key=st.text(min_size=1, max_size=20)
    | st.sampled_from(sorted({k for o in EXAMPLES.values() for k in o})),
    value=_JSON,
    in_extension=st.booleans(),
)
def test_arbitrary_damage_gives_record_error_or_round_trips(
    kind: str, key: str, value: Any, in_extension: bool
) -> None:
    obj = dict(EXAMPLES[kind])
    if in_extension and "extensions" in obj:
        ext_id, entry = next(iter(obj["extensions"].items()))
        obj["extensions"] = {ext_id: entry | {key: value}}
    else:
        obj[key] = value
    outcome: RecordError | dict[str, Any]
    try:
        outcome = to_stix(parse_record(obj))
    except RecordError as err:
        outcome = err
    if isinstance(outcome, RecordError):
        assert outcome.reason
        expected_id = obj["id"] if isinstance(obj.get("id"), str) else None
        assert outcome.object_id == expected_id
        assert str(outcome).startswith(expected_id or "<record without id>")
    else:
        assert outcome == obj
