"""Presence P(group, cell, week) in [0, 1] from presence reports and attributed events.

Each report adds evidence ``w = kind weight × reliability weight × credibility weight``
to its cell over the weeks of its window; evidence is spread to neighbouring cells by
the report's precision (Gaussian kernel over grid rings, normalised to keep its
total), decays with time (half-life in weeks, both ways), and is turned into a probability by
``P = 1 − exp(−evidence / scale)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from .grid import Grid
from .params import Params
from .prepare import Prepared

__all__ = ["grade_weights", "presence", "presence_from_evidence"]

F32 = npt.NDArray[np.float32]


def grade_weights(df: pl.DataFrame, params: Params) -> npt.NDArray[np.float64]:
    """Admiralty-code weight of each row (ungraded rows get the F / 6 weights)."""
    rel = (
        df["reliability"]
        .fill_null("F")
        .replace_strict(list("ABCDEF"), list(range(6)), default=5, return_dtype=pl.Int64)
    )
    cred = df["credibility"].fill_null(6).clip(1, 6) - 1
    rw = np.asarray(params.reliability_weights)[rel.to_numpy()]
    cw = np.asarray(params.credibility_weights)[cred.to_numpy()]
    return np.asarray(rw * cw, dtype=np.float64)


def _precision_class(df: pl.DataFrame, spacing: float, rings: int) -> npt.NDArray[np.int64]:
    prec = df["precision_m"].fill_null(0.0).to_numpy()
    return np.minimum(np.rint(prec / spacing), rings).astype(np.int64)


def _evidence(prep: Prepared, params: Params) -> F32:
    """Evidence per precision class, cell, week and group, before spreading."""
    g_index = {g: i for i, g in enumerate(prep.groups)}
    n_g, n_w, n_c = len(prep.groups), prep.n_weeks, prep.grid.n_cells + 1
    rings = params.presence_max_spread_rings
    ev = np.zeros((rings + 1, n_c, n_w + 1, max(n_g, 1)), np.float32)
    kinds = {
        "control": params.weight_control,
        "sighting": params.weight_sighting,
        "movement": params.weight_movement,
    }
    pres = prep.frames["presence"]
    events = prep.frames["events"].filter(pl.col("initiator").is_in(list(prep.groups)))
    sources = (
        (
            pres,
            pres["group"],
            pres["presence_kind"].replace_strict(kinds, default=params.weight_sighting).to_numpy(),
            pres["abs_week_end"] - prep.week0,
        ),
        (events, events["initiator"], np.full(events.height, params.weight_event), None),
    )
    for df, group, kind_w, end in sources:
        if df.height == 0:
            continue
        g = group.replace_strict(g_index, default=-1, return_dtype=pl.Int64).to_numpy()
        keep = g >= 0
        w = (kind_w * grade_weights(df, params))[keep]
        k = _precision_class(df, prep.spacing_m, rings)[keep]
        c = df["cell"].to_numpy()[keep]
        start = df["week"].to_numpy()[keep]
        stop = start + 1 if end is None else np.clip(end.to_numpy()[keep] + 1, start + 1, n_w)
        shape = ev.shape
        for week, sign in ((start, 1.0), (stop, -1.0)):
            flat = np.ravel_multi_index((k, c, week, g[keep]), shape)
            ev += np.bincount(flat, weights=sign * w, minlength=ev.size).reshape(shape)
    return np.cumsum(ev, axis=2)[:, :, :n_w, :]


def _spread(ev: F32, grid: Grid) -> F32:
    """Spread each precision class over the rings of the grid (Gaussian kernel)."""
    out = ev[0].copy()
    for k in range(1, ev.shape[0]):
        if not ev[k].any():
            continue
        rings = grid.slot_ring[: grid.slots_within(k)]
        kernel = np.exp(-0.5 * (rings / k) ** 2)
        kernel /= kernel.sum()
        for slot, weight in enumerate(kernel.astype(np.float32)):
            out += weight * ev[k][grid.neighbours[:, slot]]
    out[-1] = 0.0
    return np.asarray(out, np.float32)


def _decay(ev: F32, params: Params) -> F32:
    out = ev.copy()
    n_w = ev.shape[1]
    for lag in range(1, min(params.presence_max_lag_weeks, n_w - 1) + 1):
        w = np.float32(0.5 ** (lag / params.presence_half_life_weeks))
        out[:, lag:] += w * ev[:, :-lag]
        out[:, :-lag] += w * ev[:, lag:]
    return out


def presence_from_evidence(evidence: F32, scale: float) -> F32:
    """P = 1 − exp(−evidence / scale), clipped to [0, 1]."""
    p = -np.expm1(-np.maximum(evidence, 0.0) / np.float32(scale))
    return np.clip(p, 0.0, 1.0).astype(np.float32)


def presence(prep: Prepared, params: Params) -> F32:
    """P[cell, week, group] on the grid (last cell row: the empty sentinel)."""
    spread = _spread(_evidence(prep, params), prep.grid)
    return presence_from_evidence(_decay(spread, params), params.presence_evidence_scale)
