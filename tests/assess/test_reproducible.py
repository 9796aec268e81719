"""Reproducibility: same inputs and parameters, same bytes; parameters round-trip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.assess import (
    METHOD_VERSION,
    AssessmentInputs,
    AssessmentResult,
    Params,
    inputs_digest,
    inputs_from_parquet,
    run,
    write_parquet,
)


def test_byte_identical_json(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    again = run(scenario[0], Params())
    assert again.to_json_bytes() == assessed.to_json_bytes()
    data = orjson.loads(assessed.to_json_bytes())
    assert data["method_version"] == METHOD_VERSION
    assert data["parameters"] == Params().to_dict()
    assert len(data["inputs_digest"]) == 64
    assert b"NaN" not in assessed.to_json_bytes()


def test_parameters_change_the_result(scenario: tuple[AssessmentInputs, dict[str, Any]]) -> None:
    params = Params(bootstrap_seed=7, bootstrap_replicates=50)
    a = run(scenario[0], params, party=None)
    assert a.data["parameters"]["bootstrap_seed"] == 7
    assert a.to_json_bytes() != run(scenario[0], Params(bootstrap_replicates=50)).to_json_bytes()


def test_params_round_trip_and_validation() -> None:
    p = Params(presence_threshold=0.4, sensitivity_scales=(0.2, 0.6), presence_floor_m=2_000.0)
    assert Params.from_dict(orjson.loads(orjson.dumps(p.to_dict()))) == p
    with pytest.raises(ValueError, match="presence_threshold"):
        Params(presence_threshold=1.5)
    with pytest.raises(ValueError, match="unknown parameters"):
        Params.from_dict({"nope": 1})


def test_parquet_round_trip(
    scenario: tuple[AssessmentInputs, dict[str, Any]], tmp_path: Path
) -> None:
    write_parquet(scenario[0], tmp_path)
    back = inputs_from_parquet(tmp_path)
    for kind in ("strikes", "events", "presence"):
        assert back.frame(kind).equals(scenario[0].frame(kind))
    assert inputs_digest(back) == inputs_digest(scenario[0])
