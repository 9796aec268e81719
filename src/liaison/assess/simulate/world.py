"""The simulated conflict: territories, activity, logistics, strikes and their true effects.

Everything is drawn from one ``numpy`` generator seeded by the scenario seed, in
fixed order, with loops over weeks and groups only (never over records).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import h3
import numpy as np
import numpy.typing as npt
import polars as pl
import polars_h3 as plh3

from .config import GROUPS, ROUTES, SimConfig, default_inflation, default_targeting
from .strikes import apply_effects, draw_strikes

__all__ = ["World", "build_world"]

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741


@dataclass(frozen=True)
class World:
    """The true state of the simulated conflict (dense arrays over cells × weeks)."""

    config: SimConfig
    cells: npt.NDArray[np.uint64]
    cell_lat: F
    cell_lon: F
    control: I  # [cell, week] group index, -1 for none
    activity_rate: F  # [cell, week] expected events, strike effects included
    route_kind: I  # [cell] route index, -1 off-route
    traffic_rate: F  # [cell, week] expected vehicles, strike effects included
    strikes: pl.DataFrame  # party, week, cell, group, category, true success, …
    targeting: dict[str, dict[str, float]]
    inflation: dict[str, float]


def _cells(bbox: tuple[float, float, float, float]) -> npt.NDArray[np.uint64]:
    la0, lo0, la1, lo1 = bbox
    poly = h3.LatLngPoly([(la0, lo0), (la0, lo1), (la1, lo1), (la1, lo0)])
    cells = np.array([h3.str_to_int(c) for c in h3.polygon_to_cells(poly, 6)], np.uint64)
    return np.sort(cells)


def _territory(cfg: SimConfig, rng: np.random.Generator, lat: F, lon: F) -> I:
    """Control of each cell per week: districts on a lat/lon grid changing hands at fronts."""
    la0, lo0, la1, lo1 = cfg.bbox
    nla = int(np.ceil((la1 - la0) / cfg.district_deg))
    nlo = int(np.ceil((lo1 - lo0) / cfg.district_deg))
    dla = (np.arange(nla * nlo) // nlo + 0.5) * cfg.district_deg + la0
    dlo = (np.arange(nla * nlo) % nlo + 0.5) * cfg.district_deg + lo0
    seeds = np.array([[g[3], g[4]] for g in GROUPS])
    dist = np.hypot(dla[:, None] - seeds[None, :, 0], dlo[:, None] - seeds[None, :, 1])
    dist *= rng.uniform(0.8, 1.25, dist.shape)
    ctrl = np.argmin(dist, axis=1).astype(np.int64)
    ctrl[rng.random(ctrl.size) < 0.08] = -1
    north = np.where(np.arange(ctrl.size) >= nlo, np.arange(ctrl.size) - nlo, -1)
    south = np.where(np.arange(ctrl.size) < ctrl.size - nlo, np.arange(ctrl.size) + nlo, -1)
    west = np.where(np.arange(ctrl.size) % nlo > 0, np.arange(ctrl.size) - 1, -1)
    east = np.where(np.arange(ctrl.size) % nlo < nlo - 1, np.arange(ctrl.size) + 1, -1)
    nbrs = np.stack([north, south, west, east], axis=1)
    history = np.empty((ctrl.size, cfg.weeks), np.int64)
    for week in range(cfg.weeks):
        history[:, week] = ctrl
        other = np.where(nbrs >= 0, ctrl[np.maximum(nbrs, 0)], ctrl[:, None])
        frontier = np.flatnonzero(((other != ctrl[:, None]) & (other >= 0)).any(axis=1))
        if frontier.size:
            flips = rng.choice(frontier, size=min(3, frontier.size), replace=False)
            for d in flips:  # at most three per week
                cands = other[d][(other[d] != ctrl[d]) & (other[d] >= 0)]
                if ctrl[d] != 0 and (cands == 0).any() and rng.random() < 0.7:
                    cands = cands[cands != 0]  # the IS-like group loses ground
                if cands.size:
                    ctrl[d] = rng.choice(cands)
    district = (np.clip(((lat - la0) / cfg.district_deg).astype(np.int64), 0, nla - 1) * nlo) + (
        np.clip(((lon - lo0) / cfg.district_deg).astype(np.int64), 0, nlo - 1)
    )
    return history[district]


def _routes(cells: npt.NDArray[np.uint64]) -> I:
    route = np.full(cells.size, -1, np.int64)
    for r, (_, pts) in enumerate(ROUTES):
        lats, lons = [], []
        for (a0, o0), (a1, o1) in itertools.pairwise(pts):
            t = np.linspace(0.0, 1.0, 120)
            lats.append(a0 + t * (a1 - a0))
            lons.append(o0 + t * (o1 - o0))
        frame = pl.DataFrame({"la": np.concatenate(lats), "lo": np.concatenate(lons)})
        on = frame.select(plh3.latlng_to_cell("la", "lo", 6))["la"].to_numpy()
        pos = np.clip(np.searchsorted(cells, on), 0, cells.size - 1)
        route[pos[cells[pos] == on]] = r
    return route


def build_world(cfg: SimConfig) -> World:
    """Draw the scenario's true world from ``cfg.seed``."""
    rng = np.random.default_rng(cfg.seed)
    cells = _cells(cfg.bbox)
    centres = pl.DataFrame({"c": cells}).select(
        plh3.cell_to_lat("c").alias("lat"), plh3.cell_to_lng("c").alias("lon")
    )
    lat, lon = centres["lat"].to_numpy(), centres["lon"].to_numpy()
    control = _territory(cfg, rng, lat, lon)
    n, weeks = cells.size, cfg.weeks
    hot = rng.random(n) < cfg.hot_share
    base = np.where(hot, rng.gamma(4.0, 0.5, n), rng.gamma(2.0, 0.02, n))
    factor = np.array([g[5] for g in GROUPS] + [0.2])[control]  # -1 → "none" factor
    t = np.arange(weeks) / max(weeks - 1, 1)
    trend = np.where(control == 0, 1.0 - 0.3 * t[None, :], 1.0 + 0.1 * np.sin(6.0 * t)[None, :])
    route = _routes(cells)
    traffic = np.where(route >= 0, rng.gamma(3.0, 4.0, n), 0.0)[:, None] * np.ones(weeks)
    targeting = cfg.targeting or default_targeting(cfg.parties)
    inflation = cfg.inflation or default_inflation(cfg.parties)
    strikes = draw_strikes(cfg, rng, control, base[:, None] * factor, route, targeting, inflation)
    act_mult, log_mult = apply_effects(cfg, strikes, n)
    return World(
        config=cfg,
        cells=cells,
        cell_lat=lat,
        cell_lon=lon,
        control=control,
        activity_rate=base[:, None] * factor * trend * act_mult,
        route_kind=route,
        traffic_rate=traffic * log_mult,
        strikes=strikes,
        targeting=targeting,
        inflation=inflation,
    )
