"""Family "front": territorial control as fronts moving along a road graph, three parties.

Mechanisms (independent of ``liaison.assess.simulate``): ~160 settlements joined by a
random planar road network; four groups grow from scattered strongholds along the
roads, so their front lines interleave, and each week settlements on a front fall to
a neighbour with a chance set by the two sides' strength (the Islamic State's decays
through the year); activity is higher on the fronts, where part of it is the enemy
attacking across; convoys run from each group's base to its front settlements along
the shortest road inside its territory, and oil trucks from the oil fields; strikes
have effects that last four weeks (headquarters −35 % activity, pushing part of it
to the neighbouring settlements; vehicles +20 %; a strike on a convoy's road −45 % on
the convoys of every route through that road; on an oil field −25 % on its trucks),
other categories none. ``front_world`` gives the hidden state, ``front`` the inputs
and the ground truth; records are in ``front_records``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..inputs import AssessmentInputs
from .common import F64, I64, Ids, claims_truth, inputs_of, targeting_truth, world_truth
from .roads import Roads, path_to, road_graph

__all__ = ["EFFECTS", "GROUPS", "PARTIES", "FrontConfig", "FrontWorld", "front", "front_world"]

GROUPS = (
    ("is", "Islamic State"),
    ("east", "Eastern Tribal Alliance"),
    ("north", "Northern Rebel Coalition"),
    ("gov", "Government Forces"),
)
#: Where each group's strongholds are drawn (lat range, lon range).
_SEED_BOXES = (
    ((34.3, 36.3), (38.3, 40.8)),
    ((34.5, 37.0), (40.0, 41.5)),
    ((35.5, 37.0), (36.0, 38.6)),
    ((33.0, 35.6), (36.0, 37.6)),
)
PARTIES = (
    ("alpha", "Task Force Alpha"),
    ("bravo", "Bravo Expeditionary Wing"),
    ("charlie", "Charlie Air Command"),
)
_PROPENSITY = (
    (0.80, 0.05, 0.08, 0.0, 0.07),
    (0.35, 0.25, 0.30, 0.0, 0.10),
    (0.15, 0.05, 0.65, 0.0, 0.15),
)
_MIX = {
    "fighting-position": 0.25, "vehicle": 0.20, "headquarters": 0.15, "building": 0.12,
    "supply-route": 0.18, "oil-infrastructure": 0.10,
}  # fmt: skip
EFFECTS = {
    "headquarters": (-0.35, 0.0),
    "vehicle": (0.20, 0.0),
    "fighting-position": (0.0, 0.0),
    "building": (0.0, 0.0),
    "supply-route": (0.0, -0.45),
    "oil-infrastructure": (0.0, -0.25),
}
EFFECT_WEEKS = 4
DISPLACED = 0.15  # neighbours of a struck headquarters: activity +15 % while it lasts
_PRETREND_CATEGORY = "building"
CONVOYS_PER_ROUTE = 12.0
TRUCKS_PER_OIL_ROUTE = 25.0


@dataclass(frozen=True)
class FrontConfig:
    """One front scenario; ``pre_trend``: party bravo's building strikes hit settlements
    whose activity was already rising all year (true effect zero)."""

    seed: int
    weeks: int = 52
    nodes: int = 160
    strikes_per_party: int = 1500
    pre_trend: bool = False


@dataclass(frozen=True)
class Route:
    """A logistics route in one week: its group, kind, node path and edge numbers."""

    group: int
    kind: str  # convoy | oil-trade
    nodes: tuple[int, ...]
    edges: tuple[int, ...]
    origin: int


@dataclass(frozen=True)
class FrontWorld:
    """The hidden state of a front scenario."""

    config: FrontConfig
    roads: Roads
    ids: Ids
    party_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    open_sources: tuple[str, ...]  # two open datasets, then the media stream
    control: I64  # weeks × nodes
    rate: F64  # weeks × nodes: expected group events
    oil_nodes: I64
    trending: I64
    routes: tuple[tuple[Route, ...], ...]  # per week
    route_traffic: tuple[F64, ...]  # per week, per route (after effects)
    strike_party: I64
    strike_week: I64
    strike_node: I64  # the settlement struck, or the nearer end of the struck road
    strike_edge: I64  # the road of a convoy strike, −1 otherwise
    strike_frac: F64  # position along that road
    strike_category: npt.NDArray[np.str_]
    strike_weight: I64
    strike_group: I64
    extra: dict[str, Any] = field(default_factory=dict)


def _initial_control(rng: np.random.Generator, roads: Roads) -> I64:
    e = roads.edges
    w = roads.length_km * rng.lognormal(0.0, 0.6, e.shape[0])
    graph = csr_matrix((w, (e[:, 0], e[:, 1])), shape=(roads.n, roads.n))
    seeds, owner = [], []
    for g, (la, lo) in enumerate(_SEED_BOXES):
        inside = np.flatnonzero(
            (roads.lat >= la[0])
            & (roads.lat <= la[1])
            & (roads.lon >= lo[0])
            & (roads.lon <= lo[1])
        )
        pool = inside if inside.size >= 2 else np.arange(roads.n)
        picked = rng.choice(pool, 2, replace=False)
        seeds += picked.tolist()
        owner += [g, g]
    dist = dijkstra(graph, directed=False, indices=seeds)
    control: I64 = np.array(owner, dtype=np.int64)[np.argmin(dist, axis=0)]
    control[rng.random(roads.n) < 0.05] = -1
    return control


def _control(rng: np.random.Generator, roads: Roads, weeks: int) -> I64:
    out = np.empty((weeks, roads.n), dtype=np.int64)
    out[0] = _initial_control(rng, roads)
    g = len(GROUPS)
    strength = np.ones((weeks, g))
    strength[:, 0] = np.linspace(1.0, 0.55, weeks)
    for k in range(1, g):
        strength[:, k] = np.exp(np.cumsum(rng.normal(0, 0.03, weeks)))
    for w in range(1, weeks):
        prev, cur = out[w - 1], out[w - 1].copy()
        for u in range(roads.n):
            nb = roads.neighbours[u]
            rivals = prev[nb][(prev[nb] != prev[u]) & (prev[nb] >= 0)]
            if rivals.size == 0:
                continue
            rival = int(rng.choice(rivals))
            p = 0.2 if prev[u] < 0 else 0.035 * strength[w, rival] / strength[w, prev[u]]
            if rng.random() < p:
                cur[u] = rival
        out[w] = cur
    return out


def _routes(roads: Roads, control: I64, oil: I64) -> list[list[Route]]:
    """Each week: convoys from each group's base to up to 8 of its front settlements,
    oil trucks from each held oil field to its holder's base."""
    index = roads.edge_index()
    weeks = control.shape[0]
    firsts = [int(np.flatnonzero(control[0] == g)[0]) if (control[0] == g).any() else 0
              for g in range(len(GROUPS))]  # fmt: skip
    out: list[list[Route]] = []
    for w in range(weeks):
        held_by = control[w]
        routes: list[Route] = []
        for g in range(len(GROUPS)):
            mine = held_by == g
            if not mine.any():
                continue
            d = np.hypot(roads.lat - roads.lat[firsts[g]], roads.lon - roads.lon[firsts[g]])
            base = int(np.flatnonzero(mine)[np.argmin(d[mine])])
            pred = roads.tree(mine, base)
            front = [int(u) for u in np.flatnonzero(mine)
                     if (held_by[roads.neighbours[u]] != g).any()]  # fmt: skip
            front = sorted(front, key=lambda u: (u * 7919 + g * 104729) % 1009)[:8]
            ends = [("convoy", u) for u in front]
            ends += [("oil-trade", int(o)) for o in oil if held_by[o] == g]
            for kind, far in ends:
                pth = path_to(pred, base, far)
                if len(pth) < 2:
                    continue
                if kind == "oil-trade":
                    pth = pth[::-1]
                edges = tuple(index[(min(a, b), max(a, b))] for a, b in itertools.pairwise(pth))
                routes.append(Route(g, kind, tuple(pth), edges, pth[0]))
        out.append(routes)
    return out


def _strikes(
    rng: np.random.Generator,
    cfg: FrontConfig,
    roads: Roads,
    control: I64,
    routes: list[list[Route]],
    oil: I64,
    trending: I64,
) -> dict[str, Any]:
    cols: dict[str, list[Any]] = {k: [] for k in ("party", "week", "node", "edge", "frac", "cat")}
    names, probs = np.array(list(_MIX)), np.array(list(_MIX.values()))

    def add(p: int, w: int, node: int, edge: int, frac: float, cat: str) -> None:
        for key, v in zip(cols, (p, w, node, edge, frac, cat), strict=True):
            cols[key].append(v)

    for p in range(len(PARTIES)):
        appeal = rng.lognormal(0.0, 1.0, roads.n)
        appeal[rng.choice(roads.n, 25, replace=False)] *= 8.0  # favourite targets
        tempo = rng.gamma(4.0, 1.0, cfg.weeks) + 0.5
        per_week = rng.multinomial(cfg.strikes_per_party, tempo / tempo.sum())
        for w, n in enumerate(per_week):
            held = control[w]
            for g, k in zip((0, 1, 2, 3, -1), rng.multinomial(n, _PROPENSITY[p]), strict=True):
                if k == 0:
                    continue
                pool = np.flatnonzero(held == g)
                if pool.size == 0:  # nobody of that kind left: strike whoever holds ground
                    pool = np.flatnonzero(held >= 0)
                cats = rng.choice(names, k, p=probs / probs.sum())
                nodes = rng.choice(pool, k, p=appeal[pool] / appeal[pool].sum())
                convoys = [r for r in routes[w] if r.group == g]
                fields = oil[held[oil] == g]
                for cat, node in zip(cats.tolist(), nodes.tolist(), strict=True):
                    if cfg.pre_trend and p == 1 and cat == _PRETREND_CATEGORY:
                        cat = "fighting-position"
                    if cat == "supply-route" and convoys:
                        r = convoys[int(rng.integers(len(convoys)))]
                        e = r.edges[int(rng.integers(len(r.edges)))]
                        frac = float(rng.uniform(0.2, 0.8))
                        end = roads.edges[e][0] if frac < 0.5 else roads.edges[e][1]
                        add(p, w, int(end), e, frac, cat)
                        continue
                    if cat == "oil-infrastructure" and fields.size:
                        add(p, w, int(rng.choice(fields)), -1, 0.0, cat)
                        continue
                    if cat in ("supply-route", "oil-infrastructure"):
                        cat = "vehicle"
                    add(p, w, node, -1, 0.0, cat)
            if cfg.pre_trend and p == 1 and w >= cfg.weeks // 3:
                for node in rng.choice(trending, int(rng.poisson(4.0))).tolist():
                    add(p, w, int(node), -1, 0.0, _PRETREND_CATEGORY)
    out = {k: np.array(v) for k, v in cols.items()}
    out["weight"] = np.minimum(1 + rng.poisson(0.3, out["node"].size), 4).astype(np.int64)
    return out


def _active(weeks: int, n: int, week: I64, where: I64) -> npt.NDArray[np.bool_]:
    """weeks × n: True for EFFECT_WEEKS weeks after each (week, where) (renewed, not summed)."""
    on = np.zeros((weeks, n), dtype=bool)
    for lag in range(EFFECT_WEEKS):
        w = week + lag
        ok = w < weeks
        on[w[ok], where[ok]] = True
    return on


def _activity_mult(cfg: FrontConfig, roads: Roads, s: dict[str, Any]) -> F64:
    mult = np.ones((cfg.weeks, roads.n))
    for cat, (effect, _) in EFFECTS.items():
        sel = s["cat"] == cat
        if effect == 0.0 or not sel.any():
            continue
        on = _active(cfg.weeks, roads.n, s["week"][sel], s["node"][sel])
        mult = np.where(on, mult * (1.0 + effect), mult)
        if cat == "headquarters":  # part of the activity moves to the neighbours
            near = np.zeros_like(on)
            for u in range(roads.n):
                near[:, roads.neighbours[u]] |= on[:, [u]]
            mult = np.where(near & ~on, mult * (1.0 + DISPLACED), mult)
    return mult


def _traffic(
    cfg: FrontConfig, roads: Roads, routes: list[list[Route]], s: dict[str, Any]
) -> list[F64]:
    """Vehicles per route and week: −45 % on every route through a struck road, −25 %
    on the trucks of a struck oil field, for EFFECT_WEEKS weeks."""
    road = s["cat"] == "supply-route"
    cut = _active(cfg.weeks, roads.edges.shape[0], s["week"][road], s["edge"][road])
    wells = s["cat"] == "oil-infrastructure"
    burnt = _active(cfg.weeks, roads.n, s["week"][wells], s["node"][wells])
    e_sr, e_oil = EFFECTS["supply-route"][1], EFFECTS["oil-infrastructure"][1]
    out = []
    for w, week_routes in enumerate(routes):
        vol = []
        for r in week_routes:
            v = CONVOYS_PER_ROUTE if r.kind == "convoy" else TRUCKS_PER_OIL_ROUTE
            if cut[w, list(r.edges)].any():
                v *= 1.0 + e_sr
            if r.kind == "oil-trade" and burnt[w, r.origin]:
                v *= 1.0 + e_oil
            vol.append(v)
        out.append(np.array(vol, dtype=np.float64))
    return out


def front_world(config: FrontConfig) -> FrontWorld:
    """Draw the hidden state of one front scenario (deterministic per config)."""
    rng = np.random.default_rng([config.seed, 0xF207])
    roads = road_graph(rng, config.nodes)
    ids = Ids("front", config.seed)
    control = _control(rng, roads, config.weeks)
    east = np.flatnonzero((roads.lon > 39.5) & (roads.lat < 36.0))
    oil = np.sort(rng.choice(east, min(5, east.size), replace=False)).astype(np.int64)
    routes = _routes(roads, control, oil)
    trending = (
        rng.choice(np.flatnonzero(control[0] != 0), 12, replace=False).astype(np.int64)
        if config.pre_trend
        else np.zeros(0, dtype=np.int64)
    )
    s = _strikes(rng, config, roads, control, routes, oil, trending)
    base = rng.lognormal(0.2, 0.6, roads.n)
    front_line = np.stack(
        [[(control[w, roads.neighbours[u]] != control[w, u]).any() for u in range(roads.n)]
         for w in range(config.weeks)]
    )  # fmt: skip
    rate = base[None, :] * np.where(front_line, 1.8, 1.0) * _activity_mult(config, roads, s)
    if trending.size:
        rate[:, trending] *= np.linspace(1.0, 3.0, config.weeks)[:, None]
    sources = ("dataset/open-events", "dataset/conflict-monitor", "media/war-news")
    return FrontWorld(
        config=config,
        roads=roads,
        ids=ids,
        party_ids=tuple(ids.fixed("identity", f"party/{k}") for k, _ in PARTIES),
        group_ids=tuple(ids.fixed("threat-actor", f"group/{k}") for k, _ in GROUPS),
        open_sources=tuple(ids.fixed("identity", f"source/{k}") for k in sources),
        control=control,
        rate=rate,
        oil_nodes=oil,
        trending=trending,
        routes=tuple(tuple(r) for r in routes),
        route_traffic=tuple(_traffic(config, roads, routes, s)),
        strike_party=s["party"].astype(np.int64),
        strike_week=s["week"].astype(np.int64),
        strike_node=s["node"].astype(np.int64),
        strike_edge=s["edge"].astype(np.int64),
        strike_frac=s["frac"].astype(np.float64),
        strike_category=s["cat"].astype(str),
        strike_weight=s["weight"],
        strike_group=control[s["week"].astype(np.int64), s["node"].astype(np.int64)],
        extra={"front_line": front_line},
    )


def front(
    seed: int, *, pre_trend: bool = False, strikes_per_party: int = 1500
) -> tuple[AssessmentInputs, dict[str, Any]]:
    """The method's inputs and the ground truth of front scenario ``seed``."""
    from .front_records import records

    world = front_world(
        FrontConfig(seed=seed, pre_trend=pre_trend, strikes_per_party=strikes_per_party)
    )
    frames, claims = records(world)
    inputs = inputs_of(frames)
    pids, gids = world.party_ids, world.group_ids
    truth = world_truth(
        family="front",
        seed=seed,
        weeks=world.config.weeks,
        parties=[(pid, k, n) for pid, (k, n) in zip(pids, PARTIES, strict=True)],
        groups=[(gid, k, n) for gid, (k, n) in zip(gids, GROUPS, strict=True)],
        open_sources=world.open_sources,
        targeting=targeting_truth(
            pids, gids, world.strike_party, world.strike_group, world.strike_weight
        ),
        propensity=_PROPENSITY,
        effects=EFFECTS,
        effect_weeks=EFFECT_WEEKS,
        claims=claims_truth(pids, world.strike_party, **claims),
        strikes_per_party=world.config.strikes_per_party,
        inputs=inputs,
        pre_trend=(
            {"party": pids[1], "category": _PRETREND_CATEGORY, "outcome": "activity"}
            if pre_trend
            else None
        ),
    )
    return inputs, truth
