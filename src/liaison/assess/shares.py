"""A party's shares over groups from per-strike posteriors, under the party's own prior.

The control field's P(group | cell, week) is computed with the same (flat) prior for
every group; it is calibrated over the cell-weeks, not over one party's strikes. A
party that strikes mostly one group makes its strikes a sample selected on the group:
read with the flat prior, its ambiguous strikes (a front line, a cell with little
evidence) are shared out evenly and its share of its main target comes out too low
(front: alpha −10 points). The party's shares ``S`` are the maximum-likelihood class
priors of that sample (Saerens, Latinne & Decaestecker, Neural Computation 2002): the
EM iteration ``S ← mean_i(S ∘ q_i / (S · q_i))`` over the strikes' posteriors ``q_i``
given that someone is there. A strike with a clear posterior keeps it; an ambiguous
one leans to the groups the party's clear strikes hit. "No known group" keeps its
expected share: its posterior (no evidence nearby) is never clear for a coarse
report, so the EM would drive it to zero.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats

__all__ = ["adjusted", "ambiguity_bounds", "ambiguity_interval", "party_shares"]

F64 = npt.NDArray[np.float64]

#: EM stops when no share moves by more than this in an iteration.
TOLERANCE = 1e-6
#: Weight, in strikes, of the flat reading as the prior of the shares (MAP, not ML: a
#: dozen strikes do not make a share of 100 %).
PRIOR_STRIKES = 2.0
#: At most this many EM iterations (the shares move by < 1e-4 well before).
MAX_ITERATIONS = 300


def party_shares(q: F64, counts: F64, start: F64 | None = None) -> F64:
    """Shares [C] (or [R, C] for counts [R, K]): column 0 ("no known group") is the
    expected share; the groups' shares maximise Π_i (S · q_i)^w_i over the strikes'
    posteriors given someone is there, ``w_i`` their weight × P(someone), with
    ``PRIOR_STRIKES`` pseudo-strikes of the flat reading (a Dirichlet prior).

    ``q`` is [K, C] (rows sum to 1), ``counts`` the weight of each row (one row of
    weights per replicate when 2-D); ``start`` warm-starts the iteration.
    """
    m = np.atleast_2d(np.asarray(counts, np.float64))
    total = np.maximum(m.sum(axis=1, keepdims=True), 1e-300)
    someone = 1.0 - q[:, 0]
    g = q[:, 1:] / np.maximum(someone, 1e-300)[:, None]
    w = m * someone  # [R, K]
    held = np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    flat = (w @ g) / held
    prior = PRIOR_STRIKES * flat
    held_map = held + PRIOR_STRIKES
    if start is None:
        s = flat
    else:
        first = np.broadcast_to(start[..., 1:], (m.shape[0], q.shape[1] - 1))
        s = first / np.maximum(first.sum(axis=1, keepdims=True), 1e-300)
    s = np.array(s, np.float64)
    for _ in range(MAX_ITERATIONS):
        denom = np.maximum(s @ g.T, 1e-300)  # [R, K]
        new = (s * ((w / denom) @ g) + prior) / held_map
        done = float(np.abs(new - s).max(initial=0.0)) < TOLERANCE  # no groups: done
        s = new
        if done:
            break
    none = 1.0 - held / total
    out = np.concatenate([none, s * (1.0 - none)], axis=1)
    result: F64 = out if np.ndim(counts) == 2 else out[0]
    return result


def adjusted(q: F64, shares: F64) -> F64:
    """Each row's posterior under the party's shares: ``S ∘ q_i / (S · q_i)``."""
    a = q * shares
    total = a.sum(axis=-1, keepdims=True)
    out: F64 = np.where(total > 0, a / np.maximum(total, 1e-300), q)
    return out


def ambiguity_bounds(q: F64, counts: F64, plausible: float) -> tuple[F64, F64]:
    """Per group [G]: the share of strikes where the group is all but certain
    (P(group) ≥ 1 − ``plausible``), and of those where it is a plausible target
    (P(group) ≥ ``plausible``). Each strike counts in full or not at all: the ambiguous
    ones missed it, or all hit it; a posterior's faint tails never add up to a share.

    ``q`` is [K, 1 + G] (column 0: no known group), ``counts`` [K]; ``plausible`` in
    (0, 0.5], smaller values widen the bounds (0.5: each strike on its likeliest group).
    """
    groups = q[:, 1:]
    total = max(float(counts.sum()), 1e-300)
    low = counts @ (groups >= 1.0 - plausible) / total
    high = counts @ (groups >= plausible) / total
    return np.asarray(low, np.float64), np.asarray(high, np.float64)


def _imbens_manski(width: float, sigma: float, confidence: float) -> float:
    """The critical value c of Imbens & Manski (Econometrica 2004):
    Φ(c + width / σ) − Φ(−c) = confidence; 1.96 at width 0, → 1.645 as it grows."""
    if not sigma > 0:
        return 0.0
    ratio = width / sigma

    def gap(c: float) -> float:
        return float(stats.norm.cdf(c + ratio) - stats.norm.cdf(-c) - confidence)

    return float(optimize.brentq(gap, 0.0, 10.0))


def ambiguity_interval(q: F64, counts: F64, plausible: float, confidence: float) -> tuple[F64, F64]:
    """``ambiguity_bounds`` widened by their own sampling error: each bound is a share
    of the party's strikes, resampled as the bootstrap resamples them (Poisson weights
    per strike location), and the interval covers the share anywhere between the
    bounds with probability ``confidence`` (Imbens & Manski 2004)."""
    groups = q[:, 1:]
    total = max(float(counts.sum()), 1e-300)
    low, high = ambiguity_bounds(q, counts, plausible)
    x_low = (groups >= 1.0 - plausible).astype(np.float64)
    x_high = (groups >= plausible).astype(np.float64)
    se_low = np.sqrt(counts @ np.square(x_low - low)) / total
    se_high = np.sqrt(counts @ np.square(x_high - high)) / total
    c = np.array(
        [
            _imbens_manski(float(h - lo), float(max(a, b)), confidence)
            for lo, h, a, b in zip(low, high, se_low, se_high, strict=True)
        ]
    )
    return (
        np.asarray(np.clip(low - c * se_low, 0.0, 1.0), np.float64),
        np.asarray(np.clip(high + c * se_high, 0.0, 1.0), np.float64),
    )
