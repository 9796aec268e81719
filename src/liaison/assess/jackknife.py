"""How much a targeting share depends on which evidence was reported: a jackknife.

The bootstrap of targeting.py draws control from the field's posterior as if that
posterior were right; it is itself an estimate from a sample of reports (what the
sources happened to hear). Up to ``MAX_EVIDENCE`` records, the evidence records
(presence, events, logistics) are split into ``evidence_jackknife_groups`` groups by a
fixed hash of their id; the field is
rebuilt without each group in turn and the shares recomputed (the same strikes, the
same prior of strike places). The delete-a-group jackknife variance
``(K − 1) / K × Σ_k (θ_k − θ̄)²`` measures the uncertainty of the share due to the
evidence: large where the evidence is thin or conflicting (a front line, a town few
sources report), small where every part of it says the same.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt
import polars as pl

from .location import strike_posteriors
from .params import Params
from .prepare import Prepared
from .presence import ControlField, control_field

__all__ = ["evidence_folds", "jackknife_se"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_EVIDENCE = ("presence", "events", "logistics")
#: Evidence records beyond which no jackknife is run (each fold rebuilds the field; with
#: that much evidence the bootstrap's control and location terms dominate).
MAX_EVIDENCE = 2_000_000
_HASH_SEED = 20151201


def evidence_folds(
    field: ControlField,
    prep: Prepared,
    params: Params,
    cell: I64,
    week: I64,
    prec: F64,
    sample: I64,
) -> list[F64]:
    """Per fold: P(none), P(group …) [strikes, 1 + groups] of the strikes ``sample``
    with the field rebuilt without that fold's evidence."""
    k = params.evidence_jackknife_groups
    if k < 2 or sum(prep.frames[kind].height for kind in _EVIDENCE) > MAX_EVIDENCE:
        return []
    folds = {
        kind: (
            prep.frames[kind]["id"].hash(_HASH_SEED) % np.uint64(k)
            if prep.frames[kind].height
            else pl.Series([], dtype=pl.UInt64)
        )
        for kind in _EVIDENCE
    }
    out = []
    for fold in range(k):
        frames = dict(prep.frames)
        for kind in _EVIDENCE:
            frames[kind] = prep.frames[kind].filter(folds[kind] != fold)
        part = dataclasses.replace(prep, frames=frames)
        f = control_field(part, params, activity=field.activity)
        post = strike_posteriors(
            f, prep, cell[sample], week[sample], prec[sample], params, keep_location=False
        )
        out.append(post.q[post.key_of])
    return out


def jackknife_se(thetas: F64) -> F64:
    """Delete-a-group jackknife standard error of each column of ``thetas`` [K, C]."""
    k = thetas.shape[0]
    if k < 2:
        return np.zeros(thetas.shape[1:])
    dev = thetas - thetas.mean(axis=0)
    return np.asarray(np.sqrt((k - 1) / k * (dev**2).sum(axis=0)), np.float64)
