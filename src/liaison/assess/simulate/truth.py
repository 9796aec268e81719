"""Ground truth of a simulated scenario, keyed by the ids the records carry."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ..inputs import AssessmentInputs
from .config import CATEGORIES, GROUPS
from .ids import Ids
from .world import World

__all__ = ["ground_truth"]


def _shares(world: World, ids: Ids) -> dict[str, dict[str, float]]:
    """Realised share of each party's strikes (weighted by ``strikes``) in each group's area."""
    s = world.strikes
    out: dict[str, dict[str, float]] = {}
    for key, pid in zip(world.config.parties, ids.parties.tolist(), strict=True):
        mine = s.filter(pl.col("party") == key)
        weight = mine["strikes"].to_numpy().astype(np.float64)
        group = mine["true_group"].to_numpy()
        total = max(weight.sum(), 1.0)
        row = {
            gid: float(weight[group == g].sum() / total)
            for g, gid in enumerate(ids.groups.tolist())
        }
        row["none"] = float(weight[group < 0].sum() / total)
        out[pid] = row
    return out


def _claims(world: World, ids: Ids) -> dict[str, dict[str, float]]:
    s = world.strikes.filter(pl.col("claimed_effect") != "unknown")
    out = {}
    for key, pid in zip(world.config.parties, ids.parties.tolist(), strict=True):
        mine = s.filter(pl.col("party") == key)
        claimed = _mean(mine["claimed_effect"].is_in(["destroyed", "damaged"]).to_numpy())
        true = _mean(mine["true_success"].to_numpy())
        out[pid] = {
            "upgrade_probability": world.inflation.get(key, 0.0),
            "claimed_success_rate": claimed,
            "true_success_rate": true,
            "inflation_points": 100.0 * (claimed - true),
        }
    return out


def _mean(values: npt.NDArray[Any]) -> float:
    return float(values.astype(np.float64).mean()) if values.size else 0.0


def ground_truth(
    world: World, ids: Ids, inputs: AssessmentInputs, located: pl.DataFrame
) -> dict[str, Any]:
    """What the method should recover, with the scenario's settings."""
    cfg = world.config
    gids = ids.groups.tolist()
    return {
        "seed": cfg.seed,
        "weeks": cfg.weeks,
        "start_ms": cfg.start_ms,
        "parties": {
            pid: {"key": k, "name": ids.party_name(k)}
            for k, pid in zip(cfg.parties, ids.parties.tolist(), strict=True)
        },
        "open_monitor": ids.monitor,
        "groups": {gid: {"key": g[0], "name": g[1]} for g, gid in zip(GROUPS, gids, strict=True)},
        "islamic_state_group": gids[0],
        "targeting_share": _shares(world, ids),
        "targeting_propensity": {
            pid: {(gids[GROUPS_KEYS.index(k)] if k in GROUPS_KEYS else k): v for k, v in t.items()}
            for pid, t in zip(ids.parties.tolist(), world.targeting.values(), strict=True)
        },
        "effects": {c[0]: {"activity": c[1], "logistics": c[2]} for c in CATEGORIES},
        "effect_weeks": cfg.effect_weeks,
        "claims": _claims(world, ids),
        "strikes_per_party": cfg.strikes_per_party,
        "counts": inputs.counts(),
    }


GROUPS_KEYS = tuple(g[0] for g in GROUPS)
