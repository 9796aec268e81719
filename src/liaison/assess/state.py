"""Group state per week: activity, footprint, logistics, strength, and trend with CIs."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from .grid import week_start_ms
from .params import Params
from .prepare import Prepared

__all__ = ["group_state", "ols_trend", "poisson_ci"]

F = npt.NDArray[np.float64]


def poisson_ci(counts: F, level: float) -> tuple[F, F]:
    """Exact (Garwood) confidence interval of Poisson counts."""
    a = (1.0 - level) / 2.0
    low = np.where(counts > 0, stats.chi2.ppf(a, 2 * counts) / 2.0, 0.0)
    high = stats.chi2.ppf(1.0 - a, 2 * counts + 2) / 2.0
    return np.asarray(low, np.float64), np.asarray(high, np.float64)


def ols_trend(y: F, window: int, level: float) -> tuple[F, F, F]:
    """Slope of ``y`` (per week) over the trailing ``window`` weeks, with its CI.

    ``y`` is [series, weeks]; values before the window is full are NaN.
    """
    n = window
    x = np.arange(n, dtype=np.float64) - (n - 1) / 2.0
    sxx = float((x**2).sum())
    views = np.lib.stride_tricks.sliding_window_view(y, n, axis=1)  # [s, w-n+1, n]
    slope = (views * x).sum(axis=2) / sxx
    fitted_mean = views.mean(axis=2)
    resid = views - fitted_mean[..., None] - slope[..., None] * x
    dof = max(n - 2, 1)
    se = np.sqrt((resid**2).sum(axis=2) / dof / sxx)
    t = float(stats.t.ppf(0.5 + level / 2.0, dof))
    pad = np.full((y.shape[0], n - 1), np.nan)
    s = np.concatenate([pad, slope], axis=1)
    e = np.concatenate([pad, se], axis=1)
    return s, s - t * e, s + t * e


def _per_group_week(
    df: pl.DataFrame, col: str, groups: tuple[str, ...], n_w: int, values: F | None = None
) -> F:
    g_index = {g: i for i, g in enumerate(groups)}
    g = df[col].replace_strict(g_index, default=-1, return_dtype=pl.Int64).to_numpy()
    keep = g >= 0
    weight = None if values is None else values[keep]
    flat = g[keep] * n_w + df["week"].to_numpy()[keep]
    out = np.bincount(flat, weights=weight, minlength=len(groups) * n_w)
    return np.asarray(out, np.float64).reshape(len(groups), n_w)


def _strength(prep: Prepared) -> F:
    """Sum over cells of the largest strength reported in the cell that week (NaN: none)."""
    pres = prep.frames["presence"].filter(pl.col("strength").is_not_null())
    n_w = prep.n_weeks
    per_cell = pres.group_by("group", "cell", "week").agg(pl.col("strength").max())
    out = _per_group_week(per_cell, "group", prep.groups, n_w, per_cell["strength"].to_numpy())
    seen = _per_group_week(per_cell, "group", prep.groups, n_w)
    return np.where(seen > 0, out, np.nan)


def group_state(p: npt.NDArray[np.float32], prep: Prepared, params: Params) -> list[dict[str, Any]]:
    """State of each group per week of the period, and a summary over the period."""
    n_w, groups = prep.n_weeks, prep.groups
    events = prep.frames["events"]
    activity = _per_group_week(events, "initiator", groups, n_w)
    logi = prep.frames["logistics"]
    traffic_values = logi["count"].cast(pl.Float64).fill_null(logi["volume"]).fill_null(1.0)
    traffic = _per_group_week(logi, "group", groups, n_w, traffic_values.to_numpy())
    volume = _per_group_week(logi, "group", groups, n_w, logi["volume"].fill_null(0.0).to_numpy())
    records = (
        activity
        + _per_group_week(logi, "group", groups, n_w)
        + _per_group_week(prep.frames["presence"], "group", groups, n_w)
    )
    area = np.append(prep.grid.area_km2, 0.0)
    footprint = np.einsum("c,cwg->gw", area, (p >= params.presence_threshold).astype(np.float64))
    strength = _strength(prep)
    lo, hi = poisson_ci(activity, params.confidence_level)
    slope, s_lo, s_hi = ols_trend(activity, params.trend_window_weeks, params.confidence_level)
    weeks = range(prep.first, prep.last + 1)
    out = []
    for gi, group in enumerate(groups):
        rows = [
            {
                "week_start": week_start_ms(prep.week0 + w),
                "activity": activity[gi, w],
                "activity_ci": [lo[gi, w], hi[gi, w]],
                "footprint_km2": footprint[gi, w],
                "logistics_traffic": traffic[gi, w],
                "logistics_volume": volume[gi, w],
                "strength": strength[gi, w],
                "trend": slope[gi, w],
                "trend_ci": [s_lo[gi, w], s_hi[gi, w]],
                "no_data": bool(records[gi, w] == 0),
            }
            for w in weeks
        ]
        period = slice(prep.first, prep.last + 1)
        span = prep.last - prep.first + 1
        entry: dict[str, Any] = {"group": group, "weeks": rows}
        if span >= 3:
            whole, w_lo, w_hi = ols_trend(
                activity[gi : gi + 1, period], span, params.confidence_level
            )
            trend = [whole[0, -1], w_lo[0, -1], w_hi[0, -1]]
        else:
            trend = [None, None, None]
        entry["summary"] = {
            "activity_total": activity[gi, period].sum(),
            "footprint_km2_first": footprint[gi, prep.first],
            "footprint_km2_last": footprint[gi, prep.last],
            "footprint_km2_mean": footprint[gi, period].mean(),
            "logistics_traffic_total": traffic[gi, period].sum(),
            "activity_trend_per_week": trend[0],
            "activity_trend_ci": trend[1:],
            "weeks_without_data": int((records[gi, period] == 0).sum()),
        }
        if records[gi, period].sum() == 0:
            entry["message"] = "no event, presence or logistics record of this group in the period"
        out.append(entry)
    return out
