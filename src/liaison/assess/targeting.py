"""Targeting share S(party, group): the share of a party's strikes on places a group held.

Each strike report has a location posterior over the cells within its precision:
the Gaussian kernel of its precision times the evidence of presence there (strikes
go where groups are; a cell without evidence keeps the kernel's weight through
``presence_evidence_scale``). Its probability of having hit group ``g`` is the
posterior-weighted P(g) of those cells in its week (presence.py), and "no known
group" is the rest. ``share`` is the expected share over the party's strikes.

The interval is a bootstrap that propagates, in each replicate, (a) sampling:
Poisson weights per strike location; (b) location: one cell drawn from each
location posterior; (c) control: one group drawn per cell from P(· | cell, week),
with the same uniform for a cell in every week, so strikes on one town share their
uncertainty. Strikes with no evidence nearby may have hit any group: their share is
added to every group's upper bound (what the method cannot know; docs/method.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from .jackknife import evidence_folds, jackknife_se
from .location import StrikePosteriors, strike_posteriors
from .params import Params
from .prepare import Prepared
from .presence import ControlField, control_field, presence_from_evidence
from .shares import ambiguity_bounds, ambiguity_interval, party_shares

__all__ = ["StrikePosteriors", "party_seed", "strike_posteriors", "targeting"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: P(someone) below which a strike counts as having no evidence nearby.
NO_EVIDENCE = 0.05
#: P(group) from which a strike counts in ``share_any`` (a plausible target).
PLAUSIBLE = 0.1


def party_seed(params: Params, *keys: str) -> np.random.Generator:
    """A generator seeded by the bootstrap seed and stable keys (not by list positions)."""
    h = int.from_bytes(hashlib.sha256("/".join(keys).encode()).digest()[:8], "big")
    return np.random.default_rng([params.bootstrap_seed, h])


def _bootstrap(
    post: StrikePosteriors,
    field: ControlField,
    keys: I64,
    counts: F64,
    shares: F64,
    params: Params,
    rng: np.random.Generator,
) -> F64:
    """Replicated shares [replicates, 1 + groups] (column 0: no known group).

    Each replicate re-weights the strike locations (Poisson), draws one cell per
    location from its posterior and one group (or none) per cell from P(· | cell,
    week), the groups re-weighted by the party's shares (``party_shares``), with the
    same uniform for a cell in every week (strikes on one town share their uncertainty).
    Vectorised over blocks of replicates.
    """
    n_k, n_g = keys.size, post.q.shape[1] - 1
    cells, week, cum = post.cells[keys], post.week[keys], post.loc_cum[keys]
    p = field.p
    groups = post.q[keys][:, 1:]
    flat = (counts @ groups) / max(float(counts.sum()), 1e-300)
    # the party's shares among groups over the flat reading's: the prior's likelihood ratio
    ratio = np.where(flat > 0, shares[1:] / np.maximum(flat, 1e-300), 0.0).astype(np.float32)
    n_cells = field.someone.shape[0]
    adj = p * ratio  # per cell and week, once per party
    held, mass = p.sum(axis=2), adj.sum(axis=2)
    scale = np.where(held > 0, mass / np.maximum(held, 1e-30), np.inf).astype(np.float32)
    cum_adj = np.cumsum(adj, axis=2, dtype=np.float32)
    n_rep = replicates(params, n_k)
    out = np.empty((n_rep, n_g + 1))
    chunk = max(1, _CHUNK_WORK // max(n_k * (cells.shape[1] + n_g + 1), n_cells, 1))
    width = cells.shape[1]
    # per slot, the strike locations' cumulative posterior (contiguous), and each
    # location's first slot in the flattened candidate cells
    cum_t = np.ascontiguousarray(cum.astype(np.float32).T)
    flat_cells, first_slot = cells.reshape(-1), np.arange(n_k) * width
    n_w = p.shape[1]
    flat_scale, flat_adj = scale.reshape(-1), cum_adj.reshape(scale.size, n_g)
    for start in range(0, n_rep, chunk):
        r = min(chunk, n_rep - start)
        reps = np.arange(r)[:, None]
        m = rng.poisson(counts, size=(r, n_k)).astype(np.float64)
        if width > 1:
            pick = rng.random((r, n_k), np.float32)
            slot = _count_below(cum_t, pick)
            np.minimum(slot, width - 1, out=slot)
            cell = flat_cells[first_slot + slot]
        else:
            cell = np.broadcast_to(cells[:, 0], (r, n_k))
        u = rng.random((r, n_cells), np.float32)[reps, cell]
        # cumulative re-weighted mass against u × its total / P(someone): the groups
        # re-weighted, "none" kept
        at = cell * n_w + week[None, :]
        thr = u * flat_scale[at]
        mass = flat_adj[at]
        drawn = _count_below(np.moveaxis(mass, -1, 0), thr)  # n_g = none
        drawn = np.where(drawn >= n_g, 0, drawn + 1) + (n_g + 1) * reps
        tally = np.bincount(drawn.ravel(), weights=m.ravel(), minlength=r * (n_g + 1))
        out[start : start + r] = tally.reshape(r, n_g + 1) / np.maximum(
            m.sum(axis=1, keepdims=True), 1.0
        )
    return out


def _count_below(values: F32, bound: F32) -> I64:
    """``(values < bound).sum(axis=0)`` for ``values`` [S, …], one slice at a time."""
    out = np.zeros(bound.shape, np.int64)
    for v in values:
        out += v < bound
    return out


#: Elements per vectorised block of bootstrap replicates.
_CHUNK_WORK = 8_000_000


#: Bootstrap work (replicates × strike locations) above which replicates are reduced.
_WORK = 20_000_000


def replicates(params: Params, n_keys: int) -> int:
    """``bootstrap_replicates``, reduced (to ≥ 50) for very many strike locations; the
    interval is then read from the replicates' standard deviation (normal)."""
    return int(min(params.bootstrap_replicates, max(50, _WORK // max(n_keys, 1))))


def _shares(q: F64, counts: F64) -> F64:
    return np.asarray((counts[:, None] * q).sum(axis=0) / max(counts.sum(), 1.0), np.float64)


def _shares_any(q: F64, counts: F64) -> F64:
    """Per group: the share of strikes where it is a plausible target (P ≥ ``PLAUSIBLE``),
    never below its expected share."""
    plausible = (counts[:, None] * (q[:, 1:] >= PLAUSIBLE)).sum(axis=0) / max(counts.sum(), 1.0)
    return np.asarray(np.maximum(plausible, _shares(q, counts)[1:]), np.float64)


def targeting(
    field: ControlField, prep: Prepared, params: Params, parties: list[str]
) -> list[dict[str, Any]]:
    """Targeting share of each party over every group, with CI, evidence and sensitivity."""
    strikes = prep.frames["strikes"]
    in_period = (strikes["week"] >= prep.first) & (strikes["week"] <= prep.last)
    strikes = strikes.filter(in_period)
    prec = strikes["precision_m"].fill_null(0.0).to_numpy().astype(np.float64)
    cell, week = strikes["cell"].to_numpy(), strikes["week"].to_numpy()
    post = strike_posteriors(field, prep, cell, week, prec, params)
    party_col = strikes["party"].to_numpy()
    weight_all = strikes["strikes"].fill_null(1).clip(1, None).to_numpy().astype(np.float64)
    n_g = len(prep.groups)
    claimed = (  # index of the claimed target group (n_g: none of them)
        strikes["target_group"]
        .cast(pl.String)
        .replace_strict(list(prep.groups), list(range(n_g)), default=n_g, return_dtype=pl.Int64)
        .to_numpy()
    )
    alt = _alternatives(field, post, prep, params, cell, week, prec)
    sample = _sample(cell.size, params)
    folds = evidence_folds(field, prep, params, cell, week, prec, sample)
    alpha = (1.0 - params.confidence_level) / 2.0
    out = []
    for party in parties:
        sel = party_col == party
        row: dict[str, Any] = {
            "party": party,
            "reports": int(sel.sum()),
            "strikes": int(weight_all[sel].sum()),
        }
        if not sel.any():
            row["message"] = "no strike report of this party in the period"
            out.append(row)
            continue
        keys, inv = np.unique(post.key_of[sel], return_inverse=True)
        counts: F64 = np.asarray(
            np.bincount(inv.reshape(-1), weights=weight_all[sel], minlength=keys.size), np.float64
        )
        flat_share = _shares(post.q[keys], counts)
        share = party_shares(post.q[keys], counts)
        anywhere = np.maximum(_shares_any(post.q[keys], counts), share[1:])
        seed = party_seed(params, "targeting", party)
        reps = _bootstrap(post, field, keys, counts, share, params, seed)
        if reps.shape[0] < params.bootstrap_replicates:
            half = stats.norm.ppf(1.0 - alpha) * reps.std(axis=0, ddof=1)
            lo, hi = share - half, share + half
        else:  # the replicates' spread around the estimate (their centre is drawn, not EM's)
            centre = reps.mean(axis=0)
            lo = share + np.quantile(reps, alpha, axis=0) - centre
            hi = share + np.quantile(reps, 1.0 - alpha, axis=0) - centre
        if folds:  # the evidence's own uncertainty, with the bootstrap's in quadrature
            fs = sel[sample]
            thetas = np.array([party_shares(q[fs], weight_all[sample][fs]) for q in folds])
            se = jackknife_se(thetas) * stats.norm.ppf(1.0 - alpha)
            lo = share - np.sqrt(np.square(share - lo) + np.square(se))
            hi = share + np.sqrt(np.square(hi - share) + np.square(se))
        # the reading under the field's flat prior is a bound of the model's uncertainty:
        # the two differ where the party's strikes are ambiguous
        lo = np.clip(np.minimum(lo, flat_share), 0.0, 1.0)
        hi = np.clip(np.maximum(hi, flat_share), 0.0, 1.0)
        total = max(counts.sum(), 1.0)
        # never narrower than the Jeffreys interval of a proportion over these strikes:
        # a handful of strikes all on one group is not "100 % (100–100 %)"
        j_lo = stats.beta.ppf(alpha, share * total + 0.5, (1.0 - share) * total + 0.5)
        j_hi = stats.beta.ppf(1.0 - alpha, share * total + 0.5, (1.0 - share) * total + 0.5)
        lo = np.minimum(np.minimum(lo, share), np.where(share > 0, j_lo, 0.0))
        hi = np.maximum(np.maximum(hi, share), np.where(share < 1, j_hi, 1.0))
        unknown = float(counts[post.someone[keys] < NO_EVIDENCE].sum() / total)
        thin = float(counts[post.someone[keys] < 0.5].sum() / total)
        # strikes are whole numbers: their sums do not depend on the order of addition
        claim = np.bincount(claimed[sel], weights=weight_all[sel], minlength=len(prep.groups) + 1)[
            : len(prep.groups)
        ]
        # the interval also spans the sensitivity of the share to the floor and the
        # evidence scale: uncertainty of the defaults, not only of sampling
        sens = [_sensitivity(s_, a, sel, weight_all, prep) for s_, a in alt]
        sens_all = np.array([[v["no_known_group"], *v["shares"].values()] for v in sens])
        lo = np.minimum(lo, sens_all.min(axis=0))
        hi = np.maximum(hi, sens_all.max(axis=0))
        # and the strikes whose target is ambiguous (a front line, a coarse report over
        # several groups' places) may all have missed the group or all have hit it: their
        # posteriors can be wrong together, which no resampling of them shows
        amb_lo, amb_hi = ambiguity_bounds(post.q[keys], counts, params.targeting_plausible)
        im_lo, im_hi = ambiguity_interval(
            post.q[keys], counts, params.targeting_plausible, params.confidence_level
        )
        lo[1:] = np.minimum(lo[1:], im_lo)
        hi[1:] = np.maximum(hi[1:], im_hi)
        row["groups"] = [
            {
                "group": g,
                "share": share[i + 1],
                "ci_low": lo[i + 1],
                "ci_high": min(1.0, hi[i + 1] + unknown),
                "share_any": anywhere[i],
                "ambiguous_bounds": [float(amb_lo[i]), float(amb_hi[i])],
                "claimed_share": claim[i] / total,
            }
            for i, g in enumerate(prep.groups)
        ]
        row["no_known_group"] = {
            "share": share[0],
            "ci_low": max(0.0, lo[0] - unknown),
            "ci_high": hi[0],
        }
        row["evidence"] = _evidence_note(row["strikes"], unknown, thin, prep)
        row["sensitivity"] = sens
        out.append(row)
    return out


def _sensitivity(
    setting: dict[str, Any],
    post: StrikePosteriors,
    sel: npt.NDArray[np.bool_],
    weight: F64,
    prep: Prepared,
) -> dict[str, Any]:
    q, w = post.q[post.key_of[sel]], weight[sel]
    shares = party_shares(q, w)
    anywhere = np.maximum(_shares_any(q, w), shares[1:])
    return {
        **setting,
        # the earlier names of the two settings, for readers of method 1 results
        "threshold": setting["evidence_scale"],
        "tolerance_m": setting["floor_m"],
        "shares": {g: float(shares[i + 1]) for i, g in enumerate(prep.groups)},
        "shares_any": {g: float(anywhere[i]) for i, g in enumerate(prep.groups)},
        "no_known_group": float(shares[0]),
    }


def _evidence_note(n_strikes: int, unknown: float, thin: float, prep: Prepared) -> dict[str, Any]:
    sources = prep.frames["presence"]["source"].n_unique() + (
        prep.frames["events"]["source"].n_unique() if prep.frames["events"].height else 0
    )
    notes = []
    if unknown > 0:
        notes.append(
            f"{unknown:.0%} of strikes have no presence evidence nearby: they may have hit "
            "any group, so each group's upper bound includes them"
        )
    if thin > 0.2:
        notes.append(f"{thin:.0%} of strikes have thin evidence nearby (P(any group) < 0.5)")
    if n_strikes < 30:
        notes.append(f"only {n_strikes} strike(s): the interval is wide")
    if sources <= 1:
        notes.append("all presence evidence comes from a single source")
    return {
        "no_evidence_share": unknown,
        "thin_evidence_share": thin,
        "presence_sources": int(sources),
        "thin": bool(notes),
        "notes": notes,
    }


#: Strike reports above which the sensitivity table is computed on a fixed-seed sample.
SENSITIVITY_SAMPLE = 200_000


def _sample(n: int, params: Params) -> I64:
    """The strikes of the sensitivity table and the jackknife: all, or a fixed-seed
    sample of ``SENSITIVITY_SAMPLE``."""
    if n <= SENSITIVITY_SAMPLE:
        return np.arange(n, dtype=np.int64)
    rng = np.random.default_rng([params.bootstrap_seed, 11])
    return np.sort(rng.choice(n, SENSITIVITY_SAMPLE, replace=False)).astype(np.int64)


def _alternatives(
    field: ControlField,
    base_post: StrikePosteriors,
    prep: Prepared,
    params: Params,
    cell: I64,
    week: I64,
    prec: F64,
) -> list[tuple[dict[str, Any], StrikePosteriors]]:
    """Point posteriors with one default varied at a time: the floor over
    ``sensitivity_tolerances_m``, the evidence scale over ``sensitivity_scales``.

    With more than ``SENSITIVITY_SAMPLE`` strike reports, strikes outside a fixed-seed
    sample get the default posterior (the table then moves by the sample's variation).
    """
    n = cell.size
    sample = _sample(n, params)
    settings = [
        (f, 1.0) for f in sorted({params.presence_floor_m, *params.sensitivity_tolerances_m})
    ]
    settings += [
        (params.presence_floor_m, x) for x in sorted(set(params.sensitivity_scales) - {1.0})
    ]
    out = []
    for floor, scale_x in settings:
        alt = dataclasses.replace(
            params,
            presence_floor_m=floor,
            presence_evidence_scale=params.presence_evidence_scale * scale_x,
        )
        if floor == params.presence_floor_m and scale_x == 1.0:
            post = base_post
        else:
            base = (
                field
                if floor == params.presence_floor_m
                else control_field(prep, alt, activity=field.activity, sources=field.sources)
            )
            f = base
            if scale_x != 1.0:
                someone = presence_from_evidence(base.evidence, base.scale * scale_x)
                someone[-1] = 0.0
                f = ControlField(
                    someone, base.who, base.evidence, base.scale * scale_x,
                    base.weekly_total, base.activity, base.sources,
                )  # fmt: skip
            part = strike_posteriors(
                f, prep, cell[sample], week[sample], prec[sample], alt, keep_location=False
            )
            q = base_post.q[base_post.key_of].copy()
            q[sample] = part.q[part.key_of]
            post = StrikePosteriors(
                q, base_post.cells, base_post.loc_cum, base_post.week, base_post.someone,
                np.arange(n, dtype=np.int64),
            )  # fmt: skip
        out.append(({"floor_m": floor, "evidence_scale": alt.presence_evidence_scale}, post))
    return out
