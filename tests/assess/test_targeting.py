"""Targeting share against simulated ground truth."""

from __future__ import annotations

from typing import Any

from liaison.assess import AssessmentInputs, AssessmentResult


def test_share_within_3pp_and_ci_covers(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    main = truth["islamic_state_group"]
    for party, shares in truth["targeting_share"].items():
        row = assessed.targeting_share(party, main)
        assert abs(row["share"] - shares[main]) <= 0.03, (party, row, shares[main])
        assert row["ci_low"] <= shares[main] <= row["ci_high"]
        assert row["ci_low"] < row["share"] < row["ci_high"]


def test_breakdown_adds_up_and_sensitivity(assessed: AssessmentResult) -> None:
    for row in assessed.data["targeting"]:
        total = sum(g["share"] for g in row["groups"]) + row["no_known_group"]["share"]
        assert abs(total - 1.0) < 1e-4
        sens = row["sensitivity"]
        assert {s["threshold"] for s in sens} == {0.3, 0.5, 0.7}
        assert {s["tolerance_m"] for s in sens} == {0.0, 5000.0, 10000.0}
        # a lower threshold can only widen where groups count as present
        low = next(s for s in sens if s["threshold"] == 0.3 and s["tolerance_m"] == 0.0)
        high = next(s for s in sens if s["threshold"] == 0.7 and s["tolerance_m"] == 0.0)
        assert low["no_known_group"] <= high["no_known_group"]


def test_group_state_has_ci_and_footprint(assessed: AssessmentResult) -> None:
    main = assessed.data["group_state"][0]
    weeks = main["weeks"]
    assert len(weeks) >= 50
    assert all(w["activity_ci"][0] <= w["activity"] <= w["activity_ci"][1] for w in weeks)
    assert any(w["footprint_km2"] > 1000 for w in weeks)
