"""Strike effects on activity and logistics for repeated, non-absorbing strikes.

One Poisson regression with cell and week fixed effects (``fepois``) per outcome,
over every party × target category at once (docs/method.md "Strike effects"):

* a strike is placed at the most likely cell of its location posterior (targeting.py:
  strikes go where things happen); a report less precise than
  ``effect_max_precision_m`` is placed where another source saw it (its one-to-one
  matched observation, ranked by time: ``effect_place_by_observation``), or else
  cannot be placed on a cell and is counted as excluded;
* for each party × category, a cell-week is in bin *b* of "weeks since the last such
  strike on the cell" (bins of ``effect_bin_weeks`` up to ``effect_horizon_weeks``),
  so a place struck again and again is compared with itself between strikes and with
  places not (recently) struck — the clean controls of a local projection; with
  ``effect_latest_any_party`` the weeks count from the category's latest strike by
  any party, shared among the parties whose strikes it was (a second party's strike
  renews an effect, it does not double it);
* a *spillover* regressor: such a strike within one ring of the cell in the last
  ``effect_window_weeks`` (convoys are counted along the neighbourhood, not only in
  the struck cell);
* a *lead* regressor (placebo): such a strike on the cell in the next
  ``effect_lead_weeks`` weeks and none in the last ``effect_horizon_weeks``. With no
  anticipation it is 0; activity already trending before the strikes makes it fail.

A strike that cannot be placed on a cell (a coarse report nobody else saw) still hit
somewhere: the cell-weeks its location posterior reaches (mass ≥ ``effect_unplaced_mass``
over the last ``effect_unplaced_weeks`` weeks) are neither struck nor clean controls and
are left out of the likelihood; kept, they are affected weeks read as unaffected, and
every effect shrinks towards 0.

The effect is ``exp(b̄) − 1`` with ``b̄`` the exposure-weighted mean coefficient of the
bins within ``effect_window_weeks``. The regression also carries the cell's holder that
week (``effect_holder_covariates``); its interval uses the cluster-robust covariance
(clusters: the cells' H3 parents at ``effect_cluster_resolution``) and Student t on the
effective number of clusters of the effect's combination of bins (few struck places,
few degrees of freedom). Logistics are read on the weeks a cell's traffic was reported
(``effect_logistics_reported_only``): a week with no record of it is missing, not zero.
The event study is the bins' effects; the duration is the end of the
run of bins, from the first, whose interval excludes 0 with the effect's sign.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
import polars_h3 as plh3
from scipy import stats

from .corroboration import observed_cells
from .errors import Messages
from .fepois import PoissonFit, fepois
from .params import Params
from .prepare import Prepared
from .presence import ControlField
from .targeting import strike_posteriors

__all__ = ["logistics_reported", "outcomes", "strike_effects", "unplaced_mask"]

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


def logistics_reported(
    prep: Prepared, max_precision_m: float, within_weeks: int = 0
) -> npt.NDArray[np.bool_]:
    """Cell-weeks within ``within_weeks`` weeks of a logistics record there (of any
    count, zero included) located to within ``max_precision_m``: where and when
    someone was watching the traffic."""
    n_w = prep.n_weeks
    logi = prep.frames["logistics"].filter(pl.col("precision_m").fill_null(0.0) <= max_precision_m)
    flat = logi["cell"].to_numpy() * n_w + logi["week"].to_numpy()
    seen = np.bincount(flat, minlength=(prep.grid.n_cells + 1) * n_w).reshape(-1, n_w)
    if within_weeks > 0:  # a record in weeks t − k … t + k
        cum = np.concatenate([np.zeros((seen.shape[0], 1), np.int64), np.cumsum(seen, 1)], 1)
        t = np.arange(n_w)
        lo, hi = np.clip(t - within_weeks, 0, n_w), np.clip(t + within_weeks + 1, 0, n_w)
        seen = cum[:, hi] - cum[:, lo]
    return np.asarray(seen > 0, np.bool_)


def unplaced_mask(
    post_cells: I64,
    post_weights: F,
    week: I64,
    shape: tuple[int, int],
    params: Params,
) -> F | None:
    """1 for the clean cell-weeks, 0 where the strikes that could not be placed may have
    landed: their location posteriors' (``post_cells``, ``post_weights``: one row per
    strike, in its ``week``) summed mass over the last ``effect_unplaced_weeks`` weeks
    reaches ``effect_unplaced_mass``. None when nothing is left out."""
    span = params.effect_unplaced_weeks
    if span == 0 or post_cells.shape[0] == 0:
        return None
    n_c, n_w = shape
    flat = post_cells * n_w + week[:, None]
    mass = np.asarray(np.bincount(flat.ravel(), post_weights.ravel(), n_c * n_w), np.float64)
    mass = mass.reshape(n_c, n_w)
    mass[-1] = 0.0  # the "outside the grid" row
    unclean = _window_sum(mass, 0, span - 1) >= params.effect_unplaced_mass
    return None if not unclean.any() else np.asarray(~unclean, np.float64)


def _bins(params: Params) -> list[tuple[int, int]]:
    step = params.effect_bin_weeks
    return [(lo, lo + step - 1) for lo in range(0, params.effect_horizon_weeks, step)]


def _rows(cells: I64, prep: Prepared, params: Params, rng: np.random.Generator) -> I64:
    """The cells of the regression: struck cells, their neighbours, and a sample of others
    (at most ``effect_max_cells``)."""
    grid = prep.grid
    near = np.unique(grid.neighbours[cells][:, : grid.slots_within(1)])
    near = near[near < grid.n_cells]
    if near.size > params.effect_max_cells:  # very large selections: a fixed-seed sample
        return np.sort(rng.choice(near, params.effect_max_cells, replace=False)).astype(np.int64)
    others = np.setdiff1d(np.arange(grid.n_cells), near)
    n_more = min(others.size, max(params.effect_control_cells - near.size, 0))
    sample = rng.choice(others, n_more, replace=False) if n_more else others[:0]
    return np.sort(np.concatenate([near, sample])).astype(np.int64)


def _holder(field: ControlField, rows: I64) -> F:
    """Which group holds each cell that week (the most likely given someone is there):
    one indicator per group but the first, [rows, weeks, groups − 1].

    Reporting and activity change with the holder (a group's own territory is reported
    less) and strikes follow the holder: without it, a place struck while one group held
    it is compared with its weeks under another. The indicator, not P itself: a strike
    that lowers a group's activity lowers its share of the evidence, rarely the holder.
    """
    hard = np.argmax(field.who[rows], axis=2)
    return np.asarray(hard[:, :, None] == np.arange(1, field.who.shape[2]), np.float64)


def _clusters(prep: Prepared, rows: I64, resolution: int) -> I64:
    """Cluster of each regression cell: its H3 parent at ``resolution`` (the cell
    itself at the grid's resolution or finer)."""
    if resolution >= prep.grid.resolution:
        return rows.astype(np.int64)
    frame = pl.DataFrame({"c": prep.grid.cells[rows]}).select(
        plh3.cell_to_parent("c", resolution).alias("p")
    )
    _, inverse = np.unique(frame["p"].to_numpy(), return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


def _survival(p: F) -> tuple[I64, F]:
    """Cumulative (over weeks, with a leading 0) count of certain strikes and sum of
    log P(no strike) of uncertain ones, per cell."""
    n_c = p.shape[0]
    certain = np.concatenate([np.zeros((n_c, 1), np.int64), np.cumsum(p >= 1.0, axis=1)], 1)
    lg = np.where(p < 1.0, np.log1p(-np.minimum(p, 1.0 - 1e-12)), 0.0)
    return certain, np.concatenate([np.zeros((n_c, 1)), np.cumsum(lg, axis=1)], axis=1)


def _none(surv: tuple[I64, F], start: int, stop: int) -> F:
    """P(no strike in weeks t+start … t+stop), per cell-week (inclusive; an empty or
    out-of-panel window has none)."""
    certain, lg = surv
    n_w = certain.shape[1] - 1
    t = np.arange(n_w)
    lo, hi = np.clip(t + start, 0, n_w), np.clip(t + stop + 1, 0, n_w)
    hi = np.maximum(hi, lo)
    free = (certain[:, hi] - certain[:, lo]) == 0
    if not lg.any():  # only certain strikes: 0/1
        return np.asarray(free, np.float64)
    return np.asarray(np.where(free, np.exp(lg[:, hi] - lg[:, lo]), 0.0), np.float64)


def _window_sum(x: F, lo: int, hi: int) -> F:
    """Sum of x over weeks t − hi … t − lo, per cell-week (clipped to the panel)."""
    n_w = x.shape[1]
    cum = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    t = np.arange(n_w)
    a, b = np.clip(t - hi, 0, n_w), np.clip(t - lo + 1, 0, n_w)
    return np.asarray(cum[:, np.maximum(b, a)] - cum[:, a], np.float64)


def _exposure(
    struck: F,
    rows: I64,
    prep: Prepared,
    params: Params,
    bins: list[tuple[int, int]],
    others: F | None = None,
) -> list[F]:
    """Regressors of one party × category from P(struck) per cell-week: the bins of
    weeks since the last strike, the ring-1 spillover and the lead (placebo). With
    certain strikes (P = 1) they are the 0/1 indicators of the module docstring.

    ``others``: the expected number of the other parties' strikes of the category per
    cell-week. The bins then count the weeks since the category's latest strike by any
    party, shared among the parties by their strikes in the bin's weeks: a place
    struck by two parties is not struck twice over (an effect renewed, not compounded).
    """
    own = _survival(struck)
    log_free = np.where(struck < 1.0, np.log1p(-np.minimum(struck, 1.0 - 1e-12)), 0.0)
    ring_lg = np.zeros_like(struck)
    ring_certain = np.zeros(struck.shape, bool)
    for slot in range(1, prep.grid.slots_within(1)):
        nb = prep.grid.neighbours[:, slot]
        ring_lg += log_free[nb]
        ring_certain |= struck[nb] >= 1.0
    ring_p = np.where(ring_certain, 1.0, -np.expm1(ring_lg))
    ring = _survival(ring_p)
    w, h = params.effect_window_weeks, params.effect_horizon_weeks
    memo: dict[int, F] = {}

    def quiet(weeks: int) -> F:  # P(no such strike on the cell in the last `weeks` weeks)
        if weeks not in memo:
            memo[weeks] = np.ones(struck.shape) if weeks == 0 else _none(own, -(weeks - 1), 0)
        return memo[weeks]

    if others is None or not others.any():
        cols = [(quiet(lo) - quiet(hi + 1))[rows] for lo, hi in bins]
    else:
        # the others' expected strikes as Poisson counts; one certain strike is certain
        p_any = np.where(
            (struck >= 1.0) | (others >= 1.0), 1.0, 1.0 - (1.0 - struck) * np.exp(-others)
        )
        anyone = _survival(p_any)

        def quiet_any(weeks: int) -> F:
            return np.ones(struck.shape) if weeks == 0 else _none(anyone, -(weeks - 1), 0)

        cols = []
        for lo, hi in bins:
            mine, theirs = _window_sum(struck, lo, hi), _window_sum(others, lo, hi)
            share = np.divide(mine, mine + theirs, out=np.zeros_like(mine), where=mine > 0)
            cols.append(((quiet_any(lo) - quiet_any(hi + 1)) * share)[rows])
    cols.append(((1.0 - _none(ring, -(w - 1), 0)) * quiet(w))[rows])
    lead = (1.0 - _none(own, 1, params.effect_lead_weeks)) * quiet(h)
    cols.append(lead[rows])
    return cols


def strike_effects(
    field: ControlField, prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Effect of each party's strikes per target category on activity and on logistics.

    Rows are returned for ``parties``; the regression carries every party's strikes, so
    that selecting a party does not leave the others' strikes among its controls (the
    rows are those of the unselected run).
    """
    strikes = prep.frames["strikes"]
    n_c, n_w = prep.grid.n_cells + 1, prep.n_weeks
    if strikes.height == 0 or n_w < params.effect_horizon_weeks + params.effect_lead_weeks + 2:
        msgs.warn("no-effects", "strike effects need strikes and more weeks of data")
        return []
    prec = strikes["precision_m"].fill_null(0.0).to_numpy().astype(np.float64)
    week, at = strikes["week"].to_numpy(), strikes["cell"].to_numpy().copy()
    # a coarse report that another source saw is located where it was seen
    by_sight = np.zeros(prec.size, bool)
    if params.effect_place_by_observation:
        far = np.flatnonzero(prec > params.effect_max_precision_m)
        seen, seen_prec = observed_cells(prep, params, far)
        ok = (seen >= 0) & (seen < prep.grid.n_cells)
        at[far[ok]], prec[far[ok]], by_sight[far[ok]] = seen[ok], seen_prec[ok], True
    post = strike_posteriors(field, prep, at, week, prec, params)
    weights = np.diff(post.loc_cum, axis=1, prepend=0.0)
    best = post.cells[np.arange(post.cells.shape[0]), np.argmax(weights, axis=1)]
    cell = best[post.key_of]
    placed = (prec <= params.effect_max_precision_m) & (cell < prep.grid.n_cells)
    party_col, cats = strikes["party"].to_numpy(), strikes["target_category"].to_numpy()
    # imprecise strikes: spread over their location posterior (fractional exposure)
    spread = ~placed & (prec <= params.max_precision_m) & params.effect_spread_imprecise
    reported = set(parties)
    pairs = [
        (party, cat)
        for party in prep.parties
        for cat in sorted(set(cats[party_col == party].tolist()))
        if cat is not None
    ]
    rng = np.random.default_rng([params.bootstrap_seed, 7])
    mass = np.zeros(n_c)
    sp_idx = np.flatnonzero(spread)
    np.add.at(mass, post.cells[post.key_of[sp_idx]].ravel(),
              weights[post.key_of[sp_idx]].ravel())  # fmt: skip
    likely = np.flatnonzero(mass[:-1] >= 0.5)
    rows = _rows(np.unique(np.concatenate([cell[placed], likely])), prep, params, rng)
    unplaced = np.flatnonzero(~placed & ~spread & (prec <= params.max_precision_m))
    clean_all = unplaced_mask(
        post.cells[post.key_of[unplaced]], weights[post.key_of[unplaced]], week[unplaced],
        (n_c, n_w), params,
    )  # fmt: skip
    clean = None if clean_all is None else clean_all[rows]
    left_out = 0.0 if clean is None else float(1.0 - clean.mean())
    columns: list[F] = []
    layout: list[dict[str, Any]] = []
    bins = _bins(params)
    win_bins = [i for i, (lo, _) in enumerate(bins) if lo < params.effect_window_weeks]

    def struck_by(mine: npt.NDArray[np.bool_]) -> F:
        """P(struck) per cell-week by the strikes ``mine`` (1 where placed)."""
        sel, fr = placed & mine, np.flatnonzero(spread & mine)
        struck = np.zeros((n_c, n_w))
        if fr.size:
            k = post.key_of[fr]
            flat = post.cells[k] * n_w + week[fr][:, None]
            mass_cw = np.bincount(flat.ravel(), weights[k].ravel(), n_c * n_w)
            struck = np.minimum(mass_cw.reshape(n_c, n_w).astype(np.float64), 1.0 - 1e-9)
        struck[cell[sel], week[sel]] = 1.0
        struck[-1] = 0.0  # the "outside the grid" row is never struck
        return struck

    every_party: dict[Any, F] = {}  # per category: the parties' P(struck) summed
    for party, cat in pairs:
        mine = (party_col == party) & (cats == cat)
        sel, fr = placed & mine, np.flatnonzero(spread & mine)
        struck = struck_by(mine)
        others = None
        if params.effect_latest_any_party:
            if cat not in every_party:
                every_party[cat] = np.zeros((n_c, n_w))
                for q in prep.parties:
                    every_party[cat] += struck_by((party_col == q) & (cats == cat))
            others = np.maximum(every_party[cat] - struck, 0.0)
        start = len(columns)
        columns += [c.ravel() for c in _exposure(struck, rows, prep, params, bins, others)]
        total = struck[:-1].sum(axis=1)
        hit = np.flatnonzero(total >= 0.5) if fr.size else np.unique(cell[sel])
        layout.append(
            {
                "party": party,
                "category": cat,
                "start": start,
                "placed": int(sel.sum()),
                "placed_by_observation": int((sel & by_sight).sum()),
                "spread": int(fr.size),
                "excluded": int((mine & ~placed & ~spread).sum()),
                "excluded_m": float(np.median(prec[mine & ~placed & ~spread]))
                if (mine & ~placed & ~spread).any()
                else 0.0,
                "cells": int(hit.size),
                "struck_cells": hit,
            }
        )
    if not columns:
        return []
    if params.effect_holder_covariates and field.who.shape[2] > 1:
        holder = _holder(field, rows)
        columns += [holder[:, :, j].ravel() for j in range(holder.shape[2])]
    # stacked along a leading axis (contiguous writes), read through a transposed view
    x = np.stack(columns, axis=0).T.reshape(rows.size, n_w, len(columns))
    del columns
    # week effects per dominant group (or none): groups' own trends are not strike effects
    p_rows = field.p[rows, prep.first : prep.last + 1].mean(axis=1)  # [rows, groups]
    none = 1.0 - field.someone[rows, prep.first : prep.last + 1].mean(axis=1)
    strata = np.argmax(np.concatenate([none[:, None], p_rows], axis=1), axis=1)
    exposure = x.sum(axis=(0, 1))
    clusters = _clusters(prep, rows, params.effect_cluster_resolution)
    n_clusters = np.zeros(n_c, np.int64)
    n_clusters[rows] = clusters
    out = []
    for name, y_all in outcomes(prep, params.effect_max_precision_m).items():
        y, mask = y_all[rows], clean
        if name == "logistics" and params.effect_logistics_reported_only:
            # traffic is counted where someone watched: a week without a record is
            # missing, not zero (a road's use comes and goes with the front)
            watched = logistics_reported(
                prep, params.effect_max_precision_m, params.effect_logistics_reported_within_weeks
            )
            mask = watched[rows].astype(np.float64) * (1.0 if clean is None else clean)
        if mask is not None:
            y = y * mask
        fit = fepois(y, x, strata, clusters=clusters, mask=mask) if y.sum() > 0 else None
        has_y = np.zeros(n_c, bool)
        has_y[rows[y.sum(axis=1) > 0]] = True
        for item in layout:
            if item["party"] not in reported:
                continue
            info = item["struck_cells"][has_y[item["struck_cells"]]]
            item["informative"] = int(info.size)
            item["clusters"] = int(np.unique(n_clusters[info]).size)
            row = _pair_row(fit, exposure, item, bins, win_bins, name, params)
            out.append(
                {
                    "party": item["party"],
                    "target_category": item["category"],
                    "outcome": name,
                    **row,
                    "cell_weeks_left_out": round(left_out, 4),
                }
            )
    return out


#: A bin's log effect beyond this (a factor of 1,000) is separation, not an estimate.
MAX_LOG_EFFECT = float(np.log(1000.0))


def _relative(log_ratio: float) -> float:
    """exp(x) − 1, finite: a bound of a few struck cells' interval can pass e^709."""
    return float(np.expm1(min(float(log_ratio), 700.0)))


def _pair_row(
    fit: PoissonFit | None,
    exposure_all: F,
    item: dict[str, Any],
    bins: list[tuple[int, int]],
    win_bins: list[int],
    name: str,
    params: Params,
) -> dict[str, Any]:
    s = item["start"]
    n_b = len(bins)
    row: dict[str, Any] = {
        "strikes_placed": item["placed"],
        "strikes_placed_by_observation": item["placed_by_observation"],
        "strikes_excluded_imprecise": item["excluded"],
        "strikes_spread": item["spread"],
        "treated": item["cells"],
        "informative": item["informative"],
    }
    exposure = exposure_all[s : s + n_b]
    reason = None
    if fit is None:
        reason = f"no {name} recorded in the struck places or their controls"
    elif item["placed"] + item["spread"] == 0 and item["excluded"] > 0:
        reason = (
            f"all {item['excluded']} strike report(s) are located less precisely than "
            f"{params.effect_max_precision_m:.0f} m (median {item['excluded_m'] / 1000:.0f} "
            "km) and none was seen by another source: they cannot be placed on a cell, so "
            "no effect is estimated for them. A "
            'coarse ("near X") report names a place that far from its target: spread '
            "over its location posterior it gives effects of the wrong sign (docs/method.md "
            '"What the method cannot know")'
        )
    elif item["informative"] < params.effect_min_treated:
        reason = (
            f"too few struck cells with any {name} recorded ({item['informative']} of "
            f"{item['cells']} < {params.effect_min_treated}; strikes located within "
            f"{params.effect_max_precision_m:.0f} m)"
        )
    else:
        idx = [s + i for i in win_bins]
        coef = fit.coef[idx]
        if fit.diverged:
            reason = (
                f"not identified: the regression of {name} diverged (its fitted means "
                "overflowed): no credible effect can be read"
            )
        elif not np.all(np.isfinite(coef)):
            reason = (
                f"not identified: the struck cells' {name} never varies between struck "
                "and unstruck weeks (struck every week, or no record of it there)"
            )
        elif np.abs(coef).max() > MAX_LOG_EFFECT:
            factor = np.exp(min(float(np.abs(coef).max()), 700.0))
            reason = (
                f"not identified: the estimate diverges (×{factor:.3g}); the struck cells' "
                f"{name} is zero in one of the states compared (separation): no credible "
                "effect can be read"
            )
    if reason is not None:
        row["message"] = reason
        return row
    assert fit is not None
    w = exposure[win_bins] / max(exposure[win_bins].sum(), 1.0)
    idx = [s + i for i in win_bins]
    direction = np.zeros(fit.coef.size)
    direction[idx] = w
    g_eff = min(fit.effective_clusters(direction), float(item["clusters"]))
    row["effective_clusters"] = round(g_eff, 1)
    # few effective clusters: Student t with (effective clusters − 1) degrees of freedom
    z = float(stats.t.ppf(0.5 + params.confidence_level / 2.0, max(g_eff - 1.0, 1.0)))
    b = float(w @ fit.coef[idx])
    se = float(np.sqrt(max(w @ fit.vcov[np.ix_(idx, idx)] @ w, 0.0)))
    eff, lo, hi = _relative(b), _relative(b - z * se), _relative(b + z * se)
    study = []
    for i, (b_lo, b_hi) in enumerate(bins):
        c, e = fit.coef[s + i], fit.se[s + i]
        study.append(
            {
                "weeks_since_strike": [b_lo, b_hi],
                "effect": _relative(c) if np.isfinite(c) else None,
                "ci_low": _relative(c - z * e) if np.isfinite(c) else None,
                "ci_high": _relative(c + z * e) if np.isfinite(c) else None,
            }
        )
    significant = bool(lo > 0 or hi < 0)
    duration = 0
    for i, (_, b_hi) in enumerate(bins):
        c, e = fit.coef[s + i], fit.se[s + i]
        if not (significant and np.isfinite(c)):
            break
        same = (c - z * e > 0) if eff > 0 else (c + z * e < 0)
        if not same:
            break
        duration = b_hi + 1
    spill_c, spill_e = fit.coef[s + n_b], fit.se[s + n_b]
    lead_c, lead_e = fit.coef[s + n_b + 1], fit.se[s + n_b + 1]

    def rel(c: float, e: float) -> tuple[float | None, list[float | None]]:
        if not np.isfinite(c):
            return None, [None, None]
        return _relative(c), [_relative(c - z * e), _relative(c + z * e)]

    spill, spill_ci = rel(spill_c, spill_e)
    pre, pre_ci = rel(lead_c, lead_e)
    placebo_fails = bool(pre_ci[0] is not None and (pre_ci[0] > 0 or pre_ci[1] < 0))  # type: ignore[operator]
    row.update(
        effect=float(eff),
        ci_low=float(lo),
        ci_high=float(hi),
        significant=significant,
        duration_weeks=duration,
        spillover_ring1=spill,
        spillover_ci=spill_ci,
        pre_trend=pre,
        pre_trend_ci=pre_ci,
        placebo_fails=placebo_fails,
        event_study=study,
        converged=fit.converged,
    )
    if placebo_fails:
        row["message"] = (
            f"placebo fails: {name} already changed in the {params.effect_lead_weeks} weeks "
            "before the strikes; the effect is not credible"
        )
    return row
