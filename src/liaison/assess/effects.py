"""Strike effects on activity and logistics: matched difference-in-differences.

A treated unit is a cell first struck by the party with the category in week w0,
with no strike of any kind in the ``effect_clean_before_weeks`` (B) weeks before and
no strike of another category in weeks w0…w0+win (win = ``effect_window_weeks``).
Its controls are the cells with no strike at all in w0−B…w0+win, in the same
stratum: same week w0, same dominant group at w0−1 (P ≥ θ, or none), same bin of
pre-period trend (coarser strata when a stratum has fewer than
``effect_min_controls`` controls). The counterfactual of a treated
unit at each lag is its pre-period mean times the controls' ratio (Σ level at
that lag / Σ pre-period mean); the effect is Σ(observed − counterfactual) /
Σ counterfactual over treated units and the post weeks 0…win−1. Controls are
pooled, never selected on their own noisy level, so the ratio does not regress
to the mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

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
    win = params.effect_window_weeks
    n_w = y.shape[1]
    cs = _cumsum0(y)
    w0 = np.arange(n_w)
    ok = (w0 >= win) & (w0 + win < n_w)
    lo, mid = np.clip(w0 - win, 0, n_w), np.clip(w0 - win // 2, 0, n_w)
    pre = (cs[:, w0] - cs[:, lo]) / win
    first = (cs[:, mid] - cs[:, lo]) / max(win // 2, 1)
    second = (cs[:, w0] - cs[:, mid]) / max(win - win // 2, 1)
    rel_trend = (second - first) / (first + second + 1.0)
    edges = np.linspace(-1.0, 1.0, params.effect_trend_bins + 1)[1:-1]
    trend = np.searchsorted(edges, rel_trend)
    key = (w0[None, :] * n_dom + dom) * params.effect_trend_bins + trend
    return pre, np.where(ok[None, :], key, -1)


def _pool(y: F, dom: I64, n_dom: int, clean: npt.NDArray[np.bool_], params: Params) -> _Pool:
    """Control ratios per stratum; strata with fewer than ``effect_min_controls`` controls
    fall back to (w0, dominant group), then to (w0) alone."""
    win = params.effect_window_weeks
    n_t = params.effect_trend_bins
    pre, key = _features(y, dom, n_dom, params)
    n_keys = y.shape[1] * n_dom * n_t
    c_idx, w_idx = np.nonzero(clean & (key >= 0))
    fine = key[c_idx, w_idx]
    levels = (fine, fine // n_t, fine // (n_t * n_dom))
    sizes = (n_keys, n_keys // n_t, n_keys // (n_t * n_dom))
    counts = [
        np.bincount(k, minlength=m).astype(np.float64) for k, m in zip(levels, sizes, strict=True)
    ]
    bases = [
        np.bincount(k, weights=pre[c_idx, w_idx], minlength=m)
        for k, m in zip(levels, sizes, strict=True)
    ]
    all_keys = np.arange(n_keys)
    mapped = (all_keys, all_keys // n_t, all_keys // (n_t * n_dom))
    choice = np.full(n_keys, 2)
    for level in (1, 0):
        enough = (counts[level][mapped[level]] >= params.effect_min_controls) & (
            bases[level][mapped[level]] > 0
        )
        choice[enough] = level
    base = np.choose(choice, [b[m] for b, m in zip(bases, mapped, strict=True)])
    n_ctrl = np.choose(choice, [c[m] for c, m in zip(counts, mapped, strict=True)])
    ratios = []
    for lag in range(-win, win + 1):
        v = y[c_idx, w_idx + lag]
        sums = [np.bincount(k, weights=v, minlength=m) for k, m in zip(levels, sizes, strict=True)]
        level_sum = np.choose(choice, [s_[m] for s_, m in zip(sums, mapped, strict=True)])
        ratios.append(np.where(base > 0, level_sum / np.where(base > 0, base, 1.0), np.nan))
    return _Pool(pre, key, np.where(base > 0, n_ctrl, 0.0), np.stack(ratios))


def strike_effects(
    p: npt.NDArray[np.float32], prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Effect of each party's strikes per target category on activity and on logistics."""
    win = params.effect_window_weeks
    strikes = prep.frames["strikes"]
    n_c, n_w = prep.grid.n_cells + 1, prep.n_weeks
    if strikes.height == 0 or n_w < 2 * win + 1:
        msgs.warn("no-effects", "strike effects need strikes and at least 2×window+1 weeks of data")
        return []
    flat = strikes["cell"].to_numpy() * n_w + strikes["week"].to_numpy()
    any_cs = _cumsum0(np.bincount(flat, minlength=n_c * n_w).reshape(n_c, n_w).astype(float))
    w0 = np.arange(n_w)
    before = np.clip(w0 - params.effect_clean_before_weeks, 0, n_w)
    clean = any_cs[:, np.clip(w0 + win + 1, 0, n_w)] - any_cs[:, before] == 0
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
            hi = np.clip(weeks + win + 1, 0, n_w)
            pre_clean = any_cs[cells, weeks] - any_cs[cells, lo] == 0
            post_clean = other_cs[cells, hi] - other_cs[cells, weeks] == 0
            in_period = (weeks >= max(prep.first, win)) & (weeks <= prep.last) & (weeks + win < n_w)
            keep = pre_clean & post_clean & in_period
            for name, y in ys.items():
                row = _estimate(y, pools[name], cells[keep], weeks[keep], params, party, cat, name)
                out.append({"party": party, "target_category": cat, "outcome": name, **row})
    return out


def _estimate(
    y: F, pool: _Pool, cells: I64, weeks: I64, params: Params, party: str, cat: str, name: str
) -> dict[str, Any]:
    win = params.effect_window_weeks
    key = pool.key[cells, weeks]
    has_ctrl = (key >= 0) & (pool.ctrl_n[np.maximum(key, 0)] > 0)
    cells, weeks, key = cells[has_ctrl], weeks[has_ctrl], key[has_ctrl]
    row: dict[str, Any] = {"treated": int(cells.size), "unmatched": int((~has_ctrl).sum())}
    window = y[cells[:, None], weeks[:, None] + np.arange(-win, win + 1)[None, :]]
    row["informative"] = int((window.sum(axis=1) > 0).sum())
    if row["informative"] < params.effect_min_treated:
        row["message"] = (
            f"too few struck cells with a clean window, matched controls and any {name} "
            f"({row['informative']} < {params.effect_min_treated})"
        )
        return row
    pre = pool.pre[cells, weeks]
    lags = np.arange(-win, win + 1)
    obs = y[cells[:, None], weeks[:, None] + lags[None, :]]  # [n, lags]
    cf = pre[:, None] * pool.ratio[:, key].T  # counterfactual per lag
    diff = obs - cf
    post = slice(win, 2 * win)  # lags 0 … win−1
    rng = party_seed(params, "effects", party, cat, name)
    cohorts, cohort_of = np.unique(weeks, return_inverse=True)
    # clustered by cohort: units struck the same week share their controls
    boot = rng.poisson(1.0, (params.bootstrap_replicates, cohorts.size)).astype(np.float64)
    a = (1.0 - params.confidence_level) / 2.0

    crit = float(stats.t.ppf(1.0 - a, max(cohorts.size - 1, 1)))

    def ratio(num: F, den: F) -> tuple[float, float, float]:
        """Point estimate ± t(cohorts − 1) × bootstrap standard error."""
        if den.sum() <= 0:
            return np.nan, np.nan, np.nan
        point = float(num.sum() / den.sum())
        num_c = np.bincount(cohort_of, weights=num, minlength=cohorts.size)
        den_c = np.bincount(cohort_of, weights=den, minlength=cohorts.size)
        reps = (boot @ num_c) / np.where(boot @ den_c > 0, boot @ den_c, np.nan)
        se = float(np.nanstd(reps, ddof=1))
        return point, point - crit * se, point + crit * se

    eff, lo, hi = ratio(diff[:, post].sum(axis=1), cf[:, post].sum(axis=1))
    pre_eff, pre_lo, pre_hi = ratio(diff[:, :win].sum(axis=1), cf[:, :win].sum(axis=1))
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
