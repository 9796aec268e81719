"""Hypothesis strategies: valid records of every kind, and valid release policies (raw TOML)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import h3
import msgspec
from hypothesis import strategies as st

from liaison.policy import ONWARD_RELEASE_MARKING_ID
from liaison.records import (
    CLASS_OF_KIND,
    EXT_CORROBORATION,
    EXT_PARTY,
    EXT_PRESENCE,
    EXT_SIGNATURE,
    KINDS,
    CorroborationExtension,
    PartyExtension,
    PresenceExtension,
    format_timestamp,
    kind_of,
    parse_record,
)
from liaison.records.examples import TLP_GREEN, example_objects

PARTY = "identity--0c5a1d4e-8f7b-4c1e-9a2d-3b4c5d6e7f80"
GROUPS = (
    "threat-actor--11111111-2222-4333-8444-555555555555",
    "threat-actor--22222222-3333-4444-8555-666666666666",
    "threat-actor--33333333-4444-4555-8666-777777777777",
)
OTHER_MARKING = "marking-definition--44444444-5555-4666-8777-888888888888"
MARKINGS = (TLP_GREEN, OTHER_MARKING, ONWARD_RELEASE_MARKING_ID)
TEMPLATES: dict[str, dict[str, Any]] = {kind_of(o): o for o in example_objects(PARTY)}
RELEASABLE = tuple(k for k in KINDS if k != "person")
DESIGNATIONS = ("terrorist", "armed-opposition", "state-force", "other", "none")
T0 = 1_388_534_400_000  # 2014-01-01
T1 = 1_514_764_800_000  # 2018-01-01
_EXT: dict[str, tuple[str, type[msgspec.Struct]]] = {
    "party": (EXT_PARTY, PartyExtension),
    "presence": (EXT_PRESENCE, PresenceExtension),
    "corroboration": (EXT_CORROBORATION, CorroborationExtension),
}
#: Fields the documentation says no rule may drop.
PROTECTED = {"type", "spec_version", "id", "created", "modified", "extensions", "revoked"}
PROTECTED |= {"created_by_ref", "latitude", "longitude", "precision", "extension_type"}
_WINDOW = {
    "strike-report": ("time_start", "time_end"),
    "logistics": ("time_start", "time_end"),
    "event": ("time_start", "time_end"),
    "harm-allegation": ("time_start", "time_end"),
    "presence": ("first_seen", "last_seen"),
    "assessment": ("period_start", "period_end"),
}
_GROUP_FIELD = {
    "designation": "group_ref",
    "strike-report": "target_group_ref",
    "presence": "sighting_of_ref",
    "logistics": "group_ref",
    "event": "initiator_ref",
    "person": "affiliation_ref",
}


def _required(cls: type[msgspec.Struct]) -> dict[str, bool]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return {f.encode_name: f.required for f in info.fields if f.name != "custom"}


TOP_FIELDS = {kind: _required(CLASS_OF_KIND[kind]) for kind in KINDS}
EXT_FIELDS = {kind: _required(cls) for kind, (_, cls) in _EXT.items()}


def droppable(kinds: tuple[str, ...]) -> list[str]:
    """Fields optional in every one of ``kinds`` that has them, and not protected."""
    names: set[str] = set()
    required: set[str] = set()
    for kind in kinds:
        for table in (TOP_FIELDS[kind], EXT_FIELDS.get(kind, {})):
            for name, req in table.items():
                (required if req else names).add(name)
    return sorted(names - required - PROTECTED)


LAT = st.floats(min_value=-90, max_value=90, allow_nan=False)
LON = st.floats(min_value=-180, max_value=180, allow_nan=False)
MS = st.integers(min_value=T0, max_value=T1)


@st.composite
def records(draw: st.DrawFn, kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    """A valid record of one of ``kinds``, varied from the example of that kind."""
    kind = draw(st.sampled_from(kinds))
    obj = copy.deepcopy(TEMPLATES[kind])
    if kind != "party":
        obj["id"] = f"{obj['type']}--{draw(st.uuids(version=4))}"
    for name, req in TOP_FIELDS[kind].items():
        if not req and name in obj and name not in PROTECTED and draw(st.booleans()):
            del obj[name]
    ext_id = _EXT[kind][0] if kind in _EXT else None
    target = obj["extensions"][ext_id] if ext_id else obj
    if ext_id:
        for name, req in EXT_FIELDS[kind].items():
            if not req and name in target and draw(st.booleans()):
                del target[name]
    if "latitude" in target:
        target["latitude"], target["longitude"] = draw(LAT), draw(LON)
        if kind != "location" or draw(st.booleans()):
            target["precision"] = draw(st.integers(1, 50_000) | st.floats(0.5, 5e5))
    if kind in _WINDOW and (kind != "assessment" or draw(st.booleans())):
        start, end = sorted((draw(MS), draw(MS)))
        obj[_WINDOW[kind][0]], obj[_WINDOW[kind][1]] = (
            format_timestamp(start),
            format_timestamp(end),
        )
    if kind == "designation":
        obj["since"] = format_timestamp(draw(MS))
    if kind in _GROUP_FIELD and (_GROUP_FIELD[kind] in obj or draw(st.booleans())):
        obj[_GROUP_FIELD[kind]] = draw(st.sampled_from(GROUPS))
    if kind == "logistics" and draw(st.booleans()):
        obj["route"] = draw(st.lists(st.tuples(LAT, LON).map(list), min_size=2, max_size=4))
    marks = draw(st.lists(st.sampled_from(MARKINGS), unique=True, max_size=3))
    obj.pop("object_marking_refs", None)
    if marks:
        obj["object_marking_refs"] = marks
    if draw(st.booleans()):
        obj["external_references"] = [{"source_name": "src", "url": "https://example.org/a"}]
    if draw(st.booleans()):
        obj["x_note"] = "generated"
    if draw(st.booleans()):
        obj.setdefault("extensions", {})[EXT_SIGNATURE] = {
            "extension_type": "property-extension",
            "alg": "ed25519",
            "key_id": "k",
            "signature": "c2ln",
        }
    obj["revoked"] = draw(st.booleans())
    if not obj["revoked"]:
        del obj["revoked"]
    parse_record(obj)  # the strategy only yields valid records
    return obj


def _day(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat()


@st.composite
def areas(draw: st.DrawFn) -> dict[str, Any]:
    form = draw(st.sampled_from(["bbox", "near", "cells"]))
    if form == "bbox":
        la = sorted((draw(LAT), draw(LAT)))
        return {"bbox": [la[0], draw(LON), la[1], draw(LON)]}
    if form == "near":
        return {"near": [draw(LAT), draw(LON), draw(st.floats(1, 20_000))]}
    cells = [h3.latlng_to_cell(draw(LAT), draw(LON), draw(st.integers(0, 3))) for _ in range(3)]
    return {"cells": cells}


@st.composite
def rules(draw: st.DrawFn, index: int) -> dict[str, Any]:
    """A valid raw rule; each selector and transformation present about a third of the time."""
    rule: dict[str, Any] = {}
    some = st.integers(0, 2).map(lambda n: n == 0)
    if draw(st.booleans()):
        rule["name"] = f"rule-{index}"
    kinds: tuple[str, ...] = RELEASABLE
    if draw(st.booleans()):
        kinds = tuple(
            draw(st.lists(st.sampled_from(RELEASABLE), min_size=1, max_size=4, unique=True))
        )
        rule["kinds"] = list(kinds)
    if draw(some):
        rule["groups"] = draw(st.lists(st.sampled_from(GROUPS), min_size=1, unique=True))
    if draw(some):
        rule["designation"] = draw(st.lists(st.sampled_from(DESIGNATIONS), min_size=1, unique=True))
    if draw(some):
        rule["area"] = draw(areas())
    if draw(some):
        a, b = sorted((draw(MS), draw(MS)))
        if draw(st.booleans()):
            rule["since"] = _day(a)
        if draw(st.booleans()):
            rule["until"] = _day(b)
    if draw(some):
        rule["markings"] = draw(st.lists(st.sampled_from(MARKINGS), min_size=1, unique=True))
    if draw(st.booleans()):
        rule["coarsen_m"] = draw(st.integers(1, 200_000) | st.floats(0.5, 800_000))
    if draw(some):
        rule["delay"] = draw(st.sampled_from(["0", "1h", "24h", "7d", "2w3d", "90m"]))
    candidates = [*droppable(kinds), "x_note"]
    if draw(st.booleans()):
        rule["drop_fields"] = draw(st.lists(st.sampled_from(candidates), min_size=1, unique=True))
    if draw(st.booleans()):
        rule["strip_sources"] = draw(st.booleans())
    if draw(some) and "object_marking_refs" not in rule.get("drop_fields", ()):
        rule["allow_onward"] = draw(st.booleans())
    return rule


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    """A raw ``liaison.toml`` document with one to three partners."""
    partners: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["ru", "fr", "us"]), min_size=1, unique=True)):
        n = draw(st.integers(0, 4) | st.integers(1, 4))
        partners[name] = {"rules": [draw(rules(i)) for i in range(n)]}
    return {"node": {"party": "x"}, "partners": partners}
