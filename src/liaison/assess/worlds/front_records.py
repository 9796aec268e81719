"""What the actors of a front world report.

* three parties: alpha reports strikes to ~1 km, bravo 2–8 km, charlie 10–20 km and
  upgrades a third of its failures to "destroyed" (claim inflation);
* two open datasets, ungraded, each hearing of about half of the events (a third
  inside the Islamic State's territory) — the same event often in both, with its own
  id, place and fatalities (duplicates); 3 % name the wrong group;
* an over-claiming media stream reporting deaths after most strikes, graded B/C 2/3
  like an honest source (its grading does not reveal its bias);
* logistics counted along the roads of the routes, by alpha and bravo, never at the
  struck point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from .common import DAY_MS, START_MS, WEEK_MS, frame, grades, offset_km
from .observe import actors, designations, harm_allegations, nullable, outcomes
from .observe import strike_observations as observed

if TYPE_CHECKING:
    from .front import FrontWorld

__all__ = ["records"]

_OUTCOMES = ((0.30, 0.25, 0.30, 0.15), (0.30, 0.20, 0.30, 0.20), (0.25, 0.20, 0.30, 0.25))
_UPGRADE = (0.0, 0.0, 0.35)
_ACROSS = 0.2  # share of front-line events that are the enemy attacking across
_SPREAD_KM = ((0.5, 1.5), (2.0, 8.0), (10.0, 20.0))
_PRECISION = ((1000.0,), (5000.0, 10000.0), (15000.0, 20000.0))


def _true_points(world: FrontWorld, rng: np.random.Generator) -> tuple[Any, Any, Any]:
    r = world.roads
    n = world.strike_node.size
    lat, lon = offset_km(r.lat[world.strike_node], r.lon[world.strike_node],
                         rng.normal(0, 0.7, n), rng.normal(0, 0.7, n))  # fmt: skip
    on_road = world.strike_edge >= 0
    e = r.edges[np.maximum(world.strike_edge, 0)]
    f = world.strike_frac
    lat = np.where(on_road, r.lat[e[:, 0]] * (1 - f) + r.lat[e[:, 1]] * f, lat)
    lon = np.where(on_road, r.lon[e[:, 0]] * (1 - f) + r.lon[e[:, 1]] * f, lon)
    when = START_MS + world.strike_week * WEEK_MS + rng.integers(0, 7 * DAY_MS, n)
    return lat, lon, when


def _strikes(world: FrontWorld, rng: np.random.Generator) -> tuple[list[pl.DataFrame], ...]:
    lat, lon, when = _true_points(world, rng)
    party = world.strike_party
    n = lat.size
    outcome = np.empty(n, dtype=object)
    r_lat, r_lon, prec = lat.copy(), lon.copy(), np.zeros(n)
    for p in range(len(world.party_ids)):
        sel = party == p
        k = int(sel.sum())
        outcome[sel] = outcomes(rng, k, _OUTCOMES[p])
        ang, dist = rng.uniform(0, 2 * np.pi, k), rng.uniform(*_SPREAD_KM[p], k)
        r_lat[sel], r_lon[sel] = offset_km(
            lat[sel], lon[sel], dist * np.cos(ang), dist * np.sin(ang)
        )
        prec[sel] = rng.choice(np.array(_PRECISION[p]), k)
    outcome = outcome.astype(str)
    failed = ~np.isin(outcome, ("destroyed", "damaged"))
    upgraded = failed & (rng.random(n) < np.array(_UPGRADE)[party])
    claimed = np.where(upgraded, "destroyed", outcome)
    claimed = np.where(rng.random(n) < np.where(party == 1, 0.10, 0.04), "unknown", claimed)
    gids = np.array(world.group_ids)
    named = (world.strike_group >= 0) & (rng.random(n) < 0.85)
    rel, cred = grades(rng, n, ("A", "B", "C"), (1, 2, 3))
    strikes = frame(
        world.ids,
        "liaison-strike-report",
        when,
        {
            "party": np.array(world.party_ids)[party],
            "means": rng.choice(np.array(["air", "air", "artillery", "missile"]), n),
            "t_end_ms": when + rng.integers(0, 4 * 3_600_000, n),
            "lat": r_lat,
            "lon": r_lon,
            "precision_m": prec,
            "target_category": world.strike_category,
            "target_group": nullable(gids[np.maximum(world.strike_group, 0)], named),
            "strikes": world.strike_weight,
            "claimed_effect": claimed,
            "bda_phase": np.where(claimed == "unknown", "none", "physical"),
            "reliability": rel,
            "credibility": cred,
        },
    )
    in_is = world.strike_group == 0
    ds1, ds2, media = world.open_sources
    events, harm = [], []
    for p, pid in enumerate(world.party_ids):
        mine = party == p
        kw = {"party": pid, "t_ms": when, "lat": lat, "lon": lon, "outcome": outcome}
        events.append(
            observed(
                world.ids,
                rng,
                source=ds1,
                seen=mine & (rng.random(n) < np.where(in_is, 0.25, 0.40)),
                sigma_km=1.5,
                misread=0.05,
                graded=False,
                **kw,
            )
        )
        events.append(
            observed(
                world.ids,
                rng,
                source=ds2,
                seen=mine & (rng.random(n) < np.where(in_is, 0.20, 0.35)),
                sigma_km=2.5,
                misread=0.05,
                graded=False,
                **kw,
            )
        )
        events.append(
            observed(
                world.ids,
                rng,
                source=media,
                seen=mine & (rng.random(n) < 0.30),
                sigma_km=3.0,
                misread=0.0,
                graded=True,
                overclaim=0.8,
                **kw,
            )
        )
        harm.append(
            harm_allegations(
                world.ids,
                rng,
                party=pid,
                t_ms=when[mine],
                lat=lat[mine],
                lon=lon[mine],
                rate=0.03 + 0.03 * p,
            )
        )
    claims = {"claimed": claimed, "outcome": outcome, "vocabularies": {},
              "upgrade": dict(zip(world.party_ids, _UPGRADE, strict=True))}  # fmt: skip
    return [strikes], events, harm, [claims]  # type: ignore[list-item]


def _group_events(world: FrontWorld, rng: np.random.Generator) -> list[pl.DataFrame]:
    r = world.roads
    counts = rng.poisson(world.rate)
    w_idx, u_idx = np.nonzero(counts)
    reps = counts[w_idx, u_idx]
    week, node = np.repeat(w_idx, reps), np.repeat(u_idx, reps)
    holder = world.control[week, node]
    g = len(world.group_ids)
    # on the front, two events in ten are the enemy attacking across
    enemy = np.array([int(rng.choice(nb)) for nb in (r.neighbours[u] for u in node)])
    enemy_group = world.control[week, enemy]
    across = world.extra["front_line"][week, node] & (rng.random(week.size) < _ACROSS)
    across &= enemy_group >= 0
    initiator = np.where(across, enemy_group, holder)
    initiator = np.where(initiator >= 0, initiator, rng.integers(0, g, week.size))
    fatal = rng.poisson(1.5, week.size)
    parts = []
    for source, reach, sigma in zip(world.open_sources[:2], (0.55, 0.5), (2.0, 3.0), strict=True):
        heard = rng.random(week.size) < np.where(holder == 0, reach * 0.6, reach)
        k = int(heard.sum())
        who = initiator[heard]
        wrong = rng.random(k) < 0.03
        who = np.where(wrong, (who + rng.integers(1, g, k)) % g, who)
        lat, lon = offset_km(r.lat[node[heard]], r.lon[node[heard]], rng.normal(0, sigma, k),
                             rng.normal(0, sigma, k))  # fmt: skip
        when = START_MS + week[heard] * WEEK_MS + rng.integers(0, 7 * DAY_MS, k)
        parts.append(
            frame(
                world.ids,
                "liaison-event",
                when,
                {
                    "source": np.full(k, source),
                    "event_type": rng.choice(np.array(["clash", "attack", "non-state"]), k),
                    "initiator": np.array(world.group_ids)[who],
                    "t_end_ms": when + 3_600_000,
                    "lat": lat,
                    "lon": lon,
                    "precision_m": rng.choice(np.array([1000.0, 5000.0, 10000.0]), k),
                    "fatalities_best": np.maximum(fatal[heard] + rng.integers(-1, 2, k), 0),
                    "reliability": pl.Series([None] * k, dtype=pl.String),
                    "credibility": pl.Series([None] * k, dtype=pl.Int64),
                },
            )
        )
    return parts


def _presence(world: FrontWorld, rng: np.random.Generator) -> pl.DataFrame:
    r = world.roads
    held = world.control >= 0
    in_is = world.control == 0
    parts = []
    for p, pid in enumerate(world.party_ids):
        prob = np.where(in_is, (0.08, 0.04, 0.02)[p], 0.05)
        week, node = np.nonzero(held & (rng.random(held.shape) < prob))
        n = week.size
        g = len(world.group_ids)
        group = world.control[week, node]
        group = np.where(rng.random(n) < 0.03, (group + rng.integers(1, g, n)) % g, group)
        lat, lon = offset_km(r.lat[node], r.lon[node], rng.normal(0, 2, n), rng.normal(0, 2, n))
        start = START_MS + week * WEEK_MS + rng.integers(0, 5 * DAY_MS, n)
        rel, cred = grades(rng, n, ("B", "C", "D"), (2, 3, 4))
        parts.append(frame(world.ids, "sighting", start, {
            "source": np.full(n, pid), "group": np.array(world.group_ids)[group],
            "presence_kind": rng.choice(np.array(["control", "sighting", "movement"]), n),
            "t_end_ms": start + rng.integers(0, 3 * DAY_MS, n), "lat": lat, "lon": lon,
            "precision_m": rng.choice(np.array([2000.0, 5000.0, 10000.0]), n),
            "strength": nullable(rng.poisson(80, n), rng.random(n) < 0.25),
            "reliability": rel, "credibility": cred,
        }))  # fmt: skip
    return pl.concat(parts)


def _logistics(world: FrontWorld, rng: np.random.Generator) -> pl.DataFrame:
    """Vehicles counted on roads of the routes (by alpha and bravo), per group and kind."""
    r = world.roads
    rows: dict[str, list[Any]] = {k: [] for k in ("week", "edge", "group", "kind", "volume")}
    for w, (routes, traffic) in enumerate(zip(world.routes, world.route_traffic, strict=True)):
        load: dict[tuple[int, int, str], float] = {}
        for route, v in zip(routes, traffic, strict=True):
            for e in route.edges:
                k3 = (e, route.group, route.kind)
                load[k3] = load.get(k3, 0.0) + float(v)
        for (e, g, kind), v in sorted(load.items()):
            for key, val in zip(rows, (w, e, g, kind, v), strict=True):
                rows[key].append(val)
    cols = {k: np.array(v) for k, v in rows.items()}
    parts = []
    for pid in world.party_ids[:2]:
        seen = np.flatnonzero(rng.random(cols["week"].size) < 0.4)
        n = seen.size
        e = r.edges[cols["edge"][seen]]
        f = rng.uniform(0.1, 0.9, n)
        lat = r.lat[e[:, 0]] * (1 - f) + r.lat[e[:, 1]] * f
        lon = r.lon[e[:, 0]] * (1 - f) + r.lon[e[:, 1]] * f
        lat, lon = offset_km(lat, lon, rng.normal(0, 1, n), rng.normal(0, 1, n))
        count = rng.poisson(0.6 * cols["volume"][seen])
        start = START_MS + cols["week"][seen] * WEEK_MS + rng.integers(0, 6 * DAY_MS, n)
        rel, cred = grades(rng, n, ("B", "C"), (2, 3))
        parts.append(frame(world.ids, "liaison-logistics", start, {
            "source": np.full(n, pid), "group": np.array(world.group_ids)[cols["group"][seen]],
            "logistics_kind": cols["kind"][seen], "t_end_ms": start + DAY_MS,
            "lat": lat, "lon": lon, "precision_m": np.full(n, 2000.0), "count": count,
            "volume": count * np.where(cols["kind"][seen] == "oil-trade", 150.0, 8.0),
            "reliability": rel, "credibility": cred,
        }))  # fmt: skip
    return pl.concat(parts)


def records(world: FrontWorld) -> tuple[dict[str, list[pl.DataFrame]], dict[str, Any]]:
    """Every record frame of the world, per kind, and the claims the truth reads."""
    from .front import GROUPS, PARTIES

    rng = np.random.default_rng([world.config.seed, 0x4EC0])
    strikes, events, harm, claims = _strikes(world, rng)
    pids, gids = world.party_ids, world.group_ids
    statuses = {
        pids[0]: dict(
            zip(gids, ("terrorist", "other", "armed-opposition", "state-force"), strict=True)
        ),
        pids[1]: dict(
            zip(gids, ("terrorist", "armed-opposition", "terrorist", "state-force"), strict=True)
        ),
        pids[2]: dict(zip(gids, ("terrorist", "other", "terrorist", "state-force"), strict=True)),
    }
    names = {pid: name for pid, (_, name) in zip(pids, PARTIES, strict=True)}
    names.update(zip(world.open_sources, ("Open Events Project", "Conflict Monitor Network",
                                          "War News Media"), strict=True))  # fmt: skip
    frames = {
        "strikes": strikes,
        "events": [*events, *_group_events(world, rng)],
        "presence": [_presence(world, rng)],
        "logistics": [_logistics(world, rng)],
        "harm": harm,
        "designations": [designations(world.ids, statuses, START_MS)],
        "parties": [actors(names, START_MS)],
        "groups": [actors(dict(zip(gids, (n for _, n in GROUPS), strict=True)), START_MS)],
    }
    return frames, claims[0]  # type: ignore[return-value]
