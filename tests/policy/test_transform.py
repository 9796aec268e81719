"""Transformations: results stay valid records, drop what they say, coarsen honestly."""

from __future__ import annotations

import copy
import math
from typing import Any

import h3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.policy import (
    FIELDS_OF_KIND,
    ONWARD_RELEASE_MARKING_ID,
    Rule,
    cell_radius_m,
    coarsen_point,
    distance_m,
    resolution_for,
    transform,
)
from liaison.records import EXT_PRESENCE, EXT_SIGNATURE, kind_of, parse_record

from .strategies import LAT, LON, RELEASABLE, TEMPLATES, droppable, records

METRES = st.integers(1, 200_000) | st.floats(0.5, 880_000)


@settings(max_examples=300, deadline=None)
@given(
    lat=LAT,
    lon=LON,
    p0=st.none() | st.integers(1, 10**6) | st.floats(0.01, 1e6),
    metres=METRES,
)
def test_coarsened_point_is_a_cell_centre_with_an_honest_precision(
    lat: float, lon: float, p0: float | None, metres: float
) -> None:
    c_lat, c_lon, precision = coarsen_point(lat, lon, p0, metres)
    res = resolution_for(metres)
    cell = h3.latlng_to_cell(lat, lon, res)
    assert (c_lat, c_lon) == h3.cell_to_latlng(cell)
    assert cell_radius_m(cell) >= metres
    assert precision >= metres
    # the true place is within p0 of the point, which is within the cell of the centre
    assert precision >= (p0 or 0) + cell_radius_m(cell)
    assert distance_m(lat, lon, c_lat, c_lon) + (p0 or 0) <= precision


def test_resolution_is_the_finest_whose_cells_are_all_large_enough() -> None:
    assert resolution_for(10_000) == 4
    assert resolution_for(1_000) == 6
    assert resolution_for(0.1) == 15
    # finer than needed? the next resolution's average cell would be too small
    for metres in (50.0, 1_000.0, 10_000.0, 100_000.0):
        res = resolution_for(metres)
        assert res == 15 or 0.69 * h3.average_hexagon_edge_length(res + 1, "m") < metres
    with pytest.raises(ValueError, match="metres"):
        resolution_for(0)
    with pytest.raises(ValueError, match="metres"):
        resolution_for(1_000_000)


@settings(max_examples=300, deadline=None)
@given(obj=records(kinds=RELEASABLE), data=st.data())
def test_every_transformation_yields_a_valid_record(
    obj: dict[str, Any], data: st.DataObject
) -> None:
    kind = kind_of(obj)
    names = droppable((kind,))
    rule = Rule(
        index=0,
        coarsen_m=data.draw(st.none() | METRES),
        drop_fields=frozenset(data.draw(st.lists(st.sampled_from([*names, "x_note"])))),
        strip_sources=data.draw(st.booleans()),
        allow_onward=data.draw(st.booleans()),
    )
    if rule.coarsen_m is not None:
        rule = Rule(
            index=0,
            coarsen_m=rule.coarsen_m,
            resolution=resolution_for(rule.coarsen_m),
            drop_fields=rule.drop_fields,
            strip_sources=rule.strip_sources,
            allow_onward=rule.allow_onward,
        )
    before = copy.deepcopy(obj)
    out = transform(obj, rule)
    assert obj == before, "the input was modified"
    parse_record(out)
    assert (out["id"], out["created"], out["modified"]) == (
        obj["id"],
        obj["created"],
        obj["modified"],
    )
    inner = out.get("extensions", {}).get(FIELDS_OF_KIND[kind].ext_id or "", {})
    for name in rule.drop_fields:
        if name == "object_marking_refs" and rule.allow_onward:
            continue  # allow_onward adds the marking back (load_policies refuses both together)
        assert name not in out and name not in inner
    assert EXT_SIGNATURE not in out.get("extensions", {})
    if rule.allow_onward:
        assert ONWARD_RELEASE_MARKING_ID in out["object_marking_refs"]


@pytest.mark.parametrize(
    "kind", ["strike-report", "presence", "logistics", "event", "harm-allegation", "location"]
)
def test_coarsening_moves_the_point_and_drops_place_names(kind: str) -> None:
    obj = TEMPLATES[kind]
    rule = Rule(index=0, coarsen_m=10_000, resolution=resolution_for(10_000))
    out = transform(obj, rule)
    parse_record(out)
    point_in = obj["extensions"][EXT_PRESENCE] if kind == "presence" else obj
    point = out["extensions"][EXT_PRESENCE] if kind == "presence" else out
    assert (point["latitude"], point["longitude"]) != (point_in["latitude"], point_in["longitude"])
    assert point["precision"] >= 10_000 + point_in.get("precision", 0)
    assert isinstance(point["precision"], int)
    for name in ("place_name", "name", "city"):
        assert name not in point
    if "country" in point_in:
        assert point["country"] == point_in["country"]


def test_route_points_are_snapped_and_a_collapsed_route_is_dropped() -> None:
    obj = TEMPLATES["logistics"]
    fine = transform(obj, Rule(index=0, coarsen_m=1_000, resolution=resolution_for(1_000)))
    assert len(fine["route"]) == 2
    for lat, lon in fine["route"]:
        cell = h3.latlng_to_cell(lat, lon, resolution_for(1_000))
        assert math.isclose(h3.cell_to_latlng(cell)[0], lat, abs_tol=1e-12)
    coarse = transform(obj, Rule(index=0, coarsen_m=500_000, resolution=resolution_for(500_000)))
    assert "route" not in coarse  # both ends fall in one cell: nothing left to say
    parse_record(coarse)


def test_strip_sources_removes_every_kind_of_source_reference() -> None:
    rule = Rule(index=0, strip_sources=True)
    event = transform(TEMPLATES["event"], rule)
    for name in ("external_references", "source_dataset", "source_id"):
        assert name in TEMPLATES["event"] and name not in event
    assert event["x_example_note"] == "generated for tests"
    harm = transform(TEMPLATES["harm-allegation"], rule)
    assert "sources" in TEMPLATES["harm-allegation"] and "sources" not in harm
    opinion = transform(TEMPLATES["corroboration"], rule)
    entry = next(iter(opinion["extensions"].values()))
    assert "evidence_refs" not in entry and entry["agreement"] == 0.75
    assert opinion["object_refs"] == TEMPLATES["corroboration"]["object_refs"]


def test_drop_fields_reach_inside_the_property_extension() -> None:
    out = transform(
        TEMPLATES["presence"], Rule(index=0, drop_fields=frozenset({"strength", "count"}))
    )
    assert "count" not in out
    assert "strength" not in out["extensions"][EXT_PRESENCE]
    assert "strength" in TEMPLATES["presence"]["extensions"][EXT_PRESENCE]
    parse_record(out)


def test_signature_is_removed_and_empty_extensions_disappear() -> None:
    sig = {"extension_type": "property-extension", "alg": "a", "key_id": "k", "signature": "s"}
    group = TEMPLATES["group"] | {"extensions": {EXT_SIGNATURE: sig}}
    out = transform(group, Rule(index=0))
    assert "extensions" not in out
    parse_record(out)


def test_a_rule_without_transformations_releases_the_object_unchanged() -> None:
    for obj in TEMPLATES.values():
        assert transform(obj, Rule(index=0)) == obj
