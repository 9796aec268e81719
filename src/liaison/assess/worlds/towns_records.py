"""What the actors of a towns world report: the records the method reads.

* the precise party: strikes at ~1 km (12 % of them 2–5 km off, half of those still
  saying 1 km), graded A/B; presence reports of the towns it watches;
* the coarse party: strikes reported "near X", at a larger town 10–25 km from the
  target, precision 10–25 km; its vocabulary has two words, "destroyed" and
  "damaged" — the latter meaning "not destroyed";
* an open monitor: every group event it hears of, WITHOUT grading, half of what happens
  inside the Islamic State's territory missing, 4 % naming the wrong group; and 45 % of
  strikes (25 % inside that territory), seen independently of their outcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from .common import DAY_MS, START_MS, WEEK_MS, frame, grades, offset_km
from .observe import (
    actors,
    designations,
    harm_allegations,
    nullable,
    outcomes,
    strike_observations,
)

if TYPE_CHECKING:
    from .towns import TownsWorld

__all__ = ["records"]

_OUTCOME_PROBS = ((0.35, 0.20, 0.30, 0.15), (0.40, 0.0, 0.40, 0.20))
_UNREPORTED_IN_IS = 0.5  # share of events inside IS territory nobody reports
_MISATTRIBUTED = 0.04


def _strike_points(world: TownsWorld, rng: np.random.Generator) -> tuple[Any, Any, Any]:
    t = world.towns
    n = world.strike_town.size
    lat, lon = offset_km(
        t.lat[world.strike_town], t.lon[world.strike_town], rng.normal(0, 0.6, n),
        rng.normal(0, 0.6, n),
    )  # fmt: skip
    when = START_MS + world.strike_week * WEEK_MS + rng.integers(0, 7 * DAY_MS, n)
    return lat, lon, when


def _reported(world: TownsWorld, rng: np.random.Generator, lat: Any, lon: Any) -> tuple[Any, ...]:
    """Reported location and precision of each strike (by its party's habit)."""
    t = world.towns
    n = lat.size
    r_lat, r_lon = offset_km(lat, lon, rng.normal(0, 0.8, n), rng.normal(0, 0.8, n))
    prec = np.full(n, 1000.0)
    off = rng.random(n) < 0.12
    ang, dist = rng.uniform(0, 2 * np.pi, n), rng.uniform(2.0, 5.0, n)
    o_lat, o_lon = offset_km(lat, lon, dist * np.cos(ang), dist * np.sin(ang))
    r_lat, r_lon = np.where(off, o_lat, r_lat), np.where(off, o_lon, r_lon)
    prec[off & (rng.random(n) < 0.5)] = 5000.0
    coarse = world.strike_party == 1
    for i in np.flatnonzero(coarse):  # "near X": a larger town 10–25 km away
        d = t.dist_km[world.strike_town[i]]
        near = np.flatnonzero((d >= 10.0) & (d <= 25.0))
        if near.size:
            x = int(near.min()) if rng.random() < 0.6 else int(rng.choice(near))
            r_lat[i], r_lon[i] = t.lat[x], t.lon[x]
            km = d[x]
        else:
            km = rng.uniform(10.0, 25.0)
            a = rng.uniform(0, 2 * np.pi)
            r_lat[i], r_lon[i] = offset_km(lat[i], lon[i], km * np.cos(a), km * np.sin(a))
        prec[i] = float(np.clip(np.ceil(km / 5.0) * 5000.0, 10000.0, 25000.0))
    return r_lat, r_lon, prec


def _strike_frames(
    world: TownsWorld, rng: np.random.Generator
) -> tuple[list[pl.DataFrame], list[pl.DataFrame], dict[str, Any]]:
    lat, lon, when = _strike_points(world, rng)
    r_lat, r_lon, prec = _reported(world, rng, lat, lon)
    n = lat.size
    party = world.strike_party
    outcome = np.empty(n, dtype=object)
    claimed = np.empty(n, dtype=object)
    for p, probs in enumerate(_OUTCOME_PROBS):
        sel = party == p
        outcome[sel] = outcomes(rng, int(sel.sum()), probs)
    claimed[party == 0] = outcome[party == 0]  # truthful, standard words
    claimed[party == 1] = np.where(outcome[party == 1] == "destroyed", "destroyed", "damaged")
    claimed[rng.random(n) < 0.06] = "unknown"
    outcome, claimed = outcome.astype(str), claimed.astype(str)
    gids = np.array(world.group_ids)
    true_group = world.strike_group
    named = (true_group >= 0) & (rng.random(n) < np.where(party == 0, 0.95, 0.8))
    rel, cred = grades(rng, n, ("A", "B"), (1, 2))
    strikes = frame(
        world.ids,
        "liaison-strike-report",
        when,
        {
            "party": np.array(world.party_ids)[party],
            "means": np.where((party == 1) & (rng.random(n) < 0.2), "missile", "air"),
            "t_end_ms": when + rng.integers(0, 6 * 3_600_000, n),
            "lat": r_lat,
            "lon": r_lon,
            "precision_m": prec,
            "target_category": world.strike_category,
            "target_group": nullable(gids[np.maximum(true_group, 0)], named),
            "strikes": world.strike_weight,
            "claimed_effect": claimed,
            "bda_phase": np.where(claimed == "unknown", "none", "physical"),
            "reliability": rel,
            "credibility": cred,
        },
    )
    in_is = true_group == 0
    events, harm = [], []
    for p, pid in enumerate(world.party_ids):
        mine = party == p
        seen_open = mine & (rng.random(n) < np.where(in_is, 0.25, 0.45))
        events.append(
            strike_observations(
                world.ids, rng, source=world.monitor, party=pid, t_ms=when, lat=lat, lon=lon,
                outcome=outcome, seen=seen_open, sigma_km=1.5, misread=0.05, graded=False,
            )
        )  # fmt: skip
        other = world.party_ids[1 - p]
        events.append(
            strike_observations(
                world.ids, rng, source=other, party=pid, t_ms=when, lat=lat, lon=lon,
                outcome=outcome, seen=mine & (rng.random(n) < 0.10), sigma_km=1.0,
                misread=0.05, graded=True,
            )
        )  # fmt: skip
        harm.append(
            harm_allegations(
                world.ids, rng, party=pid, t_ms=when[mine], lat=lat[mine], lon=lon[mine],
                rate=0.04 if p == 0 else 0.09,
            )
        )  # fmt: skip
    claims = {
        "claimed": claimed,
        "outcome": outcome,
        "vocabularies": {world.party_ids[1]: {"destroyed": "success", "damaged": "failure"}},
        "upgrade": {},
    }
    return [strikes, *events], harm, claims


def _group_events(world: TownsWorld, rng: np.random.Generator) -> pl.DataFrame:
    """Events the groups initiate, as the open monitor (and the parties) report them."""
    t = world.towns
    counts = rng.poisson(world.rate)
    w_idx, t_idx = np.nonzero(counts)
    reps = counts[w_idx, t_idx]
    week, town = np.repeat(w_idx, reps), np.repeat(t_idx, reps)
    holder = world.control[week, town]
    g = len(world.group_ids)
    # a town held by nobody is fought over: a random group initiates
    initiator = np.where(holder >= 0, holder, rng.integers(0, g, holder.size))
    reported = rng.random(week.size) >= np.where(holder == 0, _UNREPORTED_IN_IS, 0.1)
    week, town, initiator = week[reported], town[reported], initiator[reported]
    n = week.size
    wrong = rng.random(n) < _MISATTRIBUTED
    initiator = np.where(wrong, (initiator + rng.integers(1, g, n)) % g, initiator)
    lat, lon = offset_km(t.lat[town], t.lon[town], rng.normal(0, 1.5, n), rng.normal(0, 1.5, n))
    when = START_MS + week * WEEK_MS + rng.integers(0, 7 * DAY_MS, n)
    by = rng.random(n)
    source = np.where(
        by < 0.8, world.monitor, np.where(by < 0.9, world.party_ids[0], world.party_ids[1])
    )
    rel, cred = grades(rng, n, ("B", "C", "D"), (2, 3, 4), source != world.monitor)
    return frame(
        world.ids,
        "liaison-event",
        when,
        {
            "source": source,
            "event_type": rng.choice(np.array(["attack", "clash", "non-state"]), n),
            "initiator": np.array(world.group_ids)[initiator],
            "t_end_ms": when + 3_600_000,
            "lat": lat,
            "lon": lon,
            "precision_m": rng.choice(np.array([1000.0, 2000.0, 5000.0]), n),
            "fatalities_best": rng.poisson(1.2, n),
            "reliability": rel,
            "credibility": cred,
        },
    )


def _presence(world: TownsWorld, rng: np.random.Generator) -> pl.DataFrame:
    t = world.towns
    held = world.control >= 0
    in_is = world.control == 0
    parts = []
    for p, pid in enumerate(world.party_ids):
        prob = np.where(in_is, 0.07, 0.05) if p == 0 else np.where(in_is, 0.025, 0.05)
        week, town = np.nonzero(held & (rng.random(held.shape) < prob))
        n = week.size
        group = world.control[week, town]
        g = len(world.group_ids)
        wrong = rng.random(n) < 0.03
        group = np.where(wrong, (group + rng.integers(1, g, n)) % g, group)
        lat, lon = offset_km(t.lat[town], t.lon[town], rng.normal(0, 1, n), rng.normal(0, 1, n))
        start = START_MS + week * WEEK_MS + rng.integers(0, 5 * DAY_MS, n)
        rel, cred = (
            grades(rng, n, ("B", "C"), (2, 3))
            if p == 0
            else grades(rng, n, ("C", "D", "F"), (3, 4, 6))
        )
        parts.append(
            frame(
                world.ids,
                "sighting",
                start,
                {
                    "source": np.full(n, pid),
                    "group": np.array(world.group_ids)[group],
                    "presence_kind": rng.choice(
                        np.array(["control", "sighting", "movement"]), n, p=[0.5, 0.4, 0.1]
                    ),
                    "t_end_ms": start + rng.integers(0, 3 * DAY_MS, n),
                    "lat": lat,
                    "lon": lon,
                    "precision_m": rng.choice(np.array([1000.0, 3000.0, 5000.0, 10000.0]), n),
                    "strength": nullable(rng.poisson(60, n), rng.random(n) < 0.3),
                    "reliability": rel,
                    "credibility": cred,
                },
            )
        )
    return pl.concat(parts)


def _logistics(world: TownsWorld, rng: np.random.Generator) -> pl.DataFrame:
    """Oil-truck traffic counted at the oil towns, by both parties, half the weeks."""
    t = world.towns
    oil = world.oil_towns
    traffic = 30.0 * world.logistics_mult[:, oil]
    parts = []
    for pid in world.party_ids:
        week, j = np.nonzero(rng.random(traffic.shape) < 0.5)
        town = oil[j]
        holder = world.control[week, town]
        keep = holder >= 0
        week, town, j, holder = week[keep], town[keep], j[keep], holder[keep]
        n = week.size
        count = rng.poisson(traffic[week, j] * 0.6)
        lat, lon = offset_km(t.lat[town], t.lon[town], rng.normal(0, 2, n), rng.normal(0, 2, n))
        start = START_MS + week * WEEK_MS + rng.integers(0, 6 * DAY_MS, n)
        rel, cred = grades(rng, n, ("B", "C"), (2, 3))
        parts.append(
            frame(
                world.ids,
                "liaison-logistics",
                start,
                {
                    "source": np.full(n, pid),
                    "group": np.array(world.group_ids)[holder],
                    "logistics_kind": np.full(n, "oil-trade"),
                    "t_end_ms": start + DAY_MS,
                    "lat": lat,
                    "lon": lon,
                    "precision_m": rng.choice(np.array([2000.0, 5000.0]), n),
                    "count": count,
                    "volume": count * 180.0,
                    "reliability": rel,
                    "credibility": cred,
                },
            )
        )
    return pl.concat(parts)


def records(world: TownsWorld) -> tuple[dict[str, list[pl.DataFrame]], dict[str, Any]]:
    """Every record frame of the world, per kind, and the claims the truth reads."""
    rng = np.random.default_rng([world.config.seed, 0x2EC0])
    strike_parts, harm, claims = _strike_frames(world, rng)
    from .towns import GROUPS, PARTIES  # the actors' names

    pids, gids = world.party_ids, world.group_ids
    statuses = {
        pids[0]: dict(zip(gids, ("terrorist", "armed-opposition", "armed-opposition",
                                 "state-force"), strict=True)),
        pids[1]: dict(zip(gids, ("terrorist", "terrorist", "other", "state-force"), strict=True)),
    }  # fmt: skip
    names = {pid: name for pid, (_, name) in zip(pids, PARTIES, strict=True)}
    names[world.monitor] = "Open Conflict Monitor"
    frames = {
        "strikes": strike_parts[:1],
        "events": [*strike_parts[1:], _group_events(world, rng)],
        "presence": [_presence(world, rng)],
        "logistics": [_logistics(world, rng)],
        "harm": harm,
        "designations": [designations(world.ids, statuses, START_MS)],
        "parties": [actors(names, START_MS)],
        "groups": [actors(dict(zip(gids, (n for _, n in GROUPS), strict=True)), START_MS)],
    }
    return frames, claims
