"""Strike effects and corroboration against simulated ground truth."""

from __future__ import annotations

from typing import Any

from liaison.assess import AssessmentInputs, AssessmentResult


def test_large_effects_sign_and_magnitude(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    rows = [r for r in assessed.data["effects"] if r.get("effect") is not None]
    big = [r for r in rows if abs(truth["effects"][r["target_category"]][r["outcome"]]) >= 0.2]
    assert len(big) >= 10
    good = 0
    for r in big:
        true = truth["effects"][r["target_category"]][r["outcome"]]
        assert (r["effect"] > 0) == (true > 0), r
        good += abs(r["effect"] - true) <= 0.25 * abs(true)
    assert good >= 0.8 * len(big)


def test_event_study_profile(assessed: AssessmentResult) -> None:
    row = next(r for r in assessed.data["effects"] if r.get("event_study"))
    assert [e["lag"] for e in row["event_study"]] == list(range(-8, 9))
    assert abs(row["pre_trend"]) < 0.05


def test_inflation_recovered(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    for party, claims in truth["claims"].items():
        row = assessed.corroboration(party)
        assert abs(row["inflation_points"] - claims["inflation_points"]) <= 5.0, row


def test_harm_and_designations(assessed: AssessmentResult) -> None:
    harm = assessed.data["harm"]
    assert sum(p["linked"] for p in harm["parties"]) > 0.7 * harm["allegations"]
    matrix = assessed.data["designations"]["matrix"]
    assert {m["agreement"] for m in matrix} == {"agree", "disagree"}
