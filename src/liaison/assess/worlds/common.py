"""Shared pieces of the validation worlds: ids, time, geometry, frames and ground truth.

Written independently of ``liaison.assess.simulate``: the worlds only share the
method's public input schema (``liaison.assess.inputs``) and the ground-truth
schema the scorer reads (``targeting_share``, ``effects``, ``claims``, …).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from ..inputs import AssessmentInputs

__all__ = [
    "DAY_MS",
    "F64",
    "I64",
    "START_MS",
    "SUCCESS_LEVELS",
    "WEEK_MS",
    "Ids",
    "claims_truth",
    "distance_km",
    "frame",
    "grades",
    "inputs_of",
    "offset_km",
    "stamps",
    "targeting_truth",
    "world_truth",
]

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
#: Monday 5 January 2015, 00:00 UTC: week 0 of every world.
START_MS = 1_420_416_000_000
#: Outcome levels that count as a success (ordered: destroyed > damaged > struck > missed).
SUCCESS_LEVELS = ("destroyed", "damaged")
_EARTH_KM = 6371.0088
_KM_PER_DEG = 111.32
_NAMESPACE = uuid.UUID("4c1f3a55-7d0e-4b8a-9f6e-2a7c0d9e5b31")

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass
class Ids:
    """Deterministic ids of one world: fixed names for actors, counted for records."""

    family: str
    seed: int
    _batches: int = field(default=0, repr=False)

    def fixed(self, stix_type: str, name: str) -> str:
        """The id of a named actor (party, group, source) of this world."""
        return f"{stix_type}--{uuid.uuid5(_NAMESPACE, f'{self.family}/{self.seed}/{name}')}"

    def records(self, stix_type: str, n: int) -> pl.Series:
        """``n`` fresh record ids of ``stix_type``, unique in the world and per seed."""
        self._batches += 1
        tag = hashlib.sha256(f"{self.family}/{self.seed}/{stix_type}".encode()).hexdigest()
        prefix = f"{stix_type}--{tag[:8]}-{self._batches:04x}-4{tag[8:11]}-a{tag[11:14]}-"
        return prefix + pl.Series("id", np.arange(n, dtype=np.int64)).cast(pl.String).str.zfill(12)


def stamps(ms: I64) -> pl.Series:
    """STIX timestamps (``YYYY-MM-DDTHH:MM:SS.sssZ``) of epoch milliseconds."""
    return (
        pl.Series("modified", np.asarray(ms, dtype=np.int64))
        .cast(pl.Datetime("ms"))
        .dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
    )


def offset_km(lat: F64, lon: F64, east_km: F64, north_km: F64) -> tuple[F64, F64]:
    """Points moved by (east, north) kilometres (flat approximation, fine below 100 km)."""
    new_lat = lat + north_km / _KM_PER_DEG
    new_lon = lon + east_km / (_KM_PER_DEG * np.cos(np.radians(lat)))
    return new_lat, new_lon


def distance_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in kilometres (haversine, broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def grades(
    rng: np.random.Generator,
    n: int,
    reliabilities: Sequence[str],
    credibilities: Sequence[int],
    graded: npt.NDArray[np.bool_] | bool = True,
) -> tuple[pl.Series, pl.Series]:
    """Admiralty grades drawn uniformly from the choices; null where not ``graded``."""
    rel = rng.choice(np.array(reliabilities), n)
    cred = rng.choice(np.array(credibilities, dtype=np.int64), n)
    mask = np.broadcast_to(np.asarray(graded, dtype=bool), (n,))
    r = pl.select(pl.when(pl.Series(mask)).then(pl.Series(rel))).to_series().alias("reliability")
    c = pl.select(pl.when(pl.Series(mask)).then(pl.Series(cred))).to_series().alias("credibility")
    return r, c


def frame(ids: Ids, stix_type: str, t_start: I64, columns: Mapping[str, Any]) -> pl.DataFrame:
    """A record frame: fresh ids, ``modified`` a day after the record starts, ``columns``."""
    n = len(t_start)
    data: dict[str, Any] = {
        "id": ids.records(stix_type, n),
        "modified": stamps(np.asarray(t_start, dtype=np.int64) + DAY_MS),
        "t_start_ms": np.asarray(t_start, dtype=np.int64),
    }
    for name, values in columns.items():
        data[name] = values if isinstance(values, pl.Series) else np.asarray(values)
    return pl.DataFrame(
        {k: (v.alias(k) if isinstance(v, pl.Series) else v) for k, v in data.items()}
    )


def inputs_of(frames: Mapping[str, list[pl.DataFrame]]) -> AssessmentInputs:
    """The method's inputs from per-kind lists of frames (cast to the documented schema)."""
    joined: dict[str, pl.DataFrame] = {}
    for kind, parts in frames.items():
        cast = [AssessmentInputs.from_frames({kind: p}).frame(kind) for p in parts if p.height]
        if cast:
            joined[kind] = pl.concat(cast, how="vertical")
    return AssessmentInputs.from_frames(joined)


def targeting_truth(
    party_ids: Sequence[str],
    group_ids: Sequence[str],
    strike_party: npt.NDArray[np.int64],
    strike_group: npt.NDArray[np.int64],
    weight: npt.NDArray[np.int64],
) -> dict[str, dict[str, float]]:
    """Realised share of each party's strikes (weighted) in each group's territory, and none.

    ``strike_party`` indexes ``party_ids``; ``strike_group`` indexes ``group_ids``, −1 is
    territory of no group.
    """
    out: dict[str, dict[str, float]] = {}
    for p, pid in enumerate(party_ids):
        mine = strike_party == p
        w = weight[mine].astype(np.float64)
        g = strike_group[mine]
        total = max(float(w.sum()), 1.0)
        row = {gid: float(w[g == k].sum() / total) for k, gid in enumerate(group_ids)}
        row["none"] = float(w[g < 0].sum() / total)
        out[pid] = row
    return out


def claims_truth(
    party_ids: Sequence[str],
    strike_party: npt.NDArray[np.int64],
    claimed: npt.NDArray[np.str_],
    outcome: npt.NDArray[np.str_],
    vocabularies: Mapping[str, Mapping[str, str]],
    upgrade: Mapping[str, float],
) -> dict[str, dict[str, Any]]:
    """Claim inflation per party, reading each claim in its party's own vocabulary.

    ``vocabularies[pid]`` maps a claimed word to ``success``/``failure`` (absent words:
    the standard reading, ``destroyed``/``damaged`` a success). Claims ``unknown`` are
    left out. ``naive_claimed_success_rate`` reads every party with the standard words.
    """
    out: dict[str, dict[str, Any]] = {}
    for p, pid in enumerate(party_ids):
        mine = (strike_party == p) & (claimed != "unknown")
        words = claimed[mine]
        vocab = {w: ("success" if w in SUCCESS_LEVELS else "failure") for w in np.unique(words)}
        vocab.update(vocabularies.get(pid, {}))
        said = np.array([vocab[w] == "success" for w in words], dtype=bool)
        naive = np.isin(words, SUCCESS_LEVELS)
        true = np.isin(outcome[mine], SUCCESS_LEVELS)
        claimed_rate = float(said.mean()) if said.size else 0.0
        true_rate = float(true.mean()) if true.size else 0.0
        out[pid] = {
            "upgrade_probability": float(upgrade.get(pid, 0.0)),
            "claimed_success_rate": claimed_rate,
            "naive_claimed_success_rate": float(naive.mean()) if naive.size else 0.0,
            "true_success_rate": true_rate,
            "inflation_points": 100.0 * (claimed_rate - true_rate),
            "vocabulary": dict(sorted(vocab.items())),
        }
    return out


def world_truth(
    *,
    family: str,
    seed: int,
    weeks: int,
    parties: Sequence[tuple[str, str, str]],
    groups: Sequence[tuple[str, str, str]],
    open_sources: Sequence[str],
    targeting: dict[str, dict[str, float]],
    propensity: Sequence[Sequence[float]],
    effects: Mapping[str, tuple[float, float]],
    effect_weeks: int,
    claims: dict[str, dict[str, Any]],
    strikes_per_party: int,
    inputs: AssessmentInputs,
    pre_trend: dict[str, str] | None,
) -> dict[str, Any]:
    """The ground truth in the schema every family shares.

    ``parties`` and ``groups`` are (id, key, name); ``propensity`` rows follow ``parties``
    and list the groups in order, then none. ``effects``: category → (activity,
    logistics) relative effect while it lasts (``effect_weeks`` weeks), the same for every
    party (``effects_by_party`` spells it out per party). ``pre_trend``
    names the (party, category, outcome) row whose treated places were already trending.
    """
    gids = [g[0] for g in groups]
    return {
        "family": family,
        "seed": seed,
        "weeks": weeks,
        "start_ms": START_MS,
        "end_ms": START_MS + weeks * WEEK_MS,
        "parties": {pid: {"key": k, "name": n} for pid, k, n in parties},
        "open_monitor": open_sources[0],
        "open_sources": list(open_sources),
        "groups": {gid: {"key": k, "name": n} for gid, k, n in groups},
        "islamic_state_group": gids[0],
        "targeting_share": targeting,
        "targeting_propensity": {
            p[0]: {**dict(zip(gids, prop[: len(gids)], strict=True)), "none": prop[len(gids)]}
            for p, prop in zip(parties, propensity, strict=True)
        },
        "effects": {c: {"activity": a, "logistics": lg} for c, (a, lg) in effects.items()},
        "effects_by_party": {
            p[0]: {c: {"activity": a, "logistics": lg} for c, (a, lg) in effects.items()}
            for p in parties
        },
        "effect_weeks": effect_weeks,
        "claims": claims,
        "strikes_per_party": strikes_per_party,
        "counts": inputs.counts(),
        "pre_trend": pre_trend,
    }
