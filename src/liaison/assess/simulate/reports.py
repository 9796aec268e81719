"""Strike reports, independent observations of strikes, and harm allegations."""

from __future__ import annotations

import numpy as np
import polars as pl

from ..grid import DAY_MS, WEEK_MS
from .ids import Ids, masked
from .world import World

__all__ = ["harm_allegations", "strike_observations", "strike_reports"]

_M_PER_DEG = 111_320.0
_GRADINGS = ("confirmed", "fair", "weak", "contested", "discounted")


def _offset(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, sigma_m: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    dy = rng.normal(0.0, 1.0, lat.size) * sigma_m
    dx = rng.normal(0.0, 1.0, lat.size) * sigma_m
    return lat + dy / _M_PER_DEG, lon + dx / (_M_PER_DEG * np.cos(np.radians(lat)))


def strike_reports(
    rng: np.random.Generator, w: World, ids: Ids
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each party's strike reports, and the strikes with their true place and time."""
    s = w.strikes
    n = s.height
    cell = s["cell"].to_numpy()
    r = 2_500.0 * np.sqrt(rng.random(n))
    a = rng.random(n) * 2 * np.pi
    lat = w.cell_lat[cell] + r * np.sin(a) / _M_PER_DEG
    lon = w.cell_lon[cell] + r * np.cos(a) / (_M_PER_DEG * np.cos(np.radians(lat)))
    precision = rng.choice([100.0, 500.0, 1_000.0, 3_000.0], n, p=[0.2, 0.4, 0.3, 0.1])
    precision = np.where(rng.random(n) < 0.01, 80_000.0, precision)
    rep_lat, rep_lon = _offset(rng, lat, lon, np.minimum(precision, 3_000.0) / 2)
    week = s["week"].to_numpy()
    start = w.config.start_ms + week * WEEK_MS + rng.integers(0, WEEK_MS - 4 * 3_600_000, n)
    end = start + rng.integers(0, 3 * 3_600_000, n)
    keys = list(ids.party_keys)
    pidx = np.array([keys.index(p) for p in s["party"].to_list()], dtype=np.int64)
    true_group = s["true_group"].to_numpy()
    claimed_group = masked(
        ids.groups[np.maximum(true_group, 0)], (true_group >= 0) & (rng.random(n) < 0.9)
    )
    reports = pl.DataFrame(
        {
            "id": ids.make("liaison-strike-report", n),
            "modified": ids.stamps(end + DAY_MS),
            "party": ids.parties[pidx],
            "means": np.array(["air", "missile", "artillery", "ground-raid"])[
                rng.choice(4, n, p=[0.7, 0.1, 0.15, 0.05])
            ],
            "t_start_ms": start,
            "t_end_ms": end,
            "lat": rep_lat,
            "lon": rep_lon,
            "precision_m": precision,
            "target_category": s["category"],
            "target_group": claimed_group,
            "strikes": s["strikes"],
            "claimed_effect": s["claimed_effect"],
            "bda_phase": np.where(pidx == 0, "physical", "none"),
            "reliability": np.where(pidx == 0, "B", "C"),
            "credibility": np.full(n, 2),
        }
    )
    located = s.with_columns(
        pl.Series("report_id", reports["id"]),
        pl.Series("party_index", pidx),
        pl.Series("lat", lat),
        pl.Series("lon", lon),
        pl.Series("t_ms", start),
    )
    return reports, located


def strike_observations(
    rng: np.random.Generator, w: World, ids: Ids, located: pl.DataFrame
) -> pl.DataFrame:
    """Events by which open sources (50 %) and other parties (15 % each) saw each strike.

    Fatalities stand for the observed damage: ≥ 1 when the strike truly succeeded,
    0 when it did not, with 3 % of observations wrong either way.
    """
    n = located.height
    pidx = located["party_index"].to_numpy()
    observers = [ids.monitor, *ids.parties.tolist()]
    rows = []
    for o, observer in enumerate(observers):
        p = 0.5 if o == 0 else 0.15
        seen = (rng.random(n) < p) & (pidx != o - 1)
        rows.append((np.flatnonzero(seen), observer))
    idx = np.concatenate([r[0] for r in rows])
    source = np.concatenate([np.full(r[0].size, r[1], dtype=object) for r in rows])
    m = idx.size
    success = located["true_success"].to_numpy()[idx] ^ (rng.random(m) < 0.03)
    precision = rng.choice([1_000.0, 2_000.0, 3_000.0], m)
    lat, lon = _offset(
        rng, located["lat"].to_numpy()[idx], located["lon"].to_numpy()[idx], precision / 2
    )
    start = located["t_ms"].to_numpy()[idx] + rng.integers(0, DAY_MS, m)
    return pl.DataFrame(
        {
            "id": ids.make("liaison-event", m),
            "modified": ids.stamps(start + DAY_MS),
            "source": source.astype(str),
            "event_type": np.full(m, "attack"),
            "initiator": ids.parties[pidx[idx]],
            "t_start_ms": start,
            "t_end_ms": start + 3_600_000,
            "lat": lat,
            "lon": lon,
            "precision_m": precision,
            "fatalities_best": np.where(success, 1 + rng.poisson(1.5, m), 0),
            "reliability": np.full(m, "B"),
            "credibility": np.full(m, 2),
        }
    )


def harm_allegations(
    rng: np.random.Generator, w: World, ids: Ids, located: pl.DataFrame
) -> pl.DataFrame:
    """Allegations of civilian harm near some strikes, plus unrelated ones."""
    n = located.height
    pidx = located["party_index"].to_numpy()
    alleged = rng.random(n) < np.where(pidx == 1, 0.08, 0.03)
    idx = np.flatnonzero(alleged)
    lat, lon = _offset(
        rng, located["lat"].to_numpy()[idx], located["lon"].to_numpy()[idx], np.full(idx.size, 1e3)
    )
    t = located["t_ms"].to_numpy()[idx] + rng.integers(0, 2 * DAY_MS, idx.size)
    named = rng.random(idx.size) < 0.85
    extra = max(1, idx.size // 10)
    la0, lo0, la1, lo1 = w.config.bbox
    lat = np.concatenate([lat, rng.uniform(la0, la1, extra)])
    lon = np.concatenate([lon, rng.uniform(lo0, lo1, extra)])
    t = np.concatenate([t, w.config.start_ms + rng.integers(0, w.config.weeks * WEEK_MS, extra)])
    party = masked(
        np.concatenate([ids.parties[pidx[idx]], np.full(extra, "")]),
        np.concatenate([named, np.zeros(extra, bool)]),
    )
    m = t.size
    low = rng.poisson(3, m)
    return pl.DataFrame(
        {
            "id": ids.make("liaison-harm-allegation", m),
            "modified": ids.stamps(t + 2 * DAY_MS),
            "alleged_party": party,
            "t_start_ms": t,
            "t_end_ms": t + 3_600_000,
            "lat": lat,
            "lon": lon,
            "precision_m": np.full(m, 2_000.0),
            "casualties_low": low,
            "casualties_high": low + rng.poisson(4, m),
            "grading": np.array(_GRADINGS)[rng.choice(5, m, p=[0.1, 0.3, 0.3, 0.2, 0.1])],
        }
    )
