"""Strike effects on activity and logistics: matched difference-in-differences.

A treated unit is a cell first struck by the party with the category in week w0,
with no strike of any kind in the ``effect_clean_before_weeks`` weeks before and no strike of another
category in weeks w0…w0+W. Its controls are the cells with no strike at all in
w0−W…w0+W, in the same stratum: same week w0, same dominant group at w0−1
(P ≥ θ, or none), same bin of pre-period trend. The counterfactual of a treated
unit at each lag is its pre-period mean times the controls' ratio (Σ level at
that lag / Σ pre-period mean); the effect is Σ(observed − counterfactual) /
Σ counterfactual over treated units and the post weeks 0…W−1. Controls are
pooled, never selected on their own noisy level, so the ratio does not regress
to the mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from .errors import Messages
from .params import Params
from .prepare import Prepared
from .targeting import party_seed

__all__ = ["outcomes", "strike_effects"]

F = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def outcomes(prep: Prepared, max_precision_m: float) -> dict[str, F]:
    """Activity (events not initiated by a party) and logistics traffic per cell-week.

    Only records located to within ``max_precision_m`` count, so that each falls in its cell.
    """
    shape = (prep.grid.n_cells + 1, prep.n_weeks)
    precise = pl.col("precision_m").fill_null(0.0) <= max_precision_m
    ev = prep.frames["events"].filter(
        precise & ~pl.col("initiator").fill_null("").str.starts_with("identity--")
    )
    logi = prep.frames["logistics"].filter(precise)
    traffic = logi["count"].cast(pl.Float64).fill_null(logi["volume"]).fill_null(1.0)
    out = {}
    for name, df, weight in (("activity", ev, None), ("logistics", logi, traffic.to_numpy())):
        flat = df["cell"].to_numpy() * prep.n_weeks + df["week"].to_numpy()
        counts = np.bincount(flat, weights=weight, minlength=shape[0] * shape[1])
        out[name] = np.asarray(counts, np.float64).reshape(shape)
    return out


def _cumsum0(a: F) -> F:
    return np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1)], axis=1)


@dataclass(frozen=True)
class _Pool:
    """Per outcome: pre-mean and stratum of every (cell, w0), control ratios per stratum and lag."""

    pre: F
    key: I64
    ctrl_n: F
    ratio: F  # [lags, keys]: Σ controls y(w0 + lag) / Σ controls pre-mean


def _features(y: F, dom: I64, n_dom: int, params: Params) -> tuple[F, I64]:
    """Pre-mean and stratum key (w0, dominant group, pre-trend bin) of every (cell, w0)."""
    W = params.effect_window_weeks
    n_w = y.shape[1]
    cs = _cumsum0(y)
    w0 = np.arange(n_w)
    ok = (w0 >= W) & (w0 + W < n_w)
    lo, mid = np.clip(w0 - W, 0, n_w), np.clip(w0 - W // 2, 0, n_w)
    pre = (cs[:, w0] - cs[:, lo]) / W
    first = (cs[:, mid] - cs[:, lo]) / max(W // 2, 1)
    second = (cs[:, w0] - cs[:, mid]) / max(W - W // 2, 1)
    rel_trend = (second - first) / (first + second + 1.0)
    edges = np.linspace(-1.0, 1.0, params.effect_trend_bins + 1)[1:-1]
    trend = np.searchsorted(edges, rel_trend)
    key = (w0[None, :] * n_dom + dom) * params.effect_trend_bins + trend
    return pre, np.where(ok[None, :], key, -1)


def _pool(y: F, dom: I64, n_dom: int, clean: npt.NDArray[np.bool_], params: Params) -> _Pool:
    W = params.effect_window_weeks
    pre, key = _features(y, dom, n_dom, params)
    n_keys = y.shape[1] * n_dom * params.effect_trend_bins
    c_idx, w_idx = np.nonzero(clean & (key >= 0))
    k = key[c_idx, w_idx]
    ctrl_n = np.bincount(k, minlength=n_keys).astype(np.float64)
    base = np.bincount(k, weights=pre[c_idx, w_idx], minlength=n_keys)
    ratios = []
    for lag in range(-W, W + 1):
        level = np.bincount(k, weights=y[c_idx, w_idx + lag], minlength=n_keys)
        ratios.append(np.where(base > 0, level / np.where(base > 0, base, 1.0), np.nan))
    return _Pool(pre, key, np.where(base > 0, ctrl_n, 0.0), np.stack(ratios))


def strike_effects(
    p: npt.NDArray[np.float32], prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Effect of each party's strikes per target category on activity and on logistics."""
    W = params.effect_window_weeks
    strikes = prep.frames["strikes"]
    n_c, n_w = prep.grid.n_cells + 1, prep.n_weeks
    if strikes.height == 0 or n_w < 2 * W + 1:
        msgs.warn("no-effects", "strike effects need strikes and at least 2×window+1 weeks of data")
        return []
    flat = strikes["cell"].to_numpy() * n_w + strikes["week"].to_numpy()
    any_cs = _cumsum0(np.bincount(flat, minlength=n_c * n_w).reshape(n_c, n_w).astype(float))
    w0 = np.arange(n_w)
    clean = any_cs[:, np.clip(w0 + W + 1, 0, n_w)] - any_cs[:, np.clip(w0 - W, 0, n_w)] == 0
    best = p.max(axis=2)
    dom = np.where(best >= params.presence_threshold, 1 + p.argmax(axis=2), 0)
    dom = np.concatenate([np.zeros((n_c, 1), np.int64), dom[:, :-1]], axis=1)
    n_dom = len(prep.groups) + 1
    ys = outcomes(prep, params.effect_max_precision_m)
    precise = strikes["precision_m"].fill_null(0.0).to_numpy() <= params.effect_max_precision_m
    pools = {name: _pool(y, dom, n_dom, clean, params) for name, y in ys.items()}
    cats = strikes["target_category"].to_numpy()
    party_col = strikes["party"].to_numpy()
    out = []
    for cat in sorted(set(cats.tolist())):
        in_cat = cats == cat
        cat_cs = _cumsum0(
            np.bincount(flat[in_cat], minlength=n_c * n_w).reshape(n_c, n_w).astype(float)
        )
        other_cs = any_cs - cat_cs
        for party in parties:
            sel = in_cat & (party_col == party) & precise
            if not sel.any():
                continue
            cells, weeks = np.unique(np.stack([flat[sel] // n_w, flat[sel] % n_w]), axis=1)
            lo = np.clip(weeks - params.effect_clean_before_weeks, 0, n_w)
            hi = np.clip(weeks + W + 1, 0, n_w)
            pre_clean = any_cs[cells, weeks] - any_cs[cells, lo] == 0
            post_clean = other_cs[cells, hi] - other_cs[cells, weeks] == 0
            in_period = (weeks >= max(prep.first, W)) & (weeks <= prep.last) & (weeks + W < n_w)
            keep = pre_clean & post_clean & in_period
            for name, y in ys.items():
                row = _estimate(y, pools[name], cells[keep], weeks[keep], params, party, cat, name)
                out.append({"party": party, "target_category": cat, "outcome": name, **row})
    return out


def _estimate(
    y: F, pool: _Pool, cells: I64, weeks: I64, params: Params, party: str, cat: str, name: str
) -> dict[str, Any]:
    W = params.effect_window_weeks
    key = pool.key[cells, weeks]
    has_ctrl = (key >= 0) & (pool.ctrl_n[np.maximum(key, 0)] > 0)
    cells, weeks, key = cells[has_ctrl], weeks[has_ctrl], key[has_ctrl]
    row: dict[str, Any] = {"treated": int(cells.size), "unmatched": int((~has_ctrl).sum())}
    window = y[cells[:, None], weeks[:, None] + np.arange(-W, W + 1)[None, :]]
    row["informative"] = int((window.sum(axis=1) > 0).sum())
    if row["informative"] < params.effect_min_treated:
        row["message"] = (
            f"too few struck cells with a clean window, matched controls and any {name} "
            f"({row['informative']} < {params.effect_min_treated})"
        )
        return row
    pre = pool.pre[cells, weeks]
    lags = np.arange(-W, W + 1)
    obs = y[cells[:, None], weeks[:, None] + lags[None, :]]  # [n, lags]
    cf = pre[:, None] * pool.ratio[:, key].T  # counterfactual per lag
    diff = obs - cf
    post = slice(W, 2 * W)  # lags 0 … W−1
    rng = party_seed(params, "effects", party, cat, name)
    boot = rng.poisson(1.0, (params.bootstrap_replicates, cells.size)).astype(np.float64)
    a = (1.0 - params.confidence_level) / 2.0

    def ratio(num: F, den: F) -> tuple[float, float, float]:
        point = num.sum() / den.sum() if den.sum() > 0 else np.nan
        reps = (boot @ num) / np.where(boot @ den > 0, boot @ den, np.nan)
        return float(point), float(np.nanquantile(reps, a)), float(np.nanquantile(reps, 1 - a))

    eff, lo, hi = ratio(diff[:, post].sum(axis=1), cf[:, post].sum(axis=1))
    pre_eff, pre_lo, pre_hi = ratio(diff[:, :W].sum(axis=1), cf[:, :W].sum(axis=1))
    study = []
    for j, lag in enumerate(lags):
        e, elo, ehi = ratio(diff[:, j], cf[:, j])
        study.append({"lag": int(lag), "effect": e, "ci_low": elo, "ci_high": ehi})
    row.update(
        effect=eff,
        ci_low=lo,
        ci_high=hi,
        significant=bool(lo > 0 or hi < 0),
        att_per_week=float(diff[:, post].mean()),
        baseline_per_week=float(pre.mean()),
        pre_trend=pre_eff,
        pre_trend_ci=[pre_lo, pre_hi],
        event_study=study,
    )
    if not np.isfinite(eff):
        row["message"] = f"no counterfactual {name} to compare with"
    return row
