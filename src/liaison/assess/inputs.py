"""The method's inputs: one polars frame per record kind, built in batch.

Columns (times are epoch milliseconds UTC; coordinates WGS 84; precision metres):

- ``strikes``: id, modified, party, means, t_start_ms, t_end_ms, lat, lon, precision_m,
  target_category, target_group, strikes, claimed_effect, bda_phase, reliability, credibility
- ``presence``: id, modified, source, group, presence_kind, t_start_ms, t_end_ms, lat, lon,
  precision_m, strength, reliability, credibility
- ``logistics``: id, modified, source, group, logistics_kind, t_start_ms, t_end_ms, lat, lon,
  precision_m, count, volume, reliability, credibility
- ``events``: id, modified, source, event_type, initiator, t_start_ms, t_end_ms, lat, lon,
  precision_m, fatalities_best, reliability, credibility
- ``harm``: id, modified, alleged_party, t_start_ms, t_end_ms, lat, lon, precision_m,
  casualties_low, casualties_high, grading
- ``designations``: id, modified, party, group, status, since_ms
- ``corroborations`` (STIX ``opinion``): id, modified, source, strike_ref, opinion,
  agreement, evidence_refs (space-separated ids of the observations it rests on)
- ``parties``: id, modified, name — ``groups``: id, modified, name
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

__all__ = [
    "KINDS",
    "SCHEMAS",
    "AssessmentInputs",
    "empty_frame",
    "inputs_digest",
    "inputs_from_objects",
    "inputs_from_parquet",
    "write_parquet",
]

_S, _F, _I = pl.String, pl.Float64, pl.Int64
_POINT = {"lat": _F, "lon": _F, "precision_m": _F}
_GRADE = {"reliability": _S, "credibility": _I}
_WINDOW = {"t_start_ms": _I, "t_end_ms": _I}

SCHEMAS: dict[str, dict[str, Any]] = {
    "strikes": {
        "id": _S, "modified": _S, "party": _S, "means": _S, **_WINDOW, **_POINT,
        "target_category": _S, "target_group": _S, "strikes": _I, "claimed_effect": _S,
        "bda_phase": _S, **_GRADE,
    },
    "presence": {
        "id": _S, "modified": _S, "source": _S, "group": _S, "presence_kind": _S, **_WINDOW,
        **_POINT, "strength": _I, **_GRADE,
    },
    "logistics": {
        "id": _S, "modified": _S, "source": _S, "group": _S, "logistics_kind": _S, **_WINDOW,
        **_POINT, "count": _I, "volume": _F, **_GRADE,
    },
    "events": {
        "id": _S, "modified": _S, "source": _S, "event_type": _S, "initiator": _S, **_WINDOW,
        **_POINT, "fatalities_best": _I, **_GRADE,
    },
    "harm": {
        "id": _S, "modified": _S, "alleged_party": _S, **_WINDOW, **_POINT,
        "casualties_low": _I, "casualties_high": _I, "grading": _S,
    },
    "designations": {
        "id": _S, "modified": _S, "party": _S, "group": _S, "status": _S, "since_ms": _I,
    },
    "parties": {"id": _S, "modified": _S, "name": _S},
    "groups": {"id": _S, "modified": _S, "name": _S},
    "corroborations": {
        "id": _S, "modified": _S, "source": _S, "strike_ref": _S, "opinion": _S,
        "agreement": _F, "evidence_refs": _S,
    },
}  # fmt: skip
KINDS = tuple(SCHEMAS)

_STIX_TYPE = {
    "liaison-strike-report": "strikes",
    "sighting": "presence",
    "liaison-logistics": "logistics",
    "liaison-event": "events",
    "liaison-harm-allegation": "harm",
    "liaison-designation": "designations",
    "identity": "parties",
    "threat-actor": "groups",
    "opinion": "corroborations",
}

# STIX field → frame column, per kind (presence fields come from its extension).
_RENAMES: dict[str, dict[str, str]] = {
    "strikes": {"party_ref": "party", "target_group_ref": "target_group"},
    "presence": {"created_by_ref": "source", "sighting_of_ref": "group"},
    "logistics": {"created_by_ref": "source", "group_ref": "group"},
    "events": {"created_by_ref": "source", "initiator_ref": "initiator"},
    "harm": {
        "alleged_party_ref": "alleged_party",
        "civilian_casualties_low": "casualties_low",
        "civilian_casualties_high": "casualties_high",
    },
    "designations": {"party_ref": "party", "group_ref": "group"},
    "parties": {},
    "groups": {},
    "corroborations": {"created_by_ref": "source"},
}
_TIMES = {"time_start": "t_start_ms", "time_end": "t_end_ms", "since": "since_ms"}
_PRESENCE_TIMES = {"first_seen": "t_start_ms", "last_seen": "t_end_ms"}
_TS_FORMAT = "%Y-%m-%dT%H:%M:%S%.fZ"


def empty_frame(kind: str) -> pl.DataFrame:
    """An empty frame with the columns of ``kind``."""
    return pl.DataFrame(schema=SCHEMAS[kind])


@dataclass(frozen=True)
class AssessmentInputs:
    """The records an assessment reads, one frame per kind (columns: module docstring)."""

    strikes: pl.DataFrame
    presence: pl.DataFrame
    logistics: pl.DataFrame
    events: pl.DataFrame
    harm: pl.DataFrame
    designations: pl.DataFrame
    parties: pl.DataFrame
    groups: pl.DataFrame
    corroborations: pl.DataFrame = dataclasses.field(
        default_factory=lambda: empty_frame("corroborations")
    )

    def frame(self, kind: str) -> pl.DataFrame:
        """The frame of ``kind`` (one of ``KINDS``)."""
        value: pl.DataFrame = getattr(self, kind)
        return value

    def counts(self) -> dict[str, int]:
        """Number of rows per kind."""
        return {k: self.frame(k).height for k in KINDS}

    @classmethod
    def from_frames(cls, frames: dict[str, pl.DataFrame]) -> AssessmentInputs:
        """Inputs from frames, cast to the documented schema; missing kinds are empty."""
        out: dict[str, pl.DataFrame] = {}
        for kind in KINDS:
            schema = SCHEMAS[kind]
            df = frames.get(kind)
            if df is None:
                out[kind] = empty_frame(kind)
                continue
            cols = [
                (pl.col(c) if c in df.columns else pl.lit(None)).cast(t).alias(c)
                for c, t in schema.items()
            ]
            out[kind] = df.select(cols)
        return cls(**out)


def _ts(col: str) -> pl.Expr:
    return (
        pl.col(col)
        .str.to_datetime(_TS_FORMAT, time_unit="ms", time_zone=None, strict=False)
        .dt.epoch("ms")
    )


def _frame_of(kind: str, objs: list[dict[str, Any]]) -> pl.DataFrame:
    schema = SCHEMAS[kind]
    if kind == "presence":
        flat = [{**o, **_presence_ext(o)} for o in objs]
        times = _PRESENCE_TIMES
    elif kind == "corroborations":
        flat = [_corroboration_flat(o) for o in objs]
        times = _TIMES
    else:
        flat = objs
        times = _TIMES
    renames = {**_RENAMES[kind], "latitude": "lat", "longitude": "lon", "precision": "precision_m"}
    targets = {*renames.values(), *times.values()}
    wanted: dict[str, Any] = {}
    for stix_name in sorted({*renames, *times, *(c for c in schema if c not in targets)}):
        col = renames.get(stix_name) or times.get(stix_name) or stix_name
        if col in schema:
            wanted[stix_name] = pl.String if stix_name in times else schema[col]
    raw = pl.from_dicts(flat, schema=wanted) if flat else pl.DataFrame(schema=wanted)
    exprs = []
    for stix_name in wanted:
        if stix_name in times:
            exprs.append(_ts(stix_name).alias(times[stix_name]))
        else:
            exprs.append(pl.col(stix_name).alias(renames.get(stix_name, stix_name)))
    return AssessmentInputs.from_frames({kind: raw.select(exprs)}).frame(kind)


def _corroboration_flat(obj: dict[str, Any]) -> dict[str, Any]:
    ext: dict[str, Any] = {}
    for value in (obj.get("extensions") or {}).values():
        if isinstance(value, dict) and ("agreement" in value or "evidence_refs" in value):
            ext = value
    refs = obj.get("object_refs") or []
    strike = next((r for r in refs if str(r).startswith("liaison-strike-report--")), None)
    return {
        **obj,
        "strike_ref": strike,
        "agreement": ext.get("agreement"),
        "evidence_refs": " ".join(str(r) for r in ext.get("evidence_refs") or []) or None,
    }


def _presence_ext(obj: dict[str, Any]) -> dict[str, Any]:
    for value in (obj.get("extensions") or {}).values():
        if isinstance(value, dict) and "presence_kind" in value:
            return value
    return {}


def inputs_from_objects(objects: Iterable[dict[str, Any]]) -> AssessmentInputs:
    """Frames from STIX objects (dicts), keeping the latest non-revoked version of each id.

    Objects of kinds the method does not read (locations, persons, …) are ignored.
    """
    latest: dict[str, dict[str, Any]] = {}
    for obj in objects:
        kind = _STIX_TYPE.get(str(obj.get("type")))
        if kind is None:
            continue
        key = str(obj.get("id"))
        prev = latest.get(key)
        if prev is None or str(obj.get("modified", "")) > str(prev.get("modified", "")):
            latest[key] = obj
    by_kind: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for obj in latest.values():
        if obj.get("revoked") is True:
            continue
        by_kind[_STIX_TYPE[str(obj["type"])]].append(obj)
    return AssessmentInputs.from_frames({k: _frame_of(k, v) for k, v in by_kind.items()})


def write_parquet(inputs: AssessmentInputs, directory: Path) -> list[Path]:
    """Write one ``KIND.parquet`` per kind into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        path = directory / f"{kind}.parquet"
        inputs.frame(kind).write_parquet(path, statistics=False)
        paths.append(path)
    return paths


def inputs_from_parquet(directory: Path) -> AssessmentInputs:
    """Inputs from the ``KIND.parquet`` files of ``directory`` (a missing file = no records)."""
    frames = {}
    for kind in KINDS:
        path = directory / f"{kind}.parquet"
        if path.exists():
            frames[kind] = pl.read_parquet(path)
    return AssessmentInputs.from_frames(frames)


def inputs_digest(inputs: AssessmentInputs) -> str:
    """SHA-256 over the sorted ``id<TAB>modified<LF>`` lines of every input record version."""
    lines = pl.concat(
        [
            inputs.frame(k).select(
                pl.concat_str([pl.col("id"), pl.col("modified")], separator="\t").alias("v")
            )
            for k in KINDS
        ]
    )["v"].sort()
    digest = hashlib.sha256()
    step = 500_000
    for start in range(0, lines.len(), step):
        chunk = lines.slice(start, step)
        joined = chunk.str.join("\n").item()
        digest.update(f"{joined}\n".encode())
    return digest.hexdigest()
