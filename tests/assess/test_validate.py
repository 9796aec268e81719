"""The validation harness: the scorer, the criteria, the baselines and the command."""

from __future__ import annotations

import copy
from typing import Any

import polars as pl
import pytest

from liaison.assess import AssessmentInputs, Params, run
from liaison.assess.validate import (
    Criterion,
    evidence_rule_shares,
    main,
    newsroom_share,
    placebo_failed,
    score,
    summarise,
)
from liaison.assess.worlds import towns
from liaison.assess.worlds.common import START_MS, WEEK_MS


@pytest.fixture(scope="module")
def world() -> tuple[AssessmentInputs, dict[str, Any]]:
    return towns(7)


def _oracle(inputs: AssessmentInputs, truth: dict[str, Any]) -> dict[str, Any]:
    """What a perfect method would output for this scenario (from the truth)."""
    targeting = []
    for party, shares in truth["targeting_share"].items():
        groups = [
            {"group": g, "share": s, "ci_low": s - 0.01, "ci_high": s + 0.01}
            for g, s in shares.items()
            if g != "none"
        ]
        none = shares["none"]
        targeting.append({"party": party, "groups": groups,
                          "no_known_group": {"share": none, "ci_low": none - 0.01,
                                             "ci_high": none + 0.01}})  # fmt: skip
    made = inputs.strikes.group_by(["party", "target_category"]).len().iter_rows()
    effects = [
        {"party": p, "target_category": c, "outcome": o, "effect": t, "ci_low": t - 0.05,
         "ci_high": t + 0.05, "significant": t != 0.0, "pre_trend": 0.0,
         "pre_trend_ci": [-0.05, 0.05]}
        for p, c, _ in made if c in truth["effects"]
        for o, t in truth["effects"][c].items()
    ]  # fmt: skip
    corroboration = [
        {"party": p, "inflation_points": c["inflation_points"],
         "inflation_ci": [c["inflation_points"] - 2, c["inflation_points"] + 2]}
        for p, c in truth["claims"].items()
    ]  # fmt: skip
    return {"targeting": targeting, "effects": effects, "corroboration": corroboration}


def _by_name(rows: list[Criterion]) -> dict[str, Criterion]:
    return {c.name: c for c in rows}


def test_a_perfect_estimate_passes_every_criterion(
    world: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, truth = world
    s = score(inputs, truth, _oracle(inputs, truth), baselines=False)
    rows = summarise([s], min_scenarios=1)
    bad = [c for c in rows if c.passed is False and not c.name.startswith("placebo")]
    assert not bad, bad
    assert len(s.targeting) == 2 * 5 and len(s.inflation) == 2


def test_the_scorer_flags_a_wrong_targeting_share(
    world: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, truth = world
    data = _oracle(inputs, truth)
    wrong = copy.deepcopy(data)
    main = truth["islamic_state_group"]
    for g in wrong["targeting"][0]["groups"]:
        if g["group"] == main:
            g["share"] -= 0.10  # ten points low, interval still around the truth
    rows = _by_name(summarise([score(inputs, truth, wrong, baselines=False)], 1))
    assert rows["targeting share, Islamic State: largest error"].passed is False
    assert "10.00 pp" in rows["targeting share, Islamic State: largest error"].value
    narrow = copy.deepcopy(data)
    for r in narrow["targeting"]:
        for g in r["groups"]:
            g["ci_low"] = g["ci_high"] = g["share"] + 0.02  # 2 points off, never covering
    rows = _by_name(summarise([score(inputs, truth, narrow, baselines=False)], 1))
    assert rows["targeting share, Islamic State: largest error"].passed is True
    assert rows["95 % interval covers the truth (truth > 0)"].passed is False


def test_the_scorer_flags_wrong_effects_and_inflation(
    world: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, truth = world
    data = _oracle(inputs, truth)
    for e in data["effects"]:
        if e["effect"] != 0.0:
            e["effect"] = -e["effect"]  # wrong sign
        else:
            e["significant"] = True
    data["corroboration"][1]["inflation_points"] += 40.0  # 'damaged' read as a success
    rows = _by_name(summarise([score(inputs, truth, data, baselines=False)], 1))
    assert rows["effects ≥ 20 %: sign right"].passed is False
    assert rows["zero effects flagged significant"].passed is False
    assert rows["claim inflation within ±5 points"].passed is False
    # rows the method does not give are cases it did not estimate
    empty = _by_name(summarise([score(inputs, truth, {"effects": []}, baselines=False)], 1))
    assert empty["effects ≥ 20 %: estimated"].passed is False
    assert (
        empty["targeting share within ±3 pp (every party ≥ 1,000 strikes × group, and none)"].passed
        is False
    )


def test_placebo_reading() -> None:
    assert placebo_failed({"pre_trend_ci": [0.05, 0.3]}) is True
    assert placebo_failed({"pre_trend_ci": [-0.05, 0.3]}) is False
    assert placebo_failed({"placebo": {"passed": False}, "pre_trend_ci": [-1, 1]}) is True
    assert placebo_failed({"pre_trend_significant": True}) is True
    assert placebo_failed({"message": "too few"}) is None


def test_pre_trend_criterion_reads_the_cued_row() -> None:
    inputs, truth = towns(8, pre_trend=True)
    data = _oracle(inputs, truth)
    cue = truth["pre_trend"]
    s = score(inputs, truth, data, baselines=False)
    assert [(p["party"], p["category"]) for p in s.placebo] == [(cue["party"], cue["category"])]
    rows = _by_name(summarise([s], 0))
    assert rows["placebo check fails on the pre-trend scenario"].passed is False
    for e in data["effects"]:
        if (e["party"], e["target_category"], e["outcome"]) == (
            cue["party"], cue["category"], cue["outcome"]
        ):  # fmt: skip
            e["pre_trend_ci"] = [0.1, 0.4]
    rows = _by_name(summarise([score(inputs, truth, data, baselines=False)], 0))
    assert rows["placebo check fails on the pre-trend scenario"].passed is True


def _tiny(strike_lat: float, event_lat: float, event_weeks: int) -> AssessmentInputs:
    t0 = START_MS + 10 * WEEK_MS
    return AssessmentInputs.from_frames({
        "strikes": pl.DataFrame({"id": ["s1"], "party": ["P"], "t_start_ms": [t0],
                                 "lat": [strike_lat], "lon": [38.0], "strikes": [1]}),
        "events": pl.DataFrame({"id": ["e1"], "initiator": ["G"], "source": ["M"],
                                "t_start_ms": [t0 + event_weeks * WEEK_MS],
                                "lat": [event_lat], "lon": [38.0]}),
        "groups": pl.DataFrame({"id": ["G"], "name": ["IS"]}),
    })  # fmt: skip


def test_newsroom_heuristic_is_25_km_and_4_weeks() -> None:
    assert newsroom_share(_tiny(35.0, 35.2, 3), "P", "G") == 1.0  # 22 km, 3 weeks
    assert newsroom_share(_tiny(35.0, 35.25, 0), "P", "G") == 0.0  # 28 km
    assert newsroom_share(_tiny(35.0, 35.0, 5), "P", "G") == 0.0  # 5 weeks
    rule = evidence_rule_shares(_tiny(35.0, 35.05, 2), "P")
    assert rule == {"G": 1.0, "none": 0.0}
    assert evidence_rule_shares(_tiny(35.0, 35.1, 2), "P") == {"G": 0.0, "none": 1.0}


def test_method_output_is_scored_without_passing_truth(
    world: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, truth = world
    data = run(inputs, Params(bootstrap_replicates=50)).data
    s = score(inputs, truth, data)
    assert {t["party"] for t in s.targeting} == set(truth["targeting_share"])
    assert all(b["newsroom"] is not None for b in s.baselines)
    assert {e["category"] for e in s.effects} >= {"headquarters", "weapons-storage"}


def test_command_prints_the_tables_and_fails_below_20_scenarios(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--family", "towns", "--scenarios", "1", "--sensitivity-scenarios", "0",
                 "--pre-trend-scenarios", "0", "--jobs", "1"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 1
    assert "### Family towns" in out.out and "newsroom heuristic" in out.out
    assert "| scenarios | 1 | ≥ 20 | NO |" in out.out
    assert "[1/1] towns seed 1" in out.err


def test_sensitivity_varies_each_default_one_at_a_time() -> None:
    from liaison.assess.validate.sensitivity import variants

    base = Params()
    out, notes = variants(base)
    assert not notes
    concepts = {label.split("=")[0] for label in out}
    assert {"presence_threshold", "presence_half_life_weeks", "grading weights"} <= concepts
    assert "control_contested_from" in concepts
    assert out["control_contested_from=1"].control_contested_from == 1.0  # the reading off
    # unplaced strikes' weeks: an integer parameter stays an integer; 0 keeps them
    assert out["effect_unplaced_weeks=12"].effect_unplaced_weeks == 12
    assert type(out["effect_unplaced_weeks=0"].effect_unplaced_weeks) is int
    # the weeks' vote on control (2.8.0): saturating later, and off (every week in full)
    assert out["control_vote_saturation=0"].control_vote_saturation == 0.0
    assert out["control_vote_saturation=1"].control_vote_saturation == 1.0
    # the ambiguous strikes' bounds (2.9.0): narrower, and none
    assert out["targeting_plausible=0.2"].targeting_plausible == 0.2
    assert out["targeting_plausible=0.5"].targeting_plausible == 0.5
    assert len(concepts) == 8  # and one tolerance parameter
    for label, params in out.items():
        changed = [f for f in base.__dataclass_fields__ if getattr(params, f) != getattr(base, f)]
        assert changed and (len(changed) == 1 or label.startswith("grading")), (label, changed)
