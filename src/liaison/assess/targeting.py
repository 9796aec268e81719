"""Targeting share S(party, group): the share of a party's strikes where the group was present.

A strike counts for a group when P(group) ≥ θ in its cell and week, or within the
rings its location precision plus the spatial tolerance reach. ``share`` attributes
each strike to one group (the one present in its own cell with the highest P, else
the highest P within tolerance; otherwise "no known group"), so the shares and
"none" add up to 1; ``share_any`` counts a strike for every group present.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import numpy.typing as npt

from .params import Params
from .prepare import Prepared

__all__ = ["party_seed", "ring_maxima", "targeting"]

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]


def party_seed(params: Params, *keys: str) -> np.random.Generator:
    """A generator seeded by the bootstrap seed and stable keys (not by list positions)."""
    h = int.from_bytes(hashlib.sha256("/".join(keys).encode()).digest()[:8], "big")
    return np.random.default_rng([params.bootstrap_seed, h])


def ring_maxima(p: F32, prep: Prepared, rings: int) -> list[F32]:
    """``out[d][c, w, g]``: the highest P within ``d`` rings of cell ``c``."""
    out = [p]
    grid = prep.grid
    for d in range(1, rings + 1):
        m = out[-1].copy()
        for slot in np.flatnonzero(grid.slot_ring == d):
            np.maximum(m, p[grid.neighbours[:, slot]], out=m)
        out.append(m)
    return out


def _classify(own: F32, near: F32, theta: float) -> tuple[I64, npt.NDArray[np.bool_]]:
    score = np.where(own >= theta, 1.0 + own, np.where(near >= theta, near, 0.0))
    best = np.argmax(score, axis=1) if score.shape[1] else np.zeros(score.shape[0], np.int64)
    has = score.max(axis=1) > 0 if score.shape[1] else np.zeros(score.shape[0], bool)
    return np.where(has, best, -1).astype(np.int64), near >= theta


def _bootstrap(
    assigned: I64, weight: I64, n_groups: int, params: Params, rng: np.random.Generator
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Percentile CI of the attributed shares, resampling reports (multinomial classes)."""
    keys, counts = np.unique(np.stack([assigned, weight]), axis=1, return_counts=True)
    draws = rng.multinomial(int(counts.sum()), counts / counts.sum(), params.bootstrap_replicates)
    mass = draws * keys[1][None, :]
    total = np.maximum(mass.sum(axis=1), 1)
    shares = np.stack(
        [mass[:, keys[0] == g].sum(axis=1) / total for g in range(-1, n_groups)], axis=1
    )
    alpha = (1.0 - params.confidence_level) / 2.0
    return np.quantile(shares, alpha, axis=0), np.quantile(shares, 1.0 - alpha, axis=0)


def _shares(assigned: I64, present: npt.NDArray[np.bool_], weight: I64, n_groups: int) -> Any:
    total = max(int(weight.sum()), 1)
    attributed = np.bincount(assigned + 1, weights=weight, minlength=n_groups + 1) / total
    anywhere = (present * weight[:, None]).sum(axis=0) / total
    return attributed, anywhere


def targeting(p: F32, prep: Prepared, params: Params, parties: list[str]) -> list[dict[str, Any]]:
    """Targeting share of each party over every group, with CI, breakdown and sensitivity."""
    strikes = prep.frames["strikes"]
    in_period = (strikes["week"] >= prep.first) & (strikes["week"] <= prep.last)
    strikes = strikes.filter(in_period)
    tolerances = sorted({params.targeting_tolerance_m, *params.sensitivity_tolerances_m})
    prec = strikes["precision_m"].fill_null(0.0).to_numpy()
    k_max = params.targeting_max_tolerance_rings
    maxima = ring_maxima(p, prep, k_max)
    cell, week = strikes["cell"].to_numpy(), strikes["week"].to_numpy()
    own = p[cell, week]
    near_by_tol = {}
    for tol in tolerances:
        k = np.minimum(np.rint((prec + tol) / prep.spacing_m), k_max).astype(np.int64)
        near = np.empty_like(own)
        for d in range(k_max + 1):
            sel = k == d
            near[sel] = maxima[d][cell[sel], week[sel]]
        near_by_tol[tol] = near
    party_col = strikes["party"].to_numpy()
    weight_all = strikes["strikes"].fill_null(1).clip(1, None).to_numpy().astype(np.int64)
    claimed = strikes["target_group"].to_numpy()
    n_g = len(prep.groups)
    out = []
    for party in parties:
        sel = party_col == party
        n_rep = int(sel.sum())
        row: dict[str, Any] = {
            "party": party,
            "reports": n_rep,
            "strikes": int(weight_all[sel].sum()),
        }
        if n_rep == 0:
            row["message"] = "no strike report of this party in the period"
            out.append(row)
            continue
        w = weight_all[sel]
        own_p, near_p = own[sel], near_by_tol[params.targeting_tolerance_m][sel]
        assigned, present = _classify(own_p, near_p, params.presence_threshold)
        attributed, anywhere = _shares(assigned, present, w, n_g)
        lo, hi = _bootstrap(assigned, w, n_g, params, party_seed(params, "targeting", party))
        claim = np.array([(claimed[sel] == g).astype(np.int64) @ w for g in prep.groups])
        row["groups"] = [
            {
                "group": g,
                "share": attributed[i + 1],
                "ci_low": lo[i + 1],
                "ci_high": hi[i + 1],
                "share_any": anywhere[i],
                "claimed_share": claim[i] / max(int(w.sum()), 1),
            }
            for i, g in enumerate(prep.groups)
        ]
        row["no_known_group"] = {"share": attributed[0], "ci_low": lo[0], "ci_high": hi[0]}
        row["sensitivity"] = [
            _sensitivity(own_p, near_by_tol[tol][sel], w, theta, tol, prep)
            for theta in sorted(set(params.sensitivity_thresholds) | {params.presence_threshold})
            for tol in tolerances
        ]
        out.append(row)
    return out


def _sensitivity(
    own: F32, near: F32, w: I64, theta: float, tol: float, prep: Prepared
) -> dict[str, Any]:
    assigned, present = _classify(own, near, theta)
    attributed, anywhere = _shares(assigned, present, w, len(prep.groups))
    return {
        "threshold": theta,
        "tolerance_m": tol,
        "shares": {g: attributed[i + 1] for i, g in enumerate(prep.groups)},
        "shares_any": {g: anywhere[i] for i, g in enumerate(prep.groups)},
        "no_known_group": attributed[0],
    }
