"""Property tests: generated valid records survive parse_record then to_stix unchanged."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.records import (
    EXT_EVENT,
    EXT_PRESENCE,
    EXT_SIGNATURE,
    EXT_STRIKE_REPORT,
    Event,
    Presence,
    StrikeReport,
    format_timestamp,
    index_of,
    parse_record,
    timestamp_ms,
    to_stix,
)

MS = st.integers(min_value=0, max_value=4_102_444_799_999)  # 1970 … 2099


def _same_json(record_dict: dict[str, Any], obj: dict[str, Any]) -> bool:
    """Equal as JSON text too (so ints stay ints), whatever the key order."""
    return orjson.dumps(record_dict, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
        obj, option=orjson.OPT_SORT_KEYS
    )


def _ids(stix_type: str) -> st.SearchStrategy[str]:
    return st.uuids(version=4).map(lambda u: f"{stix_type}--{u}")


@st.composite
def _window(draw: st.DrawFn) -> tuple[str, str]:
    """Two ordered timestamps, each in one of the forms STIX allows."""
    a, b = sorted((draw(MS), draw(MS)))

    def form(ms: int) -> str:
        text = format_timestamp(ms)
        style = draw(st.sampled_from(["ms", "s", "us"]))
        if style == "s":
            return text[:19] + "Z"
        if style == "us":
            return text[:23] + "000Z"
        return text

    start = form(a)
    end = form(b)
    if timestamp_ms(end) < timestamp_ms(start):  # whole seconds truncated below start
        end = start
    return start, end


@st.composite
def _common(draw: st.DrawFn, stix_type: str) -> dict[str, Any]:
    created, modified = sorted((draw(MS), draw(MS)))
    obj: dict[str, Any] = {
        "type": stix_type,
        "spec_version": "2.1",
        "id": draw(_ids(stix_type)),
        "created": format_timestamp(created),
        "modified": format_timestamp(modified),
    }
    optional = {
        "created_by_ref": _ids("identity"),
        "revoked": st.booleans(),
        "labels": st.lists(st.text(min_size=1, max_size=10), min_size=1, max_size=3),
        "confidence": st.integers(0, 100),
        "lang": st.sampled_from(["en", "fr", "ru", "ar"]),
        "object_marking_refs": st.lists(_ids("marking-definition"), min_size=1, max_size=2),
        "x_note": st.text(max_size=20),
        "x_extra_data": st.dictionaries(
            st.text(max_size=5), st.integers(-(2**53), 2**53), max_size=3
        ),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            obj[key] = draw(strategy)
    return obj


LAT = st.floats(min_value=-90, max_value=90) | st.integers(-90, 90)
LON = st.floats(min_value=-180, max_value=180) | st.integers(-180, 180)
PRECISION = st.floats(min_value=0, exclude_min=True, allow_infinity=False) | st.integers(1, 10**7)
GRADING: dict[str, st.SearchStrategy[Any]] = {
    "reliability": st.sampled_from("ABCDEF"),
    "credibility": st.integers(1, 6),
}
POINT: dict[str, st.SearchStrategy[Any]] = {
    "latitude": LAT,
    "longitude": LON,
    "precision": PRECISION,
}
PLACE: dict[str, st.SearchStrategy[Any]] = {
    "place_name": st.text(min_size=1, max_size=20),
    "country": st.sampled_from(["SY", "IQ"]),
}
SIGNATURE = st.fixed_dictionaries(
    {"extension_type": st.just("property-extension"), "alg": st.just("ed25519-merkle-sha256")},
    optional={"key_id": st.text(min_size=1), "index": st.integers(0, 9)},
)


def _optional(draw: st.DrawFn, strategies: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    return {k: draw(s) for k, s in strategies.items() if draw(st.booleans())}


def _extensions(draw: st.DrawFn, ext_id: str, entry: dict[str, Any]) -> dict[str, Any]:
    extensions = {ext_id: entry}
    if draw(st.booleans()):
        extensions[EXT_SIGNATURE] = draw(SIGNATURE)
    return extensions


@st.composite
def strike_reports(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(_window())
    obj = draw(_common("liaison-strike-report")) | draw(st.fixed_dictionaries(POINT | GRADING))
    obj |= {
        "party_ref": draw(_ids("identity")),
        "means": draw(st.sampled_from(["air", "artillery", "missile", "ground-raid"])),
        "time_start": start,
        "time_end": end,
        "target_category": draw(st.sampled_from(["vehicle", "oil-infrastructure", "other"])),
        "strikes": draw(st.integers(1, 500)),
        "claimed_effect": draw(st.sampled_from(["destroyed", "damaged", "struck", "unknown"])),
        "bda_phase": draw(st.sampled_from(["none", "physical", "functional", "target-system"])),
        "extensions": _extensions(draw, EXT_STRIKE_REPORT, {"extension_type": "new-sdo"}),
    }
    return obj | _optional(
        draw,
        PLACE
        | {
            "target_group_ref": _ids("threat-actor"),
            "munitions": st.integers(0, 10_000),
            "target_description": st.text(max_size=40),
        },
    )


@st.composite
def presences(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(_window())
    entry = {
        "extension_type": "property-extension",
        "presence_kind": draw(st.sampled_from(["sighting", "control", "movement"])),
    }
    entry |= draw(st.fixed_dictionaries(POINT | GRADING))
    entry |= _optional(draw, PLACE | {"strength": st.integers(0, 100_000)})
    obj = draw(_common("sighting")) | {
        "sighting_of_ref": draw(_ids("threat-actor")),
        "first_seen": start,
        "last_seen": end,
        "extensions": _extensions(draw, EXT_PRESENCE, entry),
    }
    return obj | _optional(
        draw,
        {
            "count": st.integers(0, 999_999_999),
            "where_sighted_refs": st.lists(_ids("location"), min_size=1, max_size=3),
        },
    )


@st.composite
def events(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(_window())
    actors = st.one_of(_ids("threat-actor"), _ids("identity"))
    obj = draw(_common("liaison-event")) | draw(st.fixed_dictionaries(POINT))
    obj |= {
        "event_type": draw(st.sampled_from(["state-based", "non-state", "one-sided", "clash"])),
        "time_start": start,
        "time_end": end,
        "extensions": _extensions(draw, EXT_EVENT, {"extension_type": "new-sdo"}),
    }
    low, best, high = sorted(draw(st.lists(st.integers(0, 10_000), min_size=3, max_size=3)))
    fatalities = {"fatalities_low": low, "fatalities_best": best, "fatalities_high": high}
    obj |= {k: v for k, v in fatalities.items() if draw(st.booleans())}
    return obj | _optional(
        draw,
        PLACE
        | GRADING
        | {
            "actor_refs": st.lists(actors, min_size=1, max_size=4),
            "initiator_ref": actors,
            "source_dataset": st.just("ucdp-ged"),
            "source_id": st.integers(1, 10**7).map(str),
        },
    )


@settings(max_examples=200)
@given(strike_reports())
def test_strike_report_round_trip(obj: dict[str, Any]) -> None:
    record = parse_record(obj)
    assert isinstance(record, StrikeReport)
    assert to_stix(record) == obj
    assert _same_json(to_stix(record), obj)
    idx = index_of(record)
    assert idx.time_start_ms is not None and idx.time_end_ms is not None
    assert idx.time_start_ms <= idx.time_end_ms
    assert (idx.latitude, idx.longitude) == (obj["latitude"], obj["longitude"])


@settings(max_examples=200)
@given(presences())
def test_presence_round_trip(obj: dict[str, Any]) -> None:
    record = parse_record(obj)
    assert isinstance(record, Presence)
    assert to_stix(record) == obj
    assert _same_json(to_stix(record), obj)
    assert index_of(record).precision_m == obj["extensions"][EXT_PRESENCE]["precision"]


@settings(max_examples=200)
@given(events())
def test_event_round_trip(obj: dict[str, Any]) -> None:
    record = parse_record(obj)
    assert isinstance(record, Event)
    assert to_stix(record) == obj
    assert _same_json(to_stix(record), obj)
    assert index_of(record).revoked is (obj.get("revoked") is True)
