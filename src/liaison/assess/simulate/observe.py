"""What the parties and open sources observe of the simulated world: the input frames."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from ..grid import DAY_MS, WEEK_MS
from ..inputs import AssessmentInputs
from .config import GROUPS, ROUTES, SimConfig
from .ids import Ids, masked
from .reports import harm_allegations, strike_observations, strike_reports
from .world import World

__all__ = ["observe"]

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
_M_PER_DEG = 111_320.0
_DESIGNATIONS = (  # per party profile: status of each group in GROUPS order
    ("terrorist", "armed-opposition", "terrorist", "armed-opposition", "state-force"),
    ("terrorist", "terrorist", "terrorist", "other", "state-force"),
    ("terrorist", "armed-opposition", "terrorist", "other", "other"),
)


def _jitter(rng: np.random.Generator, lat: F, lon: F, sigma_m: F) -> tuple[F, F]:
    dy = rng.normal(0.0, 1.0, lat.size) * sigma_m
    dx = rng.normal(0.0, 1.0, lat.size) * sigma_m
    lat2 = np.clip(lat + dy / _M_PER_DEG, -89.9, 89.9)
    return lat2, lon + dx / (_M_PER_DEG * np.cos(np.radians(lat)))


def _in_cell(rng: np.random.Generator, world: World, cell: I) -> tuple[F, F]:
    """A true point near the centre of each cell (within ~2.5 km)."""
    r = 2_500.0 * np.sqrt(rng.random(cell.size))
    a = rng.random(cell.size) * 2 * np.pi
    lat = world.cell_lat[cell] + r * np.sin(a) / _M_PER_DEG
    lon = world.cell_lon[cell] + r * np.cos(a) / (_M_PER_DEG * np.cos(np.radians(lat)))
    return lat, lon


def _grades(rng: np.random.Generator, n: int, rel: str, p: tuple[float, ...]) -> dict[str, object]:
    return {
        "reliability": np.array(list(rel))[rng.choice(len(rel), n, p=p)],
        "credibility": rng.choice([2, 3, 4], n, p=[0.4, 0.45, 0.15]),
    }


def _times(rng: np.random.Generator, cfg: SimConfig, week: I, ids: Ids) -> dict[str, object]:
    start = cfg.start_ms + week * WEEK_MS + rng.integers(0, WEEK_MS - 6 * 3_600_000, week.size)
    end = start + rng.integers(0, 6 * 3_600_000, week.size)
    return {"t_start_ms": start, "t_end_ms": end, "modified": ids.stamps(end + 6 * 3_600_000)}


def _events(rng: np.random.Generator, w: World, ids: Ids) -> pl.DataFrame:
    counts = rng.poisson(w.activity_rate)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    cell, week = flat // w.config.weeks, flat % w.config.weeks
    n = flat.size
    lat, lon = _in_cell(rng, w, cell)
    precision = rng.choice([500.0, 1_000.0, 2_000.0, 5_000.0], n, p=[0.3, 0.4, 0.2, 0.1])
    lat, lon = _jitter(rng, lat, lon, precision / 2)
    ctrl = w.control[cell, week]
    attributed = (ctrl >= 0) & (rng.random(n) < 0.85)
    initiator = masked(ids.groups[np.maximum(ctrl, 0)], attributed)
    return pl.DataFrame(
        {
            "id": ids.make("liaison-event", n),
            "source": [ids.monitor] * n,
            "event_type": np.where(rng.random(n) < 0.6, "attack", "clash"),
            "initiator": initiator,
            **_times(rng, w.config, week, ids),
            "lat": lat,
            "lon": lon,
            "precision_m": precision,
            "fatalities_best": rng.poisson(1.2, n),
            **_grades(rng, n, "BCD", (0.4, 0.45, 0.15)),
        }
    )


def _presence(rng: np.random.Generator, w: World, ids: Ids) -> pl.DataFrame:
    rate = np.where(w.control >= 0, 0.4, 0.0)
    counts = rng.poisson(rate)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    cell, week = flat // w.config.weeks, flat % w.config.weeks
    n = flat.size
    group = w.control[cell, week]
    wrong = rng.random(n) < 0.03
    group = np.where(wrong, rng.integers(0, len(GROUPS), n), group)
    kind = np.array(["control", "sighting", "movement"])[rng.choice(3, n, p=[0.55, 0.35, 0.1])]
    precision = rng.choice([1_000.0, 2_000.0, 5_000.0, 10_000.0], n, p=[0.3, 0.3, 0.3, 0.1])
    lat, lon = _jitter(rng, *_in_cell(rng, w, cell), precision / 2)
    party = rng.integers(0, len(ids.parties), n)
    sighted = kind != "control"
    return pl.DataFrame(
        {
            "id": ids.make("sighting", n),
            "source": ids.parties[party],
            "group": ids.groups[group],
            "presence_kind": kind,
            **_times(rng, w.config, week, ids),
            "lat": lat,
            "lon": lon,
            "precision_m": precision,
            "strength": masked(rng.poisson(30, n), sighted),
            **_grades(rng, n, "ABCD", (0.1, 0.4, 0.4, 0.1)),
        }
    )


def _logistics(rng: np.random.Generator, w: World, ids: Ids) -> pl.DataFrame:
    seen = (w.route_kind[:, None] >= 0) & (w.control >= 0)
    seen &= rng.random(w.control.shape) < 0.85
    cell, week = np.nonzero(seen)
    n = cell.size
    count = rng.poisson(w.traffic_rate[cell, week])
    route = w.route_kind[cell]
    kinds = np.array([r[0] for r in ROUTES])[route]
    kinds = np.where(w.cell_lat[cell] > 36.75, "border-crossing", kinds)
    lat, lon = _jitter(rng, *_in_cell(rng, w, cell), np.full(n, 500.0))
    return pl.DataFrame(
        {
            "id": ids.make("liaison-logistics", n),
            "source": ids.parties[rng.integers(0, len(ids.parties), n)],
            "group": ids.groups[w.control[cell, week]],
            "logistics_kind": kinds,
            **_times(rng, w.config, week, ids),
            "lat": lat,
            "lon": lon,
            "precision_m": np.full(n, 1_000.0),
            "count": count,
            "volume": count * np.where(kinds == "oil-trade", 180.0, 12.0),
            **_grades(rng, n, "BC", (0.5, 0.5)),
        }
    )


def observe(world: World, ids: Ids) -> tuple[AssessmentInputs, pl.DataFrame]:
    """The input frames every source reports, and the strikes with their true locations."""
    rng = np.random.default_rng([world.config.seed, 1])
    strikes, located = strike_reports(rng, world, ids)
    events = pl.concat(
        [_events(rng, world, ids), strike_observations(rng, world, ids, located)],
        how="diagonal_relaxed",
    )
    frames = {
        "strikes": strikes,
        "presence": _presence(rng, world, ids),
        "logistics": _logistics(rng, world, ids),
        "events": events,
        "harm": harm_allegations(rng, world, ids, located),
        "designations": _designations(world, ids),
        "parties": ids.party_frame(),
        "groups": ids.group_frame(),
    }
    rounded = {k: _rounded(v) for k, v in frames.items()}
    return AssessmentInputs.from_frames(rounded), located


def _rounded(df: pl.DataFrame) -> pl.DataFrame:
    """Coordinates to 6 decimals (~0.1 m), so that the frames equal their STIX form."""
    cols = [pl.col(c).round(6) for c in ("lat", "lon") if c in df.columns]
    return df.with_columns(cols) if cols else df


def _designations(world: World, ids: Ids) -> pl.DataFrame:
    rows = []
    for p, pid in enumerate(ids.parties):
        profile = _DESIGNATIONS[min(p, len(_DESIGNATIONS) - 1)]
        for g, gid in enumerate(ids.groups):
            rows.append((pid, gid, profile[g]))
    n = len(rows)
    since = world.config.start_ms - 365 * DAY_MS
    return pl.DataFrame(
        {
            "id": ids.make("liaison-designation", n),
            "modified": ids.stamps(np.full(n, since)),
            "party": [r[0] for r in rows],
            "group": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "since_ms": np.full(n, since),
        }
    )
