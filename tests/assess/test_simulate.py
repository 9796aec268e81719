"""The simulator: reproducible bytes, valid records, frames equal to their STIX form."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import orjson
import polars as pl
import pytest

from liaison.assess import inputs_from_objects
from liaison.assess.simulate import SimConfig, simulate, simulate_inputs


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    simulate(out / "one", seed=5, weeks=10, strikes_per_party=1000)
    return out


def _objects(directory: Path) -> list[dict[str, object]]:
    objs: list[dict[str, object]] = []
    for path in sorted(directory.glob("*.json")):
        if path.name != "ground_truth.json":
            objs.extend(orjson.loads(path.read_bytes())["objects"])
    return objs


def test_same_seed_same_bytes(written: Path, tmp_path: Path) -> None:
    simulate(tmp_path, seed=5, weeks=10, strikes_per_party=1000)
    names = sorted(p.name for p in (written / "one").iterdir())
    assert names == ["ground_truth.json", "open-sources.json", "party-A.json", "party-B.json"]
    for name in names:
        assert (tmp_path / name).read_bytes() == (written / "one" / name).read_bytes(), name


def test_other_seed_other_bytes(written: Path, tmp_path: Path) -> None:
    simulate(tmp_path, seed=6, weeks=10, strikes_per_party=1000)
    assert (tmp_path / "party-A.json").read_bytes() != (
        written / "one" / "party-A.json"
    ).read_bytes()


def test_at_least_1000_strikes_per_party_and_truth(written: Path) -> None:
    truth = orjson.loads((written / "one" / "ground_truth.json").read_bytes())
    parties = sorted(truth["parties"], key=lambda p: truth["parties"][p]["key"])
    assert len(parties) == 2
    objs = _objects(written / "one")
    strikes = [o for o in objs if o["type"] == "liaison-strike-report"]
    for party in parties:
        assert sum(o["party_ref"] == party for o in strikes) == 1000
    main = truth["islamic_state_group"]
    shares = [truth["targeting_share"][p][main] for p in parties]
    assert shares[0] > 0.8 and shares[1] < 0.25  # ~90 % and ~15 % on the IS-like group
    assert {e["activity"] for e in truth["effects"].values()} >= {0.0, 0.3}
    assert truth["claims"][parties[1]]["inflation_points"] > 10


def test_frames_equal_their_stix_form(written: Path) -> None:
    config = SimConfig(seed=5, weeks=10, strikes_per_party=1000)
    direct, _, _ = simulate_inputs(config)
    parsed = inputs_from_objects(_objects(written / "one"))
    for kind in ("strikes", "presence", "logistics", "events", "harm", "designations"):
        a = direct.frame(kind).sort("id")
        b = parsed.frame(kind).sort("id")
        assert a.equals(b), kind


@pytest.mark.skipif(importlib.util.find_spec("liaison.records") is None, reason="no records")
def test_every_object_parses_with_liaison_records(written: Path) -> None:
    from liaison.records import parse_record

    objs = _objects(written / "one")
    assert len(objs) > 10_000
    for obj in objs:
        parse_record(obj)


def test_frames_have_documented_columns() -> None:
    inputs, _, _ = simulate_inputs(SimConfig(seed=1, weeks=4, strikes_per_party=50))
    assert inputs.strikes.schema["t_start_ms"] == pl.Int64
    assert inputs.events["initiator"].null_count() > 0
