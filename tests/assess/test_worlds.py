"""The validation worlds: deterministic, carrying the traits of real data, truth consistent."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from liaison.assess import AssessmentInputs
from liaison.assess.worlds import TownsConfig, TownsWorld, scenario, towns, towns_world
from liaison.assess.worlds.common import START_MS, WEEK_MS, distance_km


@pytest.fixture(scope="module")
def town_world() -> TownsWorld:
    return towns_world(TownsConfig(seed=3))


@pytest.fixture(scope="module")
def town_scenario() -> tuple[AssessmentInputs, dict[str, Any]]:
    return towns(3)


def _frames_equal(a: AssessmentInputs, b: AssessmentInputs) -> bool:
    return all(a.frame(k).equals(b.frame(k)) for k in ("strikes", "events", "presence"))


def test_towns_is_deterministic_per_seed(
    town_scenario: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    again, truth = towns(3)
    assert _frames_equal(again, town_scenario[0])
    assert truth == town_scenario[1]
    other, _ = towns(4)
    assert not _frames_equal(other, town_scenario[0])


def test_unknown_family_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown scenario family 'nope'.*towns"):
        scenario("nope", 1)


def test_towns_open_events_carry_no_grading(
    town_scenario: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, truth = town_scenario
    ev = inputs.events
    open_ev = ev.filter(pl.col("source") == truth["open_monitor"])
    assert open_ev.height > 10_000
    assert open_ev["reliability"].null_count() == open_ev.height
    assert open_ev["credibility"].null_count() == open_ev.height
    party_ev = ev.filter(pl.col("source") != truth["open_monitor"])
    assert party_ev["reliability"].null_count() == 0


def test_towns_coarse_party_reports_near_a_town_10_to_25_km_away(
    town_world: TownsWorld, town_scenario: tuple[AssessmentInputs, dict[str, Any]]
) -> None:
    inputs, _ = town_scenario
    coarse = inputs.strikes.filter(pl.col("party") == town_world.party_ids[1])
    prec = coarse["precision_m"].to_numpy()
    assert prec.min() >= 10_000 and prec.max() <= 25_000
    t = town_world.towns
    # the reported points are real towns ("near X"), 10–25 km from the struck town
    struck = town_world.strike_town[town_world.strike_party == 1]
    d = distance_km(
        coarse["lat"].to_numpy(), coarse["lon"].to_numpy(), t.lat[struck], t.lon[struck]
    )
    assert np.median(d) > 9.0 and np.quantile(d, 0.9) < 27.0
    at_town = np.isin(np.round(coarse["lat"].to_numpy(), 5), np.round(t.lat, 5))
    assert at_town.mean() > 0.8
    precise = inputs.strikes.filter(pl.col("party") == town_world.party_ids[0])
    struck0 = town_world.strike_town[town_world.strike_party == 0]
    d0 = distance_km(
        precise["lat"].to_numpy(), precise["lon"].to_numpy(), t.lat[struck0], t.lon[struck0]
    )
    assert np.median(d0) < 2.0
    assert 0.05 < np.mean(d0 > 2.5) < 0.2  # sometimes 2–5 km off


def test_towns_strikes_concentrate_on_a_few_dozen_towns_repeatedly(town_world: TownsWorld) -> None:
    for p in (0, 1):
        mine = town_world.strike_town[town_world.strike_party == p]
        counts = np.sort(np.bincount(mine, minlength=town_world.towns.n))[::-1]
        assert counts[:40].sum() > 0.6 * mine.size  # a few dozen towns take most strikes
        weeks = town_world.strike_week[town_world.strike_party == p]
        top = np.argmax(np.bincount(mine))
        assert np.unique(weeks[mine == top]).size > 20  # struck again and again


def test_towns_under_reporting_inside_islamic_state_territory(
    town_world: TownsWorld, town_scenario: tuple[AssessmentInputs, dict[str, Any]]
) -> None:
    inputs, _ = town_scenario
    ev = inputs.events.filter(pl.col("initiator").is_in(list(town_world.group_ids)))
    t = town_world.towns
    week = (ev["t_start_ms"].to_numpy() - START_MS) // WEEK_MS
    # nearest town of each event
    d = distance_km(ev["lat"].to_numpy()[:, None], ev["lon"].to_numpy()[:, None], t.lat, t.lon)
    town = np.argmin(d, axis=1)
    held_by_is = town_world.control[week, town] == 0
    expected = town_world.rate[town_world.control == 0].sum()
    expected_other = town_world.rate[town_world.control > 0].sum()
    ratio_is = held_by_is.sum() / expected
    ratio_other = (town_world.control[week, town] > 0).sum() / expected_other
    assert ratio_is < 0.65 * ratio_other  # about half of what happens there is unreported


def test_towns_misattributed_events_exist(
    town_world: TownsWorld, town_scenario: tuple[AssessmentInputs, dict[str, Any]]
) -> None:
    inputs, _ = town_scenario
    ev = inputs.events.filter(pl.col("initiator").is_in(list(town_world.group_ids)))
    t = town_world.towns
    week = (ev["t_start_ms"].to_numpy() - START_MS) // WEEK_MS
    d = distance_km(ev["lat"].to_numpy()[:, None], ev["lon"].to_numpy()[:, None], t.lat, t.lon)
    holder = town_world.control[week, np.argmin(d, axis=1)]
    gid = np.array(town_world.group_ids)
    named = ev["initiator"].to_numpy()
    held = holder >= 0
    wrong = (named[held] != gid[holder[held]]).mean()
    assert 0.02 < wrong < 0.25  # a few % misattributed (plus events near other towns)


def test_towns_truth_matches_the_generated_strikes(
    town_world: TownsWorld, town_scenario: tuple[AssessmentInputs, dict[str, Any]]
) -> None:
    _, truth = town_scenario
    for p, pid in enumerate(town_world.party_ids):
        mine = town_world.strike_party == p
        w = town_world.strike_weight[mine]
        holder = town_world.control[town_world.strike_week[mine], town_world.strike_town[mine]]
        share_is = w[holder == 0].sum() / w.sum()
        assert truth["targeting_share"][pid][town_world.group_ids[0]] == pytest.approx(share_is)
        assert sum(truth["targeting_share"][pid].values()) == pytest.approx(1.0)
    precise, coarse = (truth["targeting_share"][pid] for pid in town_world.party_ids)
    assert precise[truth["islamic_state_group"]] > 0.8
    assert 0.08 < coarse[truth["islamic_state_group"]] < 0.25


def test_towns_damaged_means_not_destroyed_for_the_coarse_party(
    town_world: TownsWorld, town_scenario: tuple[AssessmentInputs, dict[str, Any]]
) -> None:
    inputs, truth = town_scenario
    coarse = inputs.strikes.filter(pl.col("party") == town_world.party_ids[1])
    words = set(coarse["claimed_effect"].unique().to_list())
    assert words == {"destroyed", "damaged", "unknown"}
    claims = truth["claims"][town_world.party_ids[1]]
    assert claims["inflation_points"] == 0.0
    assert claims["naive_claimed_success_rate"] == 1.0  # read as standard words: +60 points
    assert claims["vocabulary"]["damaged"] == "failure"


def test_towns_pre_trend_scenario_has_a_trend_in_treated_towns() -> None:
    world = towns_world(TownsConfig(seed=3, pre_trend=True))
    _, truth = towns(3, pre_trend=True)
    cue = truth["pre_trend"]
    assert cue["category"] == "training-camp" and truth["effects"]["training-camp"]["activity"] == 0
    sel = (world.strike_party == 0) & (world.strike_category == "training-camp")
    assert sel.sum() > 50
    assert set(np.unique(world.strike_town[sel])) <= set(world.trending.tolist())
    rates = world.rate[:, world.trending].sum(axis=1)
    assert rates[-8:].mean() > 2.0 * rates[:8].mean()
