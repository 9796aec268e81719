"""The security acceptance property, on the policy side: a partner never obtains a record
no rule allows, a field a rule drops, a source a rule strips, or a finer location.

The oracle below re-reads the raw configuration independently of liaison.policy.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import h3
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.policy import ONWARD_RELEASE_MARKING_ID, decide, load_policies
from liaison.records import (
    EXT_CORROBORATION,
    EXT_PRESENCE,
    EXT_SIGNATURE,
    RecordIndex,
    index_of,
    kind_of,
    parse_record,
    timestamp_ms,
)

from .strategies import DESIGNATIONS, GROUPS, T0, T1, configs, records

_UNITS = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000}
_SOURCES = ("external_references", "sources", "source_dataset", "source_id")
_PLACES = ("place_name", "name", "city")


def _haversine(a: float, b: float, c: float, d: float) -> float:
    p1, p2 = math.radians(a), math.radians(c)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    )
    return 2 * 6_371_007.180918475 * math.asin(min(1.0, math.sqrt(h)))


def _delay_ms(text: str) -> int:
    total, digits = 0, ""
    for ch in text:
        if ch.isdigit():
            digits += ch
        else:
            total += int(digits) * _UNITS[ch]
            digits = ""
    return total


def _day_ms(day: str, end: bool) -> int:
    d = dt.date.fromisoformat(day)
    ms = int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp() * 1000)
    return ms + 86_399_999 if end else ms


def _selects(rule: dict[str, Any], obj: dict[str, Any], idx: RecordIndex, desig: Any) -> bool:
    """The oracle: every selector of a raw rule holds for the record."""
    if "kinds" in rule and idx.kind not in rule["kinds"]:
        return False
    if "groups" in rule and idx.group_ref not in rule["groups"]:
        return False
    if "designation" in rule and (
        idx.group_ref is None or (desig(idx.group_ref) or "none") not in rule["designation"]
    ):
        return False
    if "area" in rule:
        if idx.latitude is None or idx.longitude is None:
            return False
        lat, lon = idx.latitude, idx.longitude
        area = rule["area"]
        if "bbox" in area:
            a, b, c, d = area["bbox"]
            in_lon = b <= lon <= d if b <= d else (lon >= b or lon <= d)
            if not (a <= lat <= c and in_lon):
                return False
        elif "near" in area:
            if _haversine(lat, lon, area["near"][0], area["near"][1]) > area["near"][2] * 1000:
                return False
        elif not any(h3.latlng_to_cell(lat, lon, h3.get_resolution(c)) == c for c in area["cells"]):
            return False
    if "since" in rule or "until" in rule:
        start, end = idx.time_start_ms, idx.time_end_ms
        if start is None and end is None:
            return False
        lo = start if start is not None else -(2**63)
        hi = end if end is not None else 2**63
        if "since" in rule and hi < _day_ms(rule["since"], end=False):
            return False
        if "until" in rule and lo > _day_ms(rule["until"], end=True):
            return False
    if "markings" in rule:
        return bool(set(obj.get("object_marking_refs", ())) & set(rule["markings"]))
    return True


def _is_centre_of_cell_holding(
    lat: float, lon: float, orig_lat: float, orig_lon: float, metres: float
) -> bool:
    """(lat, lon) is the centre of an H3 cell of radius >= metres that holds the original."""
    for res in range(16):
        cell = h3.latlng_to_cell(orig_lat, orig_lon, res)
        c_lat, c_lon = h3.cell_to_latlng(cell)
        if abs(c_lat - lat) < 1e-9 and abs(c_lon - lon) < 1e-9:
            radius = max(_haversine(c_lat, c_lon, a, b) for a, b in h3.cell_to_boundary(cell))
            return radius >= metres
    return False


def leaks(rule: dict[str, Any], orig: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """What ``out`` reveals beyond what ``rule`` allows of ``orig`` (empty: nothing)."""
    problems: list[str] = []
    kind = kind_of(orig)
    parse_record(out)
    for key in ("id", "created", "modified", "type"):
        if out.get(key) != orig.get(key):
            problems.append(f"{key} changed")
    ext_out = out.get("extensions", {})
    if EXT_SIGNATURE in ext_out:
        problems.append("signature kept")
    inner_out = ext_out.get(EXT_PRESENCE) or ext_out.get(EXT_CORROBORATION) or {}
    inner_orig = (
        orig.get("extensions", {}).get(EXT_PRESENCE)
        or orig.get("extensions", {}).get(EXT_CORROBORATION)
        or {}
    )
    changed = {"latitude", "longitude", "precision", "route", "object_marking_refs"}
    for src, dst, where in ((orig, out, "top"), (inner_orig, inner_out, "extension")):
        for key, value in dst.items():
            if key == "extensions":
                continue
            if key not in src and not (key == "precision" and kind == "location"):
                if key != "object_marking_refs":
                    problems.append(f"{where} field {key} added")
            elif key not in changed and src[key] != value:
                problems.append(f"{where} field {key} altered")
    for name in rule.get("drop_fields", ()):
        if name in out or name in inner_out:
            problems.append(f"dropped field {name} released")
    if rule.get("strip_sources"):
        for name in _SOURCES:
            if name in out:
                problems.append(f"source field {name} released")
        if "evidence_refs" in inner_out:
            problems.append("evidence_refs released")
    metres = rule.get("coarsen_m")
    point_o = inner_orig if kind == "presence" else orig
    point_r = inner_out if kind == "presence" else out
    if metres is not None and "latitude" in point_o:
        lat, lon = point_r["latitude"], point_r["longitude"]
        if not _is_centre_of_cell_holding(
            lat, lon, point_o["latitude"], point_o["longitude"], metres
        ):
            problems.append("point not snapped to a large enough cell holding it")
        p0 = point_o.get("precision", 0)
        if not point_r.get("precision", 0) >= max(metres, p0):
            problems.append("precision finer than the rule allows")
        moved = _haversine(lat, lon, point_o["latitude"], point_o["longitude"])
        if moved + p0 > point_r.get("precision", 0) + 1e-6:
            problems.append("precision is not honest (the true place may lie outside it)")
        for name in _PLACES:
            if name in point_r:
                problems.append(f"place name {name} released with a coarsened point")
        for p in out.get("route", ()):
            if not any(
                abs(a - p[0]) < 1e-9 and abs(b - p[1]) < 1e-9
                for a, b in (
                    h3.cell_to_latlng(h3.latlng_to_cell(q[0], q[1], r))
                    for q in orig["route"]
                    for r in range(16)
                )
            ):
                problems.append("route point not at a cell centre")
    else:
        for key in ("latitude", "longitude", "precision"):
            if point_r.get(key) != point_o.get(key):
                problems.append(f"{key} changed without coarsening")
    marks = set(out.get("object_marking_refs", ()))
    if (
        marks
        - set(orig.get("object_marking_refs", ()))
        - ({ONWARD_RELEASE_MARKING_ID} if rule.get("allow_onward") else set())
    ):
        problems.append("marking added")
    return problems


@settings(max_examples=400, deadline=None)
@given(
    obj=records(),
    config=configs(),
    pick=st.integers(0, 1000),
    own=st.booleans() | st.just(True),
    now_ms=st.integers(T0, T1 + 30 * 86_400_000),
    designations=st.dictionaries(st.sampled_from(GROUPS), st.sampled_from(DESIGNATIONS[:4])),
)
def test_partner_never_obtains_more_than_a_rule_allows(
    obj: dict[str, Any],
    config: dict[str, Any],
    pick: int,
    own: bool,
    now_ms: int,
    designations: dict[str, str],
) -> None:
    names = sorted(config["partners"])
    partner = ([*names, "unknown"])[pick % (len(names) + 1)]
    policies = load_policies(config)
    idx = index_of(parse_record(obj))
    decision = decide(
        policies,
        partner,
        obj,
        idx,
        now_ms=now_ms,
        originator_is_self=own,
        designation_of=designations.get,
    )
    raw_rules = config["partners"].get(partner, {}).get("rules", [])
    first = next(
        (i for i, r in enumerate(raw_rules) if _selects(r, obj, idx, designations.get)), None
    )
    onward_ok = own or ONWARD_RELEASE_MARKING_ID in obj.get("object_marking_refs", ())
    expected_at = None
    if first is not None and raw_rules[first].get("delay", "0") != "0":
        base = idx.time_end_ms or idx.time_start_ms or timestamp_ms(idx.modified)
        expected_at = base + _delay_ms(raw_rules[first]["delay"])
    allowed = (
        idx.kind != "person"
        and first is not None
        and onward_ok
        and (expected_at is None or expected_at <= now_ms)
    )
    assert decision.released is allowed, (decision, first)
    if not decision.released:
        assert decision.obj is None
        assert decision.reason
        if first is not None and onward_ok and idx.kind != "person":
            assert decision.release_at_ms == expected_at
        return
    rule = raw_rules[first]
    assert decision.rule == rule.get("name", f"rules[{first}]")
    assert decision.obj is not None
    assert leaks(rule, obj, decision.obj) == []


@settings(max_examples=100, deadline=None)
@given(obj=records(kinds=("person",)), config=configs())
def test_person_records_never_leave(obj: dict[str, Any], config: dict[str, Any]) -> None:
    policies = load_policies(config)
    idx = index_of(parse_record(obj))
    for partner in config["partners"]:
        d = decide(
            policies,
            partner,
            obj,
            idx,
            now_ms=T1 * 2,
            originator_is_self=True,
            designation_of=lambda g: "terrorist",
        )
        assert not d.released and d.obj is None
        assert "local only" in d.reason


@settings(max_examples=100, deadline=None)
@given(obj=records(kinds=("strike-report", "presence", "logistics", "location", "event")))
def test_leak_checker_catches_an_untransformed_object(obj: dict[str, Any]) -> None:
    """The checker above is not vacuous: the raw object leaks under a coarsening rule."""
    rule = {"coarsen_m": 5000, "strip_sources": True}
    obj = obj | {"external_references": [{"source_name": "s"}]}
    assert leaks(rule, obj, obj) != []
