"""STIX 2.1 objects (docs/records.md) of the simulated input frames."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import polars as pl

from ..extensions import extension_id
from ..inputs import AssessmentInputs
from .ids import Ids

__all__ = ["objects_of"]

_TS = "%Y-%m-%dT%H:%M:%S%.3fZ"


def _new_sdo(name: str) -> dict[str, Any]:
    return {extension_id(name): {"extension_type": "new-sdo"}}


def _rows(df: pl.DataFrame, *time_cols: str) -> Iterator[dict[str, Any]]:
    stamps = [pl.from_epoch(c, "ms").dt.strftime(_TS).alias(c + "_ts") for c in time_cols]
    yield from df.with_columns(stamps).iter_rows(named=True)


def _base(r: dict[str, Any], stix_type: str, by: str | None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": stix_type,
        "spec_version": "2.1",
        "id": r["id"],
        "created": r["modified"],
        "modified": r["modified"],
    }
    if by is not None:
        obj["created_by_ref"] = by
    return obj


def _point(r: dict[str, Any]) -> dict[str, Any]:
    return {"latitude": r["lat"], "longitude": r["lon"], "precision": r["precision_m"]}


def _window(r: dict[str, Any]) -> dict[str, Any]:
    return {"time_start": r["t_start_ms_ts"], "time_end": r["t_end_ms_ts"]}


def _grade(r: dict[str, Any]) -> dict[str, Any]:
    return {"reliability": r["reliability"], "credibility": r["credibility"]}


def _some(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _strike(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **_base(r, "liaison-strike-report", r["party"]),
        "party_ref": r["party"],
        "means": r["means"],
        **_window(r),
        **_point(r),
        "target_category": r["target_category"],
        **_some(target_group_ref=r["target_group"]),
        "strikes": r["strikes"],
        "claimed_effect": r["claimed_effect"],
        "bda_phase": r["bda_phase"],
        **_grade(r),
        "extensions": _new_sdo("strike-report"),
    }


def _presence(r: dict[str, Any]) -> dict[str, Any]:
    ext = {
        "extension_type": "property-extension",
        "presence_kind": r["presence_kind"],
        **_some(strength=r["strength"]),
        **_point(r),
        **_grade(r),
    }
    return {
        **_base(r, "sighting", r["source"]),
        "sighting_of_ref": r["group"],
        "first_seen": r["t_start_ms_ts"],
        "last_seen": r["t_end_ms_ts"],
        "extensions": {extension_id("presence"): ext},
    }


def _logistics(r: dict[str, Any]) -> dict[str, Any]:
    unit = "barrels" if r["logistics_kind"] == "oil-trade" else "tonnes"
    return {
        **_base(r, "liaison-logistics", r["source"]),
        "group_ref": r["group"],
        "logistics_kind": r["logistics_kind"],
        **_window(r),
        **_point(r),
        **_some(count=r["count"], volume=r["volume"]),
        "unit": unit,
        **_grade(r),
        "extensions": _new_sdo("logistics"),
    }


def _event(r: dict[str, Any]) -> dict[str, Any]:
    initiator = r["initiator"]
    return {
        **_base(r, "liaison-event", r["source"]),
        "event_type": r["event_type"],
        **_some(initiator_ref=initiator, actor_refs=[initiator] if initiator else None),
        **_window(r),
        **_point(r),
        **_some(fatalities_best=r["fatalities_best"], source_dataset="liaison-simulated"),
        **_some(reliability=r["reliability"], credibility=r["credibility"]),
        "extensions": _new_sdo("event"),
    }


def _harm(r: dict[str, Any], by: str) -> dict[str, Any]:
    return {
        **_base(r, "liaison-harm-allegation", by),
        **_window(r),
        **_point(r),
        **_some(alleged_party_ref=r["alleged_party"]),
        "civilian_casualties_low": r["casualties_low"],
        "civilian_casualties_high": r["casualties_high"],
        "grading": r["grading"],
        "sources": ["simulated monitor"],
        "extensions": _new_sdo("harm-allegation"),
    }


def _designation(r: dict[str, Any]) -> dict[str, Any]:
    return {
        **_base(r, "liaison-designation", r["party"]),
        "party_ref": r["party"],
        "group_ref": r["group"],
        "status": r["status"],
        "since": r["since_ms_ts"],
        "extensions": _new_sdo("designation"),
    }


def _identities(inputs: AssessmentInputs, ids: Ids) -> list[dict[str, Any]]:
    out = []
    existing = set(ids.identity_of.values())  # a node's own identity: it has it already
    for r in inputs.parties.iter_rows(named=True):
        if r["id"] in existing:
            continue
        ext = {"extension_type": "property-extension", "public_key": ids.public_key(r["id"])}
        out.append(
            {
                **_base(r, "identity", r["id"]),
                "name": r["name"],
                "identity_class": "organization",
                "extensions": {extension_id("party"): ext},
            }
        )
    for r in inputs.groups.iter_rows(named=True):
        out.append({**_base(r, "threat-actor", ids.monitor), "name": r["name"]})
    return out


def objects_of(inputs: AssessmentInputs, ids: Ids, source: str) -> list[dict[str, Any]]:
    """The objects of one bundle: those ``source`` (a party or the monitor id) reported."""
    out = _identities(inputs, ids)

    def add(df: pl.DataFrame, col: str, make: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        times = [c for c in ("t_start_ms", "t_end_ms", "since_ms") if c in df.columns]
        out.extend(make(r) for r in _rows(df.filter(pl.col(col) == source), *times))

    add(inputs.strikes, "party", _strike)
    add(inputs.presence, "source", _presence)
    add(inputs.logistics, "source", _logistics)
    add(inputs.events, "source", _event)
    add(inputs.designations, "party", _designation)
    if source == ids.monitor:
        harm = inputs.harm.with_columns(pl.lit(source).alias("by"))
        add(harm, "by", lambda r: _harm(r, source))
    return out
