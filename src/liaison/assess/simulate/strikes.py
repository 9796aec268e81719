"""Simulated strikes: where each party strikes, what it hits, what it claims, and the effects."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from .config import CATEGORIES, GROUPS, OUTCOMES, SimConfig

__all__ = ["apply_effects", "draw_strikes", "group_index"]

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741


def group_index(key: str) -> int:
    """Index of a group key in ``GROUPS``; -1 for ``"none"``."""
    keys = [g[0] for g in GROUPS]
    return keys.index(key) if key in keys else -1


def _pick_cells(
    rng: np.random.Generator,
    control: I,
    weight: F,
    route: I,
    week: I,
    group: I,
    on_route: npt.NDArray[np.bool_],
) -> I:
    """One cell per strike, among the cells its target group holds that week."""
    cell = np.zeros(week.size, np.int64)
    combos = np.unique(np.stack([week, group, on_route.astype(np.int64)]), axis=1)
    for w, g, r in combos.T:
        sel = np.flatnonzero((week == w) & (group == g) & (on_route == bool(r)))
        cand = np.flatnonzero(control[:, w] == g)
        if r and cand.size:
            routed = cand[route[cand] >= 0]
            cand = routed if routed.size else cand
        if cand.size == 0:
            cand = np.arange(control.shape[0])
        wts = weight[cand, w]
        wts = (wts > np.median(wts)).astype(np.float64) + 0.02
        cell[sel] = rng.choice(cand, size=sel.size, p=wts / wts.sum())
    return cell


def draw_strikes(
    cfg: SimConfig,
    rng: np.random.Generator,
    control: I,
    weight: F,
    route: I,
    targeting: dict[str, dict[str, float]],
    inflation: dict[str, float],
) -> pl.DataFrame:
    """The strikes of every party, with their true group, outcome and claimed effect."""
    frames = []
    names = [c[0] for c in CATEGORIES]
    routed = np.array([c[3] for c in CATEGORIES])
    outcome_names = np.array([o[0] for o in OUTCOMES])
    outcome_p = np.array([o[1] for o in OUTCOMES])
    for party in cfg.parties:
        n = cfg.strikes_per_party
        keys = list(targeting[party])
        probs = np.array([targeting[party][k] for k in keys])
        aimed = np.array([group_index(k) for k in keys])[
            rng.choice(len(keys), size=n, p=probs / probs.sum())
        ]
        week = rng.integers(0, cfg.weeks, n)
        cat = rng.integers(0, len(names), n)
        cell = _pick_cells(rng, control, weight, route, week, aimed, routed[cat])
        outcome = rng.choice(len(OUTCOMES), size=n, p=outcome_p)
        success = outcome < 2
        upgrade = (~success) & (rng.random(n) < inflation.get(party, 0.0))
        claimed = np.where(upgrade, rng.integers(0, 2, n), outcome)
        unknown = rng.random(n) < 0.02
        frames.append(
            pl.DataFrame(
                {
                    "party": [party] * n,
                    "week": week,
                    "cell": cell,
                    "true_group": control[cell, week],
                    "category": np.array(names)[cat],
                    "strikes": 1 + (rng.random(n) < 0.2) * rng.integers(1, 4, n),
                    "true_outcome": outcome_names[outcome],
                    "true_success": success,
                    "claimed_effect": np.where(unknown, "unknown", outcome_names[claimed]),
                }
            )
        )
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames)


def apply_effects(cfg: SimConfig, strikes: pl.DataFrame, n_cells: int) -> tuple[F, F]:
    """Multipliers of activity and traffic per cell and week from the strikes' true effects.

    A strike of a category changes its cell for ``cfg.effect_weeks`` weeks from its
    week on; repeated strikes of the same category do not compound.
    """
    act = np.ones((n_cells, cfg.weeks))
    log = np.ones((n_cells, cfg.weeks))
    if strikes.is_empty():
        return act, log
    cells = strikes["cell"].to_numpy()
    weeks = strikes["week"].to_numpy()
    cats = strikes["category"].to_numpy()
    for name, e_act, e_log, _ in CATEGORIES:
        sel = cats == name
        hit = np.zeros((n_cells, cfg.weeks + 1))
        hit[cells[sel], weeks[sel]] = 1.0
        csum = np.cumsum(hit, axis=1)
        lagged = np.zeros_like(csum)
        lagged[:, cfg.effect_weeks :] = csum[:, : -cfg.effect_weeks]
        active = (csum - lagged)[:, : cfg.weeks] > 0
        act *= np.where(active, 1.0 + e_act, 1.0)
        log *= np.where(active, 1.0 + e_log, 1.0)
    return act, log
