"""Coarse ("near X") strike reports placed where another source saw them (effects)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from liaison.assess import Params, run
from liaison.assess.corroboration import observed_cells
from liaison.assess.errors import Messages
from liaison.assess.matching import _centres
from liaison.assess.prepare import prepare
from liaison.assess.worlds import TownsConfig, towns, towns_world
from liaison.assess.worlds.common import distance_km

SEED = 3


@pytest.fixture(scope="module")
def coarse_world():  # type: ignore[no-untyped-def]
    world = towns_world(TownsConfig(seed=SEED))
    inputs, truth = towns(SEED)
    return world, inputs, truth


def test_seen_coarse_reports_are_placed_at_the_struck_town(coarse_world) -> None:  # type: ignore[no-untyped-def]
    world, inputs, _ = coarse_world
    params = Params()
    prep = prepare(inputs, params, None, Messages())
    strikes = prep.frames["strikes"]
    coarse = np.flatnonzero(strikes["precision_m"].to_numpy() > params.effect_max_precision_m)
    cell, precision = observed_cells(prep, params, coarse)
    seen = cell >= 0
    assert 0.2 < seen.mean() < 0.9  # some, not all, were seen by another source
    assert np.all(precision[seen] <= params.effect_max_precision_m)
    assert np.all(np.isnan(precision[~seen]))
    # where the report named a town 10-25 km off, the observation is at the struck one
    order = {k: i for i, k in enumerate(inputs.strikes["id"].to_list())}
    src = np.array([order[k] for k in strikes["id"].gather(coarse[seen]).to_list()])
    town = world.strike_town[src]
    lat, lon = _centres(prep.grid.cells[cell[seen]])
    placed_km = distance_km(lat, lon, world.towns.lat[town], world.towns.lon[town])
    named_km = distance_km(
        strikes["lat"].to_numpy()[coarse[seen]], strikes["lon"].to_numpy()[coarse[seen]],
        world.towns.lat[town], world.towns.lon[town],
    )  # fmt: skip
    assert np.median(named_km) > 9.0
    assert np.median(placed_km) < 4.5 and np.mean(placed_km < 5.0) > 0.7


def test_coarse_party_effects_are_estimated_only_when_placed(coarse_world) -> None:  # type: ignore[no-untyped-def]
    world, inputs, _ = coarse_world
    coarse_party = world.party_ids[1]
    params = Params(bootstrap_replicates=50)
    placed = run(inputs, params).effect(coarse_party, "headquarters", "activity")
    assert placed["strikes_placed_by_observation"] > 10
    assert placed["strikes_placed"] == placed["strikes_placed_by_observation"]
    assert placed["effect"] is not None and placed["effect"] < 0  # truth: -35 %
    assert placed["ci_high"] < 0
    unplaced = run(inputs, dataclasses.replace(params, effect_place_by_observation=False))
    row = unplaced.effect(coarse_party, "headquarters", "activity")
    assert row.get("effect") is None and row["strikes_placed"] == 0
    assert "seen by another source" in row["message"]
