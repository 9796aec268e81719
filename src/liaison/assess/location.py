"""Where a strike was: the location posterior of a strike report over the grid.

A report's precision is read as the radius within which the target lies: the kernel
is a Gaussian of per-axis width ``sqrt((precision / 2)² + floor²)`` (the floor
``presence_floor_m``: places are reported a few km off), times a prior of where
strike targets are:
``1 − exp(−a / ā) + location_prior_floor`` with ``a`` the density of recorded activity
and ``ā`` its median (a place counts once, whatever its size).

The posterior's P(group) is the posterior-weighted P(group, cell, week) of the
control field (presence.py); "no known group" is the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .params import Params
from .prepare import Prepared
from .presence import KERNEL_SIGMAS, ControlField, kernel, kernel_class

__all__ = ["StrikePosteriors", "strike_posteriors"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_CHUNK = 100_000


@dataclass(frozen=True)
class StrikePosteriors:
    """Per distinct strike location (radius class, cell, week) of the selection.

    ``q[k, 0]`` is P(no known group), ``q[k, 1 + g]`` P(group g); ``cells[k, s]`` and
    ``loc_cum[k, s]`` the candidate cells and the cumulative location posterior;
    ``someone[k]`` P(any group around); ``key_of[i]`` the location of strike ``i``.
    """

    q: F64
    cells: I64
    loc_cum: F64
    week: I64
    someone: F64
    key_of: I64


def _typical(field: ControlField) -> float:
    positive = field.activity[field.activity > 1e-3]
    return float(np.median(positive)) if positive.size else 1.0


def _location_weights(
    field: ControlField, prep: Prepared, cell: I64, week: I64, kern: F64, params: Params
) -> tuple[I64, F64]:
    grid = prep.grid
    nbr = grid.neighbours[cell][:, : kern.size]
    # a place counts once, whatever its size: the prior is P(activity there), not volume
    act = field.activity[nbr, week[:, None]] / _typical(field)
    w = kern[None, :] * (-np.expm1(-act) + params.location_prior_floor)
    w = np.where(nbr == grid.n_cells, 0.0, w)
    w[:, 0] = np.maximum(w[:, 0], 1e-12)
    return nbr, w / w.sum(axis=1, keepdims=True)


def _distinct(cls: I64, cell: I64, week: I64) -> tuple[I64, I64]:
    """The distinct (class, cell, week) columns [3, K] in lexicographic order, and the
    column of each strike: one sort of a packed integer key."""
    cls, cell, week = (np.asarray(a, np.int64) for a in (cls, cell, week))
    if cls.size == 0 or min(int(cls.min()), int(cell.min()), int(week.min())) < 0:
        keys, key_of = np.unique(np.stack([cls, cell, week]), axis=1, return_inverse=True)
        return keys, key_of.reshape(-1)
    n_cell, n_week = int(cell.max()) + 1, int(week.max()) + 1
    packed, key_of = np.unique((cls * n_cell + cell) * n_week + week, return_inverse=True)
    rest, wk = np.divmod(packed, n_week)
    c, ce = np.divmod(rest, n_cell)
    return np.stack([c, ce, wk]), key_of.reshape(-1).astype(np.int64)


def strike_posteriors(
    field: ControlField,
    prep: Prepared,
    cell: I64,
    week: I64,
    precision: F64,
    params: Params,
    keep_location: bool = True,
) -> StrikePosteriors:
    """Posteriors of every strike location (see the module docstring); without
    ``keep_location`` the candidate cells and location posteriors are not kept."""
    n_g = len(prep.groups)
    cls = kernel_class(precision, params.presence_floor_m, prep.spacing_m)
    keys, key_of = _distinct(cls, cell, week)
    n_k = keys.shape[1]
    kernels = {int(c): kernel(KERNEL_SIGMAS[c], prep.grid, True) for c in np.unique(keys[0])}
    width = max((k.size for k in kernels.values()), default=1)
    q = np.zeros((n_k, n_g + 1))
    kept = n_k if keep_location else 0
    cells = np.full((kept, width), prep.grid.n_cells, np.int64)
    loc_cum = np.ones((kept, width))
    someone = np.zeros(n_k)
    p = field.p
    for c, kern in kernels.items():
        rows = np.flatnonzero(keys[0] == c)
        for start in range(0, rows.size, _CHUNK):
            r = rows[start : start + _CHUNK]
            nbr, w = _location_weights(field, prep, keys[1, r], keys[2, r], kern, params)
            wk = keys[2, r][:, None]
            q[r, 1:] = np.einsum("ns,nsg->ng", w, p[nbr, wk])
            someone[r] = (w * field.someone[nbr, wk]).sum(axis=1)
            if keep_location:
                cells[r, : nbr.shape[1]] = nbr
                loc_cum[r, : nbr.shape[1]] = np.cumsum(w, axis=1)
    q[:, 0] = np.clip(1.0 - q[:, 1:].sum(axis=1), 0.0, 1.0)
    return StrikePosteriors(q, cells, loc_cum, keys[2].astype(np.int64), someone, key_of)
