"""Bad input: clear errors or well-defined results, never a traceback or an unexplained NaN."""

from __future__ import annotations

from typing import Any

import orjson
import polars as pl
import pytest

from liaison.assess import AssessmentError, AssessmentInputs, Params, inputs_from_objects, run
from liaison.assess.simulate import SimConfig, simulate_inputs

FAST = Params(bootstrap_replicates=50)


@pytest.fixture(scope="module")
def small() -> tuple[AssessmentInputs, dict[str, Any]]:
    inputs, truth, _ = simulate_inputs(SimConfig(seed=3, weeks=12, strikes_per_party=200))
    return inputs, truth


def test_empty_selection() -> None:
    with pytest.raises(AssessmentError, match="nothing to assess"):
        run(inputs_from_objects([]), FAST)


def test_period_without_records(small: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    with pytest.raises(AssessmentError, match="ends"):
        run(small[0], FAST, period=(10, 5))
    far = run(small[0], FAST, period=(0, 7 * 86_400_000 * 3))  # January 1970: weeks with no data
    assert all(w["no_data"] for g in far.data["group_state"] for w in g["weeks"])
    assert b"NaN" not in far.to_json_bytes()
    codes = {m["code"] for m in far.messages}
    assert "group-without-records" in codes


def test_unknown_group_and_party(small: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    with pytest.raises(AssessmentError, match="no group matches 'Nobody'"):
        run(small[0], FAST, group="Nobody")
    with pytest.raises(AssessmentError, match="no party matches"):
        run(small[0], FAST, party="identity--00000000-0000-4000-8000-000000000000")


def test_group_with_no_records(small: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    inputs, _ = small
    extra = pl.DataFrame(
        {"id": ["threat-actor--00000000-0000-4000-8000-000000000001"],
         "modified": ["2016-01-01T00:00:00.000Z"], "name": ["Silent Group"]}
    )  # fmt: skip
    frames = {k: inputs.frame(k) for k in ("strikes", "presence", "logistics", "events", "harm")}
    frames["groups"] = pl.concat([inputs.groups, extra])
    frames["parties"] = inputs.parties
    result = run(AssessmentInputs.from_frames(frames), FAST, group="silent group")
    (state,) = result.data["group_state"]
    assert "no event, presence or logistics record" in state["message"]
    assert all(g["share"] == 0.0 for r in result.data["targeting"] for g in r["groups"])


def test_single_party(small: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    inputs, truth = small
    first = next(iter(truth["parties"]))
    frames = {k: inputs.frame(k) for k in ("presence", "logistics", "events", "harm", "groups")}
    frames["strikes"] = inputs.strikes.filter(pl.col("party") == first)
    result = run(AssessmentInputs.from_frames(frames), FAST)
    assert "single-party" in {m["code"] for m in result.messages}
    assert [r["party"] for r in result.data["targeting"]] == [first]


def test_huge_location_uncertainty(small: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    inputs, _ = small
    frames = {k: inputs.frame(k) for k in ("presence", "logistics", "events", "groups", "parties")}
    frames["strikes"] = inputs.strikes.with_columns(pl.lit(500_000.0).alias("precision_m"))
    result = run(AssessmentInputs.from_frames(frames), FAST)
    texts = [m["text"] for m in result.messages if m["code"] == "imprecise-location"]
    assert any("strikes" in t and "left out" in t for t in texts)
    assert all("no strike report" in r["message"] for r in result.data["targeting"])
    data = orjson.loads(result.to_json_bytes())
    assert data["effects"] == []


def test_latest_version_wins_and_revoked_dropped() -> None:
    base = {
        "type": "liaison-harm-allegation", "spec_version": "2.1",
        "id": "liaison-harm-allegation--00000000-0000-4000-8000-000000000001",
        "created": "2016-01-01T00:00:00.000Z", "time_start": "2016-01-01T00:00:00Z",
        "time_end": "2016-01-01T01:00:00Z", "latitude": 35.0, "longitude": 38.0,
        "precision": 1000.0, "grading": "weak",
    }  # fmt: skip
    old = {**base, "modified": "2016-01-01T00:00:00.000Z"}
    new = {**base, "modified": "2016-02-01T00:00:00.000Z", "grading": "confirmed"}
    gone = {**base, "id": base["id"][:-1] + "2", "modified": "2016-01-01T00:00:00.000Z",
            "revoked": True}  # fmt: skip
    inputs = inputs_from_objects([new, old, gone])
    assert inputs.harm["grading"].to_list() == ["confirmed"]
    assert inputs.harm["t_start_ms"].to_list() == [1451606400000]


def test_strikes_without_presence_evidence_are_said_and_widen(
    small: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    """No presence data at all: not "100 % no known group (100–100 %)" but an honest bound."""
    inputs, _ = small
    frames = {k: inputs.frame(k) for k in ("strikes", "harm", "designations", "parties", "groups")}
    result = run(AssessmentInputs.from_frames(frames), FAST)
    for row in result.data["targeting"]:
        assert row["no_known_group"]["share"] == 1.0
        assert row["no_known_group"]["ci_low"] == 0.0
        assert all(g["ci_high"] == 1.0 for g in row["groups"])
        assert row["evidence"]["thin"] and row["evidence"]["no_evidence_share"] == 1.0
    assert "thin-evidence" in {m["code"] for m in result.messages}


def test_a_few_strikes_widen_the_interval(
    small: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    inputs, _ = small
    few = inputs.strikes.head(12)
    frames = {k: inputs.frame(k) for k in ("presence", "events", "parties", "groups")}
    result = run(AssessmentInputs.from_frames({**frames, "strikes": few}), FAST)
    from scipy import stats

    rows = [
        (g["ci_high"] - g["ci_low"], g["share"], r["strikes"])
        for r in result.data["targeting"]
        for g in r.get("groups", [])
        if g["share"] > 0.2
    ]
    assert rows
    for width, share, n in rows:
        # never narrower than the Jeffreys interval of a proportion over so few strikes
        # (18 strikes all on one group: 0.86–1)
        a, b = share * n + 0.5, (1.0 - share) * n + 0.5
        assert width >= stats.beta.ppf(0.975, a, b) - stats.beta.ppf(0.025, a, b) - 1e-6
        assert width > 0.12
    assert any(
        "only" in n
        for r in result.data["targeting"]
        for n in r.get("evidence", {}).get("notes", [])
    )
