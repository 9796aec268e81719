"""Benchmark of the full assessment at 1 M, 3 M and 10 M events with 1 M strikes.

Frames are generated directly (vectorised numpy/polars, no JSON). Each size runs in
its own process so that its peak memory (``ru_maxrss``, generation included) is its
own. Usage: ``python benchmarks/bench_assess.py [--sizes 1000000 3000000 10000000]``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import multiprocessing
import pstats
import resource
import time
from typing import Any

import numpy as np
import polars as pl

WEEK_MS = 7 * 86_400_000
START_MS = 1_443_398_400_000  # Monday 2015-09-28
BOX = (32.5, 36.0, 37.0, 41.5)
N_GROUPS = 5


def _ids(stix_type: str, n: int, tag: int) -> pl.Series:
    counter = pl.Series("id", np.arange(n, dtype=np.int64)).cast(pl.String).str.zfill(12)
    return f"{stix_type}--0000{tag:04d}-0000-4000-8000-" + counter


def _stamp(ms: np.ndarray) -> pl.Series:
    return pl.from_epoch(pl.Series("t", ms), "ms").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    la0, lo0, la1, lo1 = BOX
    lat = rng.uniform(la0, la1, n)
    lon = rng.uniform(lo0, lo1, n)
    district = (((lat - la0) // 0.5) * 20 + (lon - lo0) // 0.5).astype(np.int64)
    owner = np.random.default_rng(0).integers(-1, N_GROUPS, 400)
    return lat, lon, owner[district]


def make_inputs(n_events: int, n_strikes: int, seed: int = 1, coarse_share: float = 0.0) -> Any:
    """Synthetic input frames of the given sizes (28 % of events observe strikes);
    ``coarse_share`` of the strike reports are "near X": 10–25 km off, at 20 km precision
    (their observations stay at the struck point)."""
    from liaison.assess import AssessmentInputs

    rng = np.random.default_rng(seed)
    groups = np.array([f"threat-actor--00000000-0000-4000-8000-{g:012d}" for g in range(N_GROUPS)])
    parties = np.array(
        [
            "identity--00000000-0000-4000-8000-00000000000a",
            "identity--00000000-0000-4000-8000-00000000000b",
        ]
    )
    monitor = "identity--00000000-0000-4000-8000-00000000000c"
    weeks = 52

    def times(n: int) -> np.ndarray:
        return START_MS + rng.integers(0, weeks * WEEK_MS, n)

    cats = np.array(
        [
            "fighting-position",
            "headquarters",
            "vehicle",
            "building",
            "oil-infrastructure",
            "supply-route",
            "training-camp",
            "weapons-storage",
        ]
    )
    lat, lon, owner = _points(rng, n_strikes)
    t = times(n_strikes)
    party = rng.integers(0, 2, n_strikes)
    strikes = pl.DataFrame(
        {
            "id": _ids("liaison-strike-report", n_strikes, 1),
            "modified": _stamp(t + 86_400_000),
            "party": parties[party],
            "means": "air",
            "t_start_ms": t,
            "t_end_ms": t + 3_600_000,
            "lat": lat,
            "lon": lon,
            "precision_m": rng.choice([100.0, 500.0, 1_000.0, 3_000.0], n_strikes),
            "target_category": cats[rng.integers(0, len(cats), n_strikes)],
            "target_group": np.where(owner >= 0, groups[np.maximum(owner, 0)], None),
            "strikes": 1 + rng.poisson(0.3, n_strikes),
            "claimed_effect": np.array(["destroyed", "damaged", "struck", "missed"])[
                rng.integers(0, 4, n_strikes)
            ],
            "bda_phase": "none",
            "reliability": "B",
            "credibility": 2,
        }
    )
    n_obs = min(int(0.28 * n_events), n_strikes)
    pick = rng.integers(0, n_strikes, n_obs)
    n_group = n_events - n_obs
    glat, glon, gowner = _points(rng, n_group)
    gt = times(n_group)
    events = pl.DataFrame(
        {
            "id": _ids("liaison-event", n_events, 2),
            "modified": _stamp(np.concatenate([gt, t[pick]]) + 86_400_000),
            "source": monitor,
            "event_type": "attack",
            "initiator": np.concatenate(
                [
                    np.where(
                        (gowner >= 0) & (rng.random(n_group) < 0.85),
                        groups[np.maximum(gowner, 0)],
                        None,
                    ),
                    parties[party[pick]],
                ]
            ),
            "t_start_ms": np.concatenate([gt, t[pick] + 3_600_000]),
            "t_end_ms": np.concatenate([gt, t[pick] + 3_600_000]),
            "lat": np.concatenate([glat, lat[pick] + rng.normal(0, 0.01, n_obs)]),
            "lon": np.concatenate([glon, lon[pick] + rng.normal(0, 0.01, n_obs)]),
            "precision_m": rng.choice([500.0, 1_000.0, 2_000.0, 5_000.0], n_events),
            "fatalities_best": rng.poisson(1.0, n_events),
            "reliability": "C",
            "credibility": 3,
        }
    )
    n_pres = max(n_events // 10, 1)
    plat, plon, powner = _points(rng, n_pres)
    pt = times(n_pres)
    presence = pl.DataFrame(
        {
            "id": _ids("sighting", n_pres, 3),
            "modified": _stamp(pt),
            "source": parties[rng.integers(0, 2, n_pres)],
            "group": groups[np.where(powner >= 0, powner, rng.integers(0, N_GROUPS, n_pres))],
            "presence_kind": "control",
            "t_start_ms": pt,
            "t_end_ms": pt + 86_400_000,
            "lat": plat,
            "lon": plon,
            "precision_m": rng.choice([1_000.0, 5_000.0, 10_000.0], n_pres),
            "strength": rng.poisson(30, n_pres),
            "reliability": "B",
            "credibility": 2,
        }
    )
    n_log = 200_000
    llat, llon, lowner = _points(rng, n_log)
    lt = times(n_log)
    logistics = pl.DataFrame(
        {
            "id": _ids("liaison-logistics", n_log, 4),
            "modified": _stamp(lt),
            "source": parties[0],
            "group": groups[np.maximum(lowner, 0)],
            "logistics_kind": "convoy",
            "t_start_ms": lt,
            "t_end_ms": lt,
            "lat": llat,
            "lon": llon,
            "precision_m": 1_000.0,
            "count": rng.poisson(10, n_log),
            "volume": rng.gamma(2.0, 50.0, n_log),
            "reliability": "B",
            "credibility": 2,
        }
    )
    n_harm = 20_000
    hp = rng.integers(0, n_strikes, n_harm)
    harm = pl.DataFrame(
        {
            "id": _ids("liaison-harm-allegation", n_harm, 5),
            "modified": _stamp(t[hp]),
            "alleged_party": parties[party[hp]],
            "t_start_ms": t[hp],
            "t_end_ms": t[hp],
            "lat": lat[hp],
            "lon": lon[hp],
            "precision_m": 2_000.0,
            "casualties_low": 1,
            "casualties_high": 5,
            "grading": "fair",
        }
    )
    designations = pl.DataFrame(
        {
            "id": _ids("liaison-designation", 2 * N_GROUPS, 6),
            "modified": "2015-01-01T00:00:00.000Z",
            "party": np.repeat(parties, N_GROUPS),
            "group": np.tile(groups, 2),
            "status": rng.choice(["terrorist", "armed-opposition"], 2 * N_GROUPS),
            "since_ms": START_MS,
        }
    )
    if coarse_share > 0:
        crng = np.random.default_rng([seed, 3])
        coarse = crng.random(n_strikes) < coarse_share
        ang, km = crng.uniform(0, 2 * np.pi, n_strikes), crng.uniform(10.0, 25.0, n_strikes)
        strikes = strikes.with_columns(
            lat=np.where(coarse, lat + km * np.cos(ang) / 111.0, lat),
            lon=np.where(coarse, lon + km * np.sin(ang) / 91.0, lon),
            precision_m=np.where(coarse, 20_000.0, strikes["precision_m"].to_numpy()),
        )
    return AssessmentInputs.from_frames(
        {
            "strikes": strikes,
            "events": events,
            "presence": presence,
            "logistics": logistics,
            "harm": harm,
            "designations": designations,
            "parties": pl.DataFrame(
                {"id": parties, "modified": "2015-01-01T00:00:00.000Z", "name": ["A", "B"]}
            ),
            "groups": pl.DataFrame(
                {
                    "id": groups,
                    "modified": "2015-01-01T00:00:00.000Z",
                    "name": [f"Group {g}" for g in range(N_GROUPS)],
                }
            ),
        }
    )


def _one(
    size: int, strikes: int, profile: str | None = None, coarse_share: float = 0.0
) -> dict[str, Any]:
    from liaison.assess import Params, run

    started = time.perf_counter()
    inputs = make_inputs(size, strikes, coarse_share=coarse_share)
    generated = time.perf_counter() - started
    prof = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if prof is not None:
        prof.enable()
    result = run(inputs, Params())
    if prof is not None:
        prof.disable()
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if prof is not None and profile:
        pstats.Stats(prof).dump_stats(f"{profile}.{size}")
    body = result.to_json_bytes()
    return {
        "sha256": hashlib.sha256(body).hexdigest(),
        "events": float(size),
        "strikes": float(strikes),
        "generate_s": generated,
        "assess_s": seconds,
        "peak_gib": peak_kib / 1024**2,
        "json_mib": len(body) / 1024**2,
    }


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark sizes, each in a fresh process; print one line per size."""
    ap = argparse.ArgumentParser(prog="bench_assess")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 3_000_000, 10_000_000])
    ap.add_argument("--strikes", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="one small size (smoke run)")
    ap.add_argument(
        "--hash", action="store_true", help="also print the SHA-256 of the result's canonical JSON"
    )
    ap.add_argument("--profile", metavar="PREFIX", help="write cProfile stats to PREFIX.<size>")
    ap.add_argument(
        "--coarse-share",
        type=float,
        default=0.0,
        help='share of strike reports "near X" (10-25 km off, 20 km precision; default 0)',
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.sizes, args.strikes = [200_000], 50_000
    ctx = multiprocessing.get_context("spawn")
    print("events      strikes    generate_s  assess_s  peak_GiB  (H3 res 6, 52 weeks, 2 parties)")
    for size in args.sizes:
        with ctx.Pool(1) as pool:
            r = pool.apply(_one, (size, args.strikes, args.profile, args.coarse_share))
        print(
            f"{int(r['events']):>10,} {int(r['strikes']):>10,} {r['generate_s']:>10.1f}"
            f" {r['assess_s']:>9.1f} {r['peak_gib']:>9.2f}"
            + (f"  sha256 {r['sha256']}" if args.hash else ""),
            flush=True,
        )


if __name__ == "__main__":
    main()
