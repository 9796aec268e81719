"""Poisson regression with unit and week fixed effects (PPML), clustered by unit.

``E[y_ut] = exp(α_u + γ_t + x_ut · b)``. The fixed effects are concentrated out by
their closed-form score equations; ``b`` takes Newton steps on the regressors
demeaned (weighted by μ) against both sets of fixed effects, solved exactly (the unit
effects eliminated in closed form, a weeks × weeks system per stratum). Standard
errors are cluster-robust by unit, or by given clusters of units (the sandwich with
the demeaned regressors, as fixest and statsmodels compute it, without small-sample
corrections). Units or weeks
whose outcome is always 0 carry no information and are dropped first, as every PPML
implementation does; a regressor with no variation left is not identified and gets NaN.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["PoissonFit", "fepois"]

F = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PoissonFit:
    """Coefficients, their cluster-robust covariance, and what the fit used."""

    coef: F
    vcov: F
    n_obs: int
    n_units: int
    converged: bool
    #: what a tested direction's effective number of clusters needs: the regressors
    #: (sparse, identified columns ``used``), the fitted means and each row's cluster
    design: sparse.csr_matrix | None = None
    mu: F | None = None
    row_cluster: npt.NDArray[np.int64] | None = None
    used: npt.NDArray[np.int64] | None = None
    #: the Newton iteration left the finite numbers (the coefficients are then NaN)
    diverged: bool = False

    def effective_clusters(self, w: F) -> float:
        """Kish's effective number of clusters of the direction ``w`` (over all
        regressors): (Σ v)² / Σ v², v_g = Σ μ (x·w)² the Poisson information cluster g
        gives the direction. Spread evenly over G clusters it is G; concentrated on a few
        struck places it is a few (Carter, Schnepel & Steigerwald 2017)."""
        if self.design is None or self.mu is None or self.row_cluster is None:
            return float(self.n_units)
        assert self.used is not None
        z = self.design @ np.nan_to_num(w[self.used])
        v = np.asarray(np.bincount(self.row_cluster, weights=self.mu * z * z), np.float64)
        top = float(v.max(initial=0.0))
        if not top > 0:
            return 0.0
        v = v / top  # the ratio is scale-free; scaled, Σ v² cannot underflow to 0
        return float(v.sum()) ** 2 / float((v * v).sum())

    @property
    def se(self) -> F:
        """Standard errors (NaN for regressors that are not identified)."""
        return np.sqrt(np.clip(np.diag(self.vcov), 0.0, None))


def _demean(
    x: F, w: F, onehot: F, start: F | None = None, sweeps: int = 100, tol: float = 1e-8
) -> F:
    """``x[u, t, k]`` minus its ``w``-weighted projection on unit and stratum × week
    dummies (``onehot[u, s]``: the stratum of each unit).

    Solved exactly rather than by alternating projections: the unit effects are
    eliminated in closed form, leaving per stratum a (weeks × weeks) system shared by
    every regressor (``start``, ``sweeps`` and ``tol`` are accepted for compatibility).
    """
    del start, sweeps, tol
    stratum = np.argmax(onehot, axis=1)
    if np.any(np.diff(stratum) < 0):  # work on units grouped by stratum, then restore
        order = np.argsort(stratum, kind="stable")
        back = np.empty_like(order)
        back[order] = np.arange(order.size)
        return _demean(x[order], w[order], onehot[order])[back]
    bounds = np.searchsorted(stratum, np.arange(onehot.shape[1] + 1))
    wu = np.maximum(w.sum(axis=1), 1e-300)  # [u]
    share = np.einsum("utk,ut->uk", x, w) / wu[:, None]  # unit means
    wn = w / np.sqrt(wu)[:, None]
    out = np.empty_like(x)
    for lo, hi in itertools.pairwise(bounds):
        if hi == lo:
            continue
        ws = w[lo:hi]
        # week effects of the stratum with the unit effects eliminated: [t, t] system
        m = np.diag(ws.sum(axis=0)) - wn[lo:hi].T @ wn[lo:hi]
        rhs = np.einsum("utk,ut->tk", x[lo:hi], ws) - ws.T @ share[lo:hi]
        # m is symmetric, singular along the constant shared with the unit effects
        lam, vec = np.linalg.eigh(m)
        # relative to the weights, not to the largest eigenvalue: a stratum whose
        # weight sits in one week (one unit, the other weeks' means underflowed) has
        # only rounding noise (~1e-300) left, and its inverse would overflow
        scale = float(ws.sum(axis=0).max(initial=0.0))
        keep = lam > 1e-12 * max(scale, 1e-300)
        inv = np.divide(1.0, lam, out=np.zeros_like(lam), where=keep)
        gamma = vec @ (inv[:, None] * (vec.T @ rhs))  # [t, k]
        alpha = share[lo:hi] - (ws @ gamma) / wu[lo:hi, None]
        np.subtract(x[lo:hi], gamma[None, :, :], out=out[lo:hi])
        out[lo:hi] -= alpha[:, None, :]
    return out


def _hessian(xs: sparse.csr_matrix, xt: F, mu: F) -> F:
    h = np.asarray((xs.multiply(mu.reshape(-1, 1))).T @ xt.reshape(xs.shape[0], -1))
    return np.asarray((h + h.T) / 2.0, np.float64)


def fepois(
    y: F,
    x: F,
    strata: npt.NDArray[np.int64] | None = None,
    max_iter: int = 50,
    tol: float = 1e-8,
    clusters: npt.NDArray[np.int64] | None = None,
    mask: F | None = None,
) -> PoissonFit:
    """Fit the two-way fixed-effects Poisson model on a panel of units × weeks.

    ``y[u, t]`` (units × weeks), ``x[u, t, k]`` (regressors); ``strata[u]`` gives each
    unit its own week effects per stratum (default: one stratum); ``clusters[u]`` the
    cluster of each unit for the covariance (default: each unit its own); ``mask[u, t]``
    (0 or 1) the observations that exist: an unbalanced panel is the balanced one with
    the missing observations masked out (their outcome is ignored).
    """
    return _fit(y, x, strata, clusters, max_iter, tol, mask)


def _fit(
    y: F,
    x: F,
    strata: npt.NDArray[np.int64] | None,
    clusters: npt.NDArray[np.int64] | None,
    max_iter: int,
    tol: float,
    mask: F | None = None,
) -> PoissonFit:
    if mask is not None:
        y = y * mask
    keep_u, keep_t = y.sum(axis=1) > 0, y.sum(axis=0) > 0
    st_all = np.zeros(keep_u.size, np.int64) if strata is None else np.asarray(strata)
    # units grouped by stratum (the fit does not depend on their order)
    units = np.flatnonzero(keep_u)
    units = units[np.argsort(st_all[units], kind="stable")]
    weeks = np.flatnonzero(keep_t)
    y, x = y[np.ix_(units, weeks)], x[units[:, None], weeks[None, :]]
    m = np.ones(y.shape) if mask is None else np.asarray(mask, np.float64)[np.ix_(units, weeks)]
    _, st = np.unique(st_all[units], return_inverse=True)
    onehot = np.eye(int(st.max(initial=-1)) + 1)[st.reshape(-1)]
    n_u, k_all = y.shape[0], x.shape[2]
    coef_all, vcov_all = np.full(k_all, np.nan), np.full((k_all, k_all), np.nan)
    if y.size == 0:
        return PoissonFit(coef_all, vcov_all, 0, n_u, False)
    # a regressor without variation within units and weeks is not identified
    spread_ = _demean(x, m, onehot)
    # (over the observations that exist: a regressor that varies only where the panel
    # is masked out carries no information)
    used = np.flatnonzero(np.sqrt(np.einsum("utk,utk,ut->k", spread_, spread_, m)) > 1e-6)
    del spread_
    if used.size < k_all:
        x = np.ascontiguousarray(x[:, :, used])
    k = used.size
    # X̃ᵀ W X̃ = X̃ᵀ W X (X̃ is W-orthogonal to the fixed effects): X stays sparse
    xs = sparse.csr_matrix(x.reshape(-1, k))
    if k == 0:
        return PoissonFit(coef_all, vcov_all, int(y.size), n_u, False)
    b = np.zeros(k)
    alpha, gamma = np.zeros(n_u), np.zeros((onehot.shape[1], y.shape[1]))
    sum_u = np.log(y.sum(axis=1))
    sum_t = np.log(np.maximum(onehot.T @ y, 1e-300))  # [s, t]; empty stratum-weeks: −inf
    converged = False
    xt = x
    for _ in range(max_iter):
        exb = np.exp(xs @ b).reshape(n_u, -1)
        for _ in range(5):
            g_u = np.exp(gamma)[st]  # [u, t]
            alpha = sum_u - np.log(np.maximum((g_u * exb * m).sum(axis=1), 1e-300))
            gamma = sum_t - np.log(
                np.maximum(onehot.T @ (np.exp(alpha)[:, None] * exb * m), 1e-300)
            )
        mu = np.exp(alpha[:, None] + gamma[st]) * exb * m
        xt = _demean(x, mu, onehot, xt)
        grad = xt.reshape(-1, k).T @ (y - mu).ravel()
        hess = _hessian(xs, xt, mu)
        if not (np.isfinite(grad).all() and np.isfinite(hess).all()):
            return PoissonFit(coef_all, vcov_all, int(y.size), n_u, False, diverged=True)
        step = np.clip(np.linalg.lstsq(hess, grad, rcond=None)[0], -2.0, 2.0)
        b = b + step
        if np.max(np.abs(step)) < tol:
            converged = True
            break
    exb = np.exp(xs @ b).reshape(n_u, -1)
    mu = np.exp(alpha[:, None] + gamma[st]) * exb * m
    xt = _demean(x, mu, onehot, xt, tol=1e-10)
    bread = np.linalg.pinv(_hessian(xs, xt, mu))
    scores = np.einsum("utk,ut->uk", xt, y - mu)
    g = np.arange(n_u)
    if clusters is not None:  # scores summed per cluster
        _, g = np.unique(np.asarray(clusters)[units], return_inverse=True)
        g = g.reshape(-1)
        summed = np.zeros((int(g.max(initial=-1)) + 1, k))
        np.add.at(summed, g, scores)
        scores = summed
    coef_all[used] = b
    vcov_all[np.ix_(used, used)] = bread @ (scores.T @ scores) @ bread
    row_cluster = np.repeat(g, y.shape[1]).astype(np.int64)
    return PoissonFit(
        coef_all, vcov_all, int(y.size), n_u, converged, xs, mu.ravel(), row_cluster, used
    )
