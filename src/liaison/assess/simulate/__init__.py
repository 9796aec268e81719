"""The scenario simulator: a synthetic conflict with known ground truth.

``simulate`` writes one STIX bundle per party, an open-sources bundle and
``ground_truth.json``; ``simulate_inputs`` returns the same records as frames
(for validation and benchmarks, without JSON).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..inputs import AssessmentInputs
from .config import SimConfig
from .ids import Ids, scenario_uuid
from .observe import observe
from .stix import objects_of
from .truth import ground_truth
from .world import build_world

__all__ = ["SimConfig", "SimulationSummary", "simulate", "simulate_inputs"]


@dataclass(frozen=True)
class SimulationSummary:
    """What ``simulate`` wrote."""

    out_dir: Path
    seed: int
    weeks: int
    bundles: dict[str, Path]
    ground_truth: Path
    counts: dict[str, int]


def simulate_inputs(config: SimConfig) -> tuple[AssessmentInputs, dict[str, Any], Ids]:
    """The scenario's input frames, its ground truth, and its id issuer."""
    world = build_world(config)
    ids = Ids(config.seed, config.parties, dict(config.identities))
    inputs, located = observe(world, ids)
    return inputs, ground_truth(world, ids, inputs, located), ids


def simulate(
    out_dir: Path,
    *,
    seed: int,
    weeks: int = 52,
    parties: Sequence[str] = ("A", "B"),
    strikes_per_party: int = 1500,
    bbox: tuple[float, float, float, float] | None = None,
    identities: dict[str, str] | None = None,
) -> SimulationSummary:
    """Write a simulated conflict to ``out_dir``: same seed and arguments, same bytes.

    ``bbox`` (lat_min, lon_min, lat_max, lon_max) sets the theatre; a smaller one
    gives fewer cells, hence fewer presence reports and events. ``identities`` maps
    a party name to an existing identity id (a node's own party) to report as.
    """
    if weeks < 1:
        raise ValueError("weeks must be ≥ 1")
    if not parties or len(set(parties)) != len(parties):
        raise ValueError("parties must be distinct and at least one")
    if strikes_per_party < 1:
        raise ValueError("strikes_per_party must be ≥ 1")
    config = SimConfig(
        seed=seed, weeks=weeks, parties=tuple(parties), strikes_per_party=strikes_per_party
    )
    if bbox is not None:
        lat0, lon0, lat1, lon1 = bbox
        if not (-90 <= lat0 < lat1 <= 90 and -180 <= lon0 < lon1 <= 180):
            raise ValueError(f"bbox must be lat_min < lat_max, lon_min < lon_max (got {bbox})")
        config = dataclasses.replace(config, bbox=bbox)
    if identities:
        unknown = sorted(set(identities) - set(parties))
        if unknown:
            raise ValueError(f"identities given for unknown parties: {', '.join(unknown)}")
        config = dataclasses.replace(config, identities=dict(identities))
    inputs, truth, ids = simulate_inputs(config)
    out_dir.mkdir(parents=True, exist_ok=True)
    bundles: dict[str, Path] = {}
    sources = [(f"party-{k}", pid) for k, pid in zip(parties, ids.parties.tolist(), strict=True)]
    for name, source in [*sources, ("open-sources", ids.monitor)]:
        objects = objects_of(inputs, ids, source)
        bundle = {
            "type": "bundle",
            "id": f"bundle--{scenario_uuid(seed, 'bundle/' + name)}",
            "objects": objects,
        }
        path = out_dir / f"{name}.json"
        path.write_bytes(orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS) + b"\n")
        bundles[name] = path
    truth_path = out_dir / "ground_truth.json"
    truth_path.write_bytes(
        orjson.dumps(truth, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )
    return SimulationSummary(out_dir, seed, weeks, bundles, truth_path, inputs.counts())
