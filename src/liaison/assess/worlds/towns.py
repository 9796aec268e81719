"""Family "towns": a year of strikes on ~250 real Syrian towns held by several groups.

Mechanisms (independent of ``liaison.assess.simulate``): towns are held by the
Islamic State, two or three other groups or nobody, seeded from real strongholds and
changing hands along the front between neighbouring towns; each party keeps a short
list of favourite towns and strikes them week after week; one party reports its
strikes to ~1 km (sometimes 2–5 km off), the other "near X" — the coordinates of a
larger town 10–25 km away; open-source events carry no grading and half of what
happens inside the Islamic State's territory is never reported; a few percent of
events and sightings name the wrong group; the coarse party's "damaged" means "not
destroyed". ``towns_world`` returns the world with its hidden state (for tests);
``towns`` the method's inputs and the ground truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..inputs import AssessmentInputs
from .common import I64, Ids, claims_truth, inputs_of, targeting_truth, world_truth
from .places import Towns, syrian_towns
from .towns_records import records

__all__ = ["EFFECTS", "GROUPS", "PARTIES", "TownsConfig", "TownsWorld", "towns", "towns_world"]

GROUPS = (
    ("is", "Islamic State"),
    ("north", "Northern Opposition Front"),
    ("kurd", "Kurdish Self-Defence Units"),
    ("gov", "Government Forces"),
)
#: Real strongholds each group's territory grows from (lat, lon).
_ANCHORS = (
    ((35.95, 39.01), (35.34, 40.14), (34.56, 38.28), (34.45, 40.92)),
    ((35.93, 36.63), (36.45, 36.90), (32.62, 36.10), (35.60, 36.35)),
    ((36.50, 40.75), (36.89, 38.35), (37.05, 41.22)),
    ((33.51, 36.29), (34.73, 36.71), (35.52, 35.79), (35.13, 36.75)),
)
PARTIES = (("precise", "Precise Coalition Partner"), ("coarse", "Allied Air Wing"))
#: Propensity of each party to strike each group (IS, north, kurd, gov, none).
_PROPENSITY = ((0.89, 0.04, 0.01, 0.0, 0.06), (0.14, 0.66, 0.05, 0.0, 0.15))
_CATEGORY_MIX = (
    {"fighting-position": 0.28, "headquarters": 0.18, "vehicle": 0.16, "building": 0.12,
     "weapons-storage": 0.14, "oil-infrastructure": 0.08, "training-camp": 0.04},
    {"fighting-position": 0.33, "headquarters": 0.17, "vehicle": 0.14, "building": 0.16,
     "weapons-storage": 0.12, "oil-infrastructure": 0.05, "training-camp": 0.03},
)  # fmt: skip
#: True relative effect on (activity, logistics) while it lasts (EFFECT_WEEKS weeks).
EFFECTS = {
    "headquarters": (-0.35, 0.0),
    "weapons-storage": (-0.25, 0.0),
    "fighting-position": (0.0, 0.0),
    "vehicle": (0.0, 0.0),
    "building": (0.0, 0.0),
    "training-camp": (0.0, 0.0),
    "oil-infrastructure": (0.0, -0.40),
}
EFFECT_WEEKS = 6
_PRETREND_CATEGORY = "training-camp"


@dataclass(frozen=True)
class TownsConfig:
    """One towns scenario. ``pre_trend``: the precise party's training-camp strikes hit
    towns whose activity was already rising (true effect zero): a placebo check must fail."""

    seed: int
    weeks: int = 52
    towns: int = 250
    strikes_per_party: int = 1500
    pre_trend: bool = False


@dataclass(frozen=True)
class TownsWorld:
    """The hidden state of a towns scenario (what really happened)."""

    config: TownsConfig
    towns: Towns
    ids: Ids
    party_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    monitor: str
    control: I64  # weeks × towns: group index, −1 none
    rate: npt.NDArray[np.float64]  # weeks × towns: expected events (after effects)
    activity_mult: npt.NDArray[np.float64]  # weeks × towns
    logistics_mult: npt.NDArray[np.float64]  # weeks × towns
    oil_towns: I64
    trending: I64  # towns with a pre-existing trend (pre_trend scenarios), else empty
    strike_party: I64
    strike_week: I64
    strike_town: I64
    strike_category: npt.NDArray[np.str_]
    strike_weight: I64
    strike_group: I64  # realised: controller of the struck town that week


def _initial_control(rng: np.random.Generator, t: Towns) -> I64:
    score = np.stack(
        [
            np.min(
                [np.hypot(t.lat - a[0], (t.lon - a[1]) * 0.82) for a in anchors],
                axis=0,
            )
            for anchors in _ANCHORS
        ]
    ) * rng.lognormal(0.0, 0.3, (len(_ANCHORS), t.n))
    order = np.sort(score, axis=0)
    control: I64 = np.argmin(score, axis=0).astype(np.int64)
    control[order[1] < order[0] * 1.07] = -1  # contested between two groups: held by none
    return control


def _control(rng: np.random.Generator, t: Towns, weeks: int) -> I64:
    nbrs = t.neighbours(6, 60.0)
    out = np.empty((weeks, t.n), dtype=np.int64)
    out[0] = _initial_control(rng, t)
    for w in range(1, weeks):
        prev, cur = out[w - 1], out[w - 1].copy()
        u = rng.random(t.n)
        for i in range(t.n):
            rivals = prev[nbrs[i]][prev[nbrs[i]] != prev[i]]
            if rivals.size == 0:
                continue
            rival = int(rivals[int(u[i] * 1e6) % rivals.size])
            p = 0.03
            if prev[i] == 0:
                p = 0.06  # the Islamic State loses ground
            elif rival == 0:
                p = 0.008
            elif prev[i] < 0:
                p = 0.15
            if rng.random() < p:
                cur[i] = rival
        out[w] = cur
    return out


def _strikes(
    rng: np.random.Generator, cfg: TownsConfig, t: Towns, control: I64, oil: I64, trending: I64
) -> tuple[I64, I64, I64, npt.NDArray[np.str_], I64]:
    parties, weeks, towns_, cats = [], [], [], []
    is_oil = np.zeros(t.n, dtype=bool)
    is_oil[oil] = True
    pop = np.maximum(t.population, 1000).astype(np.float64)
    for p in range(len(PARTIES)):
        appeal = rng.lognormal(0.0, 1.0, t.n) * (pop / np.median(pop)) ** 0.3
        favourites = rng.choice(t.n, 30, replace=False, p=appeal / appeal.sum())
        appeal[favourites] *= 8.0  # a few dozen towns struck again and again
        tempo = rng.gamma(4.0, 1.0, cfg.weeks) + 0.5
        per_week = rng.multinomial(cfg.strikes_per_party, tempo / tempo.sum())
        mix = _CATEGORY_MIX[p]
        names, probs = np.array(list(mix)), np.array(list(mix.values()))
        for w, n in enumerate(per_week):
            counts = rng.multinomial(n, _PROPENSITY[p])
            for g, k in zip((0, 1, 2, 3, -1), counts, strict=True):
                if k == 0:
                    continue
                pool = np.flatnonzero(control[w] == g)
                if pool.size == 0:
                    pool = np.arange(t.n)
                chosen = rng.choice(pool, k, p=appeal[pool] / appeal[pool].sum())
                cat = rng.choice(names, k, p=probs / probs.sum())
                # oil strikes hit oil towns, whoever holds them
                oil_hit = cat == "oil-infrastructure"
                cat[oil_hit & ~is_oil[chosen]] = "vehicle"
                if cfg.pre_trend and p == 0:  # its training camps: only the trending towns
                    cat[cat == _PRETREND_CATEGORY] = "vehicle"
                towns_.append(chosen)
                cats.append(cat)
                weeks.append(np.full(k, w))
                parties.append(np.full(k, p))
            if cfg.pre_trend and p == 0 and w >= cfg.weeks // 3:
                k = int(rng.poisson(4.0))
                towns_.append(rng.choice(trending, k))
                cats.append(np.full(k, _PRETREND_CATEGORY))
                weeks.append(np.full(k, w))
                parties.append(np.full(k, p))
    party = np.concatenate(parties).astype(np.int64)
    cat_all = np.concatenate(cats)
    town = np.concatenate(towns_).astype(np.int64)
    week = np.concatenate(weeks).astype(np.int64)
    weight = np.minimum(1 + rng.poisson(0.3, town.size), 4).astype(np.int64)
    return party, week, town, cat_all, weight


def _multipliers(
    cfg: TownsConfig, n: int, week: I64, town: I64, category: npt.NDArray[np.str_]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Activity and logistics multipliers: each category's effect for EFFECT_WEEKS weeks
    after a strike of it (repeated strikes renew it, they do not compound)."""
    act = np.ones((cfg.weeks, n))
    log = np.ones((cfg.weeks, n))
    for cat, (ea, el) in EFFECTS.items():
        if ea == 0.0 and el == 0.0:
            continue
        on = np.zeros((cfg.weeks, n), dtype=bool)
        sel = category == cat
        for lag in range(EFFECT_WEEKS):
            w = week[sel] + lag
            ok = w < cfg.weeks
            on[w[ok], town[sel][ok]] = True
        act = np.where(on, act * (1.0 + ea), act)
        log = np.where(on, log * (1.0 + el), log)
    return act, log


def towns_world(config: TownsConfig) -> TownsWorld:
    """Draw the hidden state of one towns scenario (deterministic per config)."""
    rng = np.random.default_rng([config.seed, 0x70E5])
    t = syrian_towns(config.towns)
    ids = Ids("towns", config.seed)
    control = _control(rng, t, config.weeks)
    east = np.flatnonzero((t.lon > 39.3) & (t.lat < 36.6))
    oil = rng.choice(east, min(14, east.size), replace=False) if east.size else np.arange(3)
    trending = (
        rng.choice(np.flatnonzero(control[0] != 0), 12, replace=False)
        if config.pre_trend
        else np.zeros(0, dtype=np.int64)
    )
    party, week, town, cat, weight = _strikes(rng, config, t, control, oil, trending)
    act, log = _multipliers(config, t.n, week, town, cat)
    pop = np.maximum(t.population, 1000).astype(np.float64)
    base = np.clip(0.3 + 1.6 * (pop / np.median(pop)) ** 0.35, 0.3, 6.0)
    base *= np.where(rng.random(t.n) < 0.3, 2.0, 1.0)
    rate = np.tile(base, (config.weeks, 1)) * act
    if trending.size:  # activity rising steadily all year in the trending towns (× 1 → × 3)
        rate[:, trending] *= np.linspace(1.0, 3.0, config.weeks)[:, None]
    return TownsWorld(
        config=config,
        towns=t,
        ids=ids,
        party_ids=tuple(ids.fixed("identity", f"party/{k}") for k, _ in PARTIES),
        group_ids=tuple(ids.fixed("threat-actor", f"group/{k}") for k, _ in GROUPS),
        monitor=ids.fixed("identity", "source/open-monitor"),
        control=control,
        rate=rate,
        activity_mult=act,
        logistics_mult=log,
        oil_towns=oil.astype(np.int64),
        trending=trending.astype(np.int64),
        strike_party=party,
        strike_week=week,
        strike_town=town,
        strike_category=cat,
        strike_weight=weight,
        strike_group=control[week, town],
    )


def towns(
    seed: int, *, pre_trend: bool = False, strikes_per_party: int = 1500, n_towns: int = 250
) -> tuple[AssessmentInputs, dict[str, Any]]:
    """The method's inputs and the ground truth of towns scenario ``seed``."""
    world = towns_world(
        TownsConfig(
            seed=seed, pre_trend=pre_trend, strikes_per_party=strikes_per_party, towns=n_towns
        )
    )
    frames, claims = records(world)
    inputs = inputs_of(frames)
    return inputs, truth_of(world, inputs, claims)


def truth_of(world: TownsWorld, inputs: AssessmentInputs, claims: dict[str, Any]) -> dict[str, Any]:
    """The ground truth in the schema every family shares."""
    cfg = world.config
    pids, gids = world.party_ids, world.group_ids
    return world_truth(
        family="towns",
        seed=cfg.seed,
        weeks=cfg.weeks,
        parties=[(pid, k, n) for pid, (k, n) in zip(pids, PARTIES, strict=True)],
        groups=[(gid, k, n) for gid, (k, n) in zip(gids, GROUPS, strict=True)],
        open_sources=[world.monitor],
        targeting=targeting_truth(
            pids, gids, world.strike_party, world.strike_group, world.strike_weight
        ),
        propensity=_PROPENSITY,
        effects=EFFECTS,
        effect_weeks=EFFECT_WEEKS,
        claims=claims_truth(pids, world.strike_party, **claims),
        strikes_per_party=cfg.strikes_per_party,
        inputs=inputs,
        pre_trend=(
            {"party": pids[0], "category": _PRETREND_CATEGORY, "outcome": "activity"}
            if cfg.pre_trend
            else None
        ),
    )
