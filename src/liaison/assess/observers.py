"""Observers weighed by their agreement: a latent-class (Dawid–Skene) estimate.

Each observed claim has a hidden true outcome (success or not) and up to one
observation per observer. Each observer has a sensitivity (reports a success when
there was one) and a specificity (reports a failure when there was one), the same for
every party's strikes; each party has its own true success rate. With three or more
observers seeing the same strikes these rates are identified by the observers'
agreement; where they are weakly identified (one or two observers, or observations
blurred by matches to a neighbouring strike), the prior decides: an observer is taken
as accurate unless others contradict it (Beta(1 + k, 1) on both rates, ``k``
pseudo-observations scaled by the observer's grading). The party's own claim is one
more rater with its own rates per party and no prior: what is judged is the gap
between the claimed and the estimated true success rate.

Everything works on the distinct observation patterns with their counts, so the
bootstrap (items resampled within each party, every replicate re-estimating the
observers' rates) is one vectorised EM over replicates × patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LatentFit", "latent_class"]

F = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_EPS = 1e-9


@dataclass(frozen=True)
class LatentFit:
    """Per replicate (row 0: the data itself) and party: the claimed success rate over
    observed claims and the estimated true success rate; per observer its rates."""

    claimed: F  # [R, parties]
    true_rate: F  # [R, parties]
    sensitivity: F  # [R, observers]
    specificity: F  # [R, observers]
    posterior: F  # [patterns]: P(success | pattern), replicate 0
    pattern_of: I64  # [items]: index of each item's pattern
    weighed: bool  # observers weighed by agreement (else: every observation alike)
    disagreement_z: float  # largest |z| of two observers' mean difference on shared items


def _em(
    counts: F, party: I64, claimed: F, o1: F, o0: F, n_parties: int, prior: F, iters: int
) -> tuple[F, F, F, F, F]:
    """EM on pattern ``counts`` [R, P]; ``o1``/``o0`` [P, J] observation indicators."""
    r_n, j_n = counts.shape[0], o1.shape[1]
    onehot = np.eye(n_parties)[party]  # [P, parties]
    se = np.full((r_n, j_n), 0.9)
    sp = np.full((r_n, j_n), 0.9)
    pi = np.full((r_n, n_parties), 0.5)
    tot = np.maximum(counts @ onehot, _EPS)  # [R, parties]
    for _ in range(iters):
        l1 = np.log(pi)[:, party] + np.log(se) @ o1.T + np.log1p(-se) @ o0.T
        l0 = np.log1p(-pi)[:, party] + np.log(sp) @ o0.T + np.log1p(-sp) @ o1.T
        q = 1.0 / (1.0 + np.exp(np.clip(l0 - l1, -700, 700)))  # [R, P]
        wq, wn = counts * q, counts * (1.0 - q)
        se_new = (wq @ o1 + prior) / (wq @ (o1 + o0) + prior)
        sp_new = (wn @ o0 + prior) / (wn @ (o1 + o0) + prior)
        pi_new = (wq @ onehot) / tot
        se_new, sp_new = np.clip(se_new, _EPS, 1 - _EPS), np.clip(sp_new, _EPS, 1 - _EPS)
        pi_new = np.clip(pi_new, _EPS, 1 - _EPS)
        change = max(
            np.abs(se_new - se).max(), np.abs(sp_new - sp).max(), np.abs(pi_new - pi).max()
        )
        se, sp, pi = se_new, sp_new, pi_new
        if change < 1e-8:
            break
    l1 = np.log(pi)[:, party] + np.log(se) @ o1.T + np.log1p(-se) @ o0.T
    l0 = np.log1p(-pi)[:, party] + np.log(sp) @ o0.T + np.log1p(-sp) @ o1.T
    q = 1.0 / (1.0 + np.exp(np.clip(l0 - l1, -700, 700)))
    claimed_rate = ((counts * claimed[None, :]) @ onehot) / tot
    true_rate = ((counts * q) @ onehot) / tot
    return claimed_rate, true_rate, se, sp, q[0]


def disagreement(counts: F, o1: F, o0: F) -> float:
    """The largest |z| over observer pairs of their mean difference (success seen by one
    minus by the other) on the items both observed: a bias of one against the other."""
    both = o1 + o0
    worst = 0.0
    for j in range(o1.shape[1]):
        for k in range(j + 1, o1.shape[1]):
            shared = counts * both[:, j] * both[:, k]
            n = shared.sum()
            if n < 2:
                continue
            d = o1[:, j] - o1[:, k]
            mean = (shared * d).sum() / n
            var = (shared * (d - mean) ** 2).sum() / (n - 1)
            if var > 0:
                worst = max(worst, abs(mean) / np.sqrt(var / n))
    return float(worst)


def _alike(counts: F, party: I64, claimed: F, o1: F, o0: F, n_parties: int) -> tuple[F, F, F]:
    """Every observation alike: an item's success is the share of its observations
    reporting one."""
    onehot = np.eye(n_parties)[party]
    tot = np.maximum(counts @ onehot, _EPS)
    share = o1.sum(axis=1) / np.maximum((o1 + o0).sum(axis=1), 1.0)
    return ((counts * claimed[None, :]) @ onehot) / tot, ((counts * share) @ onehot) / tot, share


def latent_class(
    party: I64,
    claimed: npt.NDArray[np.bool_],
    seen: npt.NDArray[np.int8],
    prior: F,
    replicates: int,
    rng: np.random.Generator,
    iters: int = 500,
    claim_prior: float = 1e-6,
    disagreement_z: float = 3.0,
) -> LatentFit:
    """Fit the latent-class model to items (``party`` index, ``claimed`` success,
    ``seen[i, j]`` = 1 / 0 / −1 for observer *j* saw a success / a failure / nothing)
    and bootstrap it ``replicates`` times (items resampled within each party).
    ``prior[j]``: the pseudo-observations that observer *j* is right. Observers are
    weighed only when two of them disagree beyond ``disagreement_z`` (z of their mean
    difference on shared items); otherwise every observation counts alike."""
    n_parties = int(party.max(initial=-1)) + 1
    keys = np.concatenate(
        [party[:, None], claimed.astype(np.int64)[:, None], seen.astype(np.int64)], axis=1
    )
    pats, pattern_of, base = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    pattern_of = pattern_of.reshape(-1).astype(np.int64)
    p_party = pats[:, 0]
    p_claimed = pats[:, 1].astype(np.float64)
    o1 = (pats[:, 2:] == 1).astype(np.float64)
    o0 = (pats[:, 2:] == 0).astype(np.float64)
    # the party's claim is one more rater, with its own rates per party and no prior
    c1 = np.eye(n_parties)[p_party] * p_claimed[:, None]
    c0 = np.eye(n_parties)[p_party] * (1.0 - p_claimed[:, None])
    o1, o0 = np.concatenate([o1, c1], axis=1), np.concatenate([o0, c0], axis=1)
    prior = np.concatenate([prior, np.full(n_parties, claim_prior)])
    counts = np.zeros((replicates + 1, pats.shape[0]))
    counts[0] = base
    for p in range(n_parties):
        idx = np.flatnonzero(p_party == p)
        n = int(base[idx].sum())
        if n:
            counts[1:, idx] = rng.multinomial(n, base[idx] / n, replicates)
    j = seen.shape[1]
    z = disagreement(base.astype(np.float64), o1[:, :j], o0[:, :j])
    if z < disagreement_z:
        claimed_rate, true_rate, share = _alike(
            counts, p_party, p_claimed, o1[:, :j], o0[:, :j], n_parties
        )
        nan = np.full((replicates + 1, j), np.nan)
        return LatentFit(claimed_rate, true_rate, nan, nan, share, pattern_of, False, z)
    claimed_rate, true_rate, se, sp, post = _em(
        counts, p_party, p_claimed, o1, o0, n_parties, prior, iters
    )
    return LatentFit(
        claimed_rate, true_rate, se[:, :j], sp[:, :j], post, pattern_of.astype(np.int64), True, z
    )
