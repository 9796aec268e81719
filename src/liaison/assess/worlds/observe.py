"""Record frames both worlds emit: strike reports, observations, presence, harm, actors.

Each function turns what a world's actors did and saw (numpy arrays) into one frame
of the method's input schema; the worlds decide who sees what, how precisely, and
how they grade it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from .common import DAY_MS, F64, I64, SUCCESS_LEVELS, Ids, frame, grades, offset_km, stamps

__all__ = [
    "actors",
    "designations",
    "harm_allegations",
    "nullable",
    "outcomes",
    "strike_observations",
]

LEVELS = ("destroyed", "damaged", "struck", "missed")


def nullable(values: npt.NDArray[np.generic], keep: npt.NDArray[np.bool_]) -> pl.Series:
    """``values`` where ``keep``, null elsewhere."""
    return pl.select(pl.when(pl.Series(keep)).then(pl.Series(values))).to_series()


def outcomes(rng: np.random.Generator, n: int, probs: Sequence[float]) -> npt.NDArray[np.str_]:
    """True outcome levels (destroyed, damaged, struck, missed) drawn with ``probs``."""
    return rng.choice(np.array(LEVELS), n, p=np.asarray(probs) / np.sum(probs))


def strike_observations(
    ids: Ids,
    rng: np.random.Generator,
    *,
    source: str,
    party: str,
    t_ms: I64,
    lat: F64,
    lon: F64,
    outcome: npt.NDArray[np.str_],
    seen: npt.NDArray[np.bool_],
    sigma_km: float,
    misread: float,
    graded: bool,
    fatal_success: float = 2.0,
    overclaim: float = 0.0,
) -> pl.DataFrame:
    """Events reporting ``party``'s strikes that ``source`` saw (``seen``), with fatalities.

    A successful strike is reported with ≥ 1 fatality, a failed one with none, except
    a share ``misread`` read the wrong way; ``overclaim`` is the share of failures a
    biased stream reports as deadly anyway. Location jittered by ``sigma_km``.
    """
    idx = np.flatnonzero(seen)
    n = idx.size
    success = np.isin(outcome[idx], SUCCESS_LEVELS)
    flip = rng.random(n) < misread
    deadly = success ^ flip
    deadly |= (~success) & (rng.random(n) < overclaim)
    fatalities = np.where(deadly, 1 + rng.poisson(fatal_success, n), 0)
    east, north = rng.normal(0, sigma_km, n), rng.normal(0, sigma_km, n)
    la, lo = offset_km(lat[idx], lon[idx], east, north)
    rel, cred = grades(rng, n, ("B", "C"), (2, 3), graded)
    t = t_ms[idx] + rng.integers(0, 2 * DAY_MS, n)
    return frame(
        ids,
        "liaison-event",
        t,
        {
            "source": np.full(n, source),
            "event_type": np.full(n, "state-based"),
            "initiator": np.full(n, party),
            "t_end_ms": t + 3_600_000,
            "lat": la,
            "lon": lo,
            "precision_m": rng.choice(np.array([1000.0, 2000.0, 5000.0]), n),
            "fatalities_best": fatalities,
            "reliability": rel,
            "credibility": cred,
        },
    )


def harm_allegations(
    ids: Ids,
    rng: np.random.Generator,
    *,
    party: str,
    t_ms: I64,
    lat: F64,
    lon: F64,
    rate: float,
) -> pl.DataFrame:
    """Civilian-harm allegations near a share ``rate`` of a party's strikes."""
    idx = np.flatnonzero(rng.random(t_ms.size) < rate)
    n = idx.size
    la, lo = offset_km(lat[idx], lon[idx], rng.normal(0, 2, n), rng.normal(0, 2, n))
    low = rng.poisson(2, n)
    t = t_ms[idx] + rng.integers(0, DAY_MS, n)
    named = rng.random(n) < 0.8
    return frame(
        ids,
        "liaison-harm-allegation",
        t,
        {
            "alleged_party": nullable(np.full(n, party), named),
            "t_end_ms": t + DAY_MS,
            "lat": la,
            "lon": lo,
            "precision_m": np.full(n, 3000.0),
            "casualties_low": low,
            "casualties_high": low + rng.poisson(3, n),
            "grading": rng.choice(np.array(["confirmed", "fair", "weak", "contested"]), n),
        },
    )


def designations(
    ids: Ids, statuses: Mapping[str, Mapping[str, str]], since_ms: int
) -> pl.DataFrame:
    """One designation per party × group: ``statuses[party][group]``."""
    rows = [(p, g, s) for p, row in statuses.items() for g, s in row.items()]
    n = len(rows)
    return pl.DataFrame(
        {
            "id": ids.records("liaison-designation", n),
            "modified": stamps(np.full(n, since_ms, dtype=np.int64)),
            "party": [r[0] for r in rows],
            "group": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "since_ms": np.full(n, since_ms, dtype=np.int64),
        }
    )


def actors(ids_names: Mapping[str, str], since_ms: int) -> pl.DataFrame:
    """A parties or groups frame: id → name."""
    keys = sorted(ids_names)
    return pl.DataFrame(
        {
            "id": keys,
            "modified": stamps(np.full(len(keys), since_ms, dtype=np.int64)),
            "name": [ids_names[k] for k in keys],
        }
    )
