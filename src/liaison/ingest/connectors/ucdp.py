"""UCDP GED (Georeferenced Event Dataset): events and group presence.

Reads the GED CSV download or an R file (``.rda``/``.RData``/``.rds``, via
pyreadr): the full 41-column GED (events with dates) or the 18-column extracts
dated by year only. Every row becomes an event and one presence report per armed
group on either side (groups from ``groups.toml``), or is counted with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import msgspec

from liaison.ingest._sources import Item
from liaison.ingest.connectors._config import ConnectorError
from liaison.ingest.connectors._context import Context, GroupSpec, record_id
from liaison.ingest.connectors._report import Findings
from liaison.ingest.geocode import country_code
from liaison.records import EXT_EVENT, EXT_PRESENCE

__all__ = ["UcdpSettings", "read_table", "ucdp_items"]

EVENT_TYPES = {1: "state-based", 2: "non-state", 3: "one-sided"}
_REQUIRED = ("id", "side_a", "side_b", "latitude", "longitude", "where_prec")


class UcdpSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settings of the UCDP connector (defaults in ``ucdp.toml``)."""

    precision_m: dict[int, float]
    dataset: str = "ucdp-ged"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "B"
    credibility: int = msgspec.field(default=2)
    year_only_credibility: int = 4
    presence: bool = True
    since: date | None = None
    until: date | None = None
    years: list[int] | None = None
    countries: list[str] | None = None
    version_date: date | None = None


def read_table(path: Path) -> list[dict[str, Any]]:
    """The rows of a GED file as dicts (R files through pyreadr, CSV through polars)."""
    import polars as pl

    suffix = path.suffix.lower()
    try:
        if suffix in (".rda", ".rdata", ".rds"):
            import pyreadr

            try:
                frames = pyreadr.read_r(str(path), output_format="polars")
            except (pyreadr.custom_errors.PyreadrError, pyreadr.custom_errors.LibrdataError) as exc:
                raise ConnectorError(f"{path.name}: not a readable R data file: {exc}") from exc
            if len(frames) != 1:
                names = ", ".join(str(k) for k in frames) or "none"
                raise ConnectorError(f"{path.name}: expected one data frame, found: {names}")
            df = next(iter(frames.values()))
        else:
            df = pl.read_csv(path, infer_schema_length=0, encoding="utf8-lossy")
    except OSError as exc:
        raise ConnectorError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    except pl.exceptions.PolarsError as exc:
        raise ConnectorError(f"{path.name}: not a readable CSV file: {exc}") from exc
    missing = [c for c in _REQUIRED if c not in df.columns]
    if "date_start" not in df.columns and "year" not in df.columns:
        missing.append("date_start or year")
    if missing:
        raise ConnectorError(
            f"{path.name}: not a UCDP GED table: column(s) {', '.join(missing)} missing "
            f"(it has: {', '.join(df.columns[:12])}{', …' if len(df.columns) > 12 else ''})"
        )
    rows: list[dict[str, Any]] = df.to_dicts()
    return rows


def ucdp_items(
    path: Path, ctx: Context, settings: UcdpSettings, findings: Findings
) -> Iterator[Item]:
    """Events and presence reports of a GED file, row by row."""
    rows = read_table(path)
    dated = bool(rows) and "date_start" in rows[0]
    findings.notes["variant"] = "dated events" if dated else "year only (presence reports only)"
    keep_years = set(settings.years) if settings.years else None
    keep_countries = set(settings.countries) if settings.countries else None
    for n, row in enumerate(rows, start=1):
        findings.rows += 1
        where = f"{path.name} row {n} (UCDP id {_int(row.get('id'))})"
        window = _window(row, dated)
        if window is None:
            findings.explain(where, "no-date", f"date_start {row.get('date_start')!r}")
            continue
        start, end = window
        if keep_years is not None and start.year not in keep_years:
            findings.explain(where, "outside-selected-years", str(start.year))
            continue
        if (settings.since and end < settings.since) or (settings.until and start > settings.until):
            findings.explain(where, "outside-selected-period", f"{start}…{end}")
            continue
        if keep_countries is not None and row.get("country") not in keep_countries:
            findings.explain(where, "outside-selected-countries", str(row.get("country")))
            continue
        point = _point(row, settings)
        if isinstance(point, str):
            findings.explain(where, "no-location", point)
            continue
        yield from _records(row, where, dated, start, end, point, ctx, settings, findings)
    if ctx.unlisted_actors:
        top = sorted(ctx.unlisted_actors.items(), key=lambda x: -x[1])[:5]
        findings.notes["actors in no group-table entry (kept as groups of their own)"] = (
            f"{len(ctx.unlisted_actors)}, e.g. " + ", ".join(f"{a} ({k})" for a, k in top)
        )


def _records(
    row: dict[str, Any],
    where: str,
    dated: bool,
    start: date,
    end: date,
    point: dict[str, Any],
    ctx: Context,
    settings: UcdpSettings,
    findings: Findings,
) -> Iterator[Item]:
    ucdp_id = str(_int(row["id"]))
    sides = [_groups(ctx, row.get("side_a")), _groups(ctx, row.get("side_b"))]
    t_start, t_end = f"{start.isoformat()}T00:00:00Z", f"{end.isoformat()}T23:59:59Z"
    stamp = f"{(settings.version_date or start).isoformat()}T00:00:00.000Z"
    common = {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": ctx.created_by_ref,
    }
    made = 0
    if dated:
        made += 1
        findings.made("liaison-event")
        yield Item(
            _event(
                row, ucdp_id, sides, t_start, t_end, point, common, ctx, settings, where, findings
            ),
            where,
        )
    credibility = settings.credibility if dated else settings.year_only_credibility
    key = "ucdp-ged" if dated else "ucdp-ged-year"
    seen: set[str] = set()
    for spec in (s for side in sides for s in side):
        if not (settings.presence and spec.presence) or spec.name in seen:
            continue
        seen.add(spec.name)
        gid = ctx.group(spec.name)
        ext = {
            "extension_type": "property-extension",
            "presence_kind": "sighting",
            **point,
            "reliability": settings.reliability,
            "credibility": credibility,
        }
        made += 1
        findings.made("sighting")
        yield Item(
            {
                "type": "sighting",
                "id": record_id("sighting", ctx.created_by_ref, f"{key}/{ucdp_id}/{spec.name}"),
                **common,
                "sighting_of_ref": gid,
                "first_seen": t_start,
                "last_seen": t_end,
                "external_references": [_reference(settings, ucdp_id)],
                "extensions": {EXT_PRESENCE: ext},
            },
            where,
        )
    if not made:
        findings.explain(where, "year-only-no-ground-group", f"{row.get('dyad_name')}")


def _event(
    row: dict[str, Any],
    ucdp_id: str,
    sides: list[list[GroupSpec]],
    t_start: str,
    t_end: str,
    point: dict[str, Any],
    common: dict[str, Any],
    ctx: Context,
    settings: UcdpSettings,
    where: str,
    findings: Findings,
) -> dict[str, Any]:
    violence = _int(row.get("type_of_violence"))
    actors = list(dict.fromkeys(ctx.group(s.name) for side in sides for s in side))
    obj: dict[str, Any] = {
        "type": "liaison-event",
        "id": record_id("liaison-event", ctx.created_by_ref, f"ucdp-ged/{ucdp_id}"),
        **common,
        "event_type": EVENT_TYPES.get(violence or 0, "other"),
        "time_start": t_start,
        "time_end": t_end,
        **point,
        "source_dataset": settings.dataset,
        "source_id": ucdp_id,
        "reliability": settings.reliability,
        "credibility": settings.credibility,
        "external_references": [_reference(settings, ucdp_id)],
        "extensions": {EXT_EVENT: {"extension_type": "new-sdo"}},
    }
    if actors:
        obj["actor_refs"] = actors
    if violence == 3 and sides[0]:  # one-sided violence: side a is the perpetrator
        obj["initiator_ref"] = ctx.group(sides[0][0].name)
    obj.update(_fatalities(row, where, findings))
    x = {k: _int(row.get(k)) for k in ("where_prec", "date_prec", "event_clarity")}
    x = {k: v for k, v in x.items() if v is not None}
    if isinstance(row.get("dyad_name"), str):
        x["dyad_name"] = row["dyad_name"]
    obj["x_ucdp"] = x
    return obj


def _fatalities(row: dict[str, Any], where: str, findings: Findings) -> dict[str, Any]:
    low, best, high = (_int(row.get(k)) for k in ("low", "best", "high"))
    if best is None:
        parts = [
            _int(row.get(k)) for k in ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
        ]
        best = sum(p for p in parts if p is not None) if any(p is not None for p in parts) else None
    figures = {"fatalities_low": low, "fatalities_best": best, "fatalities_high": high}
    present = [v for v in (low, best, high) if v is not None]
    if present != sorted(present):
        # Kept and flagged: the best estimate is what the method reads; the
        # published figures stay in the record verbatim.
        findings.flag(where, "fatalities-not-ordered", f"low {low}, best {best}, high {high}")
        return {
            "fatalities_best": best,
            "labels": ["fatalities-not-ordered"],
            "x_ucdp_fatalities": {"low": low, "best": best, "high": high},
        }
    return {k: v for k, v in figures.items() if v is not None}


def _reference(settings: UcdpSettings, ucdp_id: str) -> dict[str, Any]:
    return {
        "source_name": settings.dataset,
        "external_id": ucdp_id,
        "url": f"https://ucdp.uu.se/event/{ucdp_id}",
    }


def _groups(ctx: Context, side: Any) -> list[GroupSpec]:
    if not isinstance(side, str) or not side.strip():
        return []
    found = (ctx.ucdp_group(member.strip()) for member in side.split(", "))
    return [g for g in found if g is not None]


def _window(row: dict[str, Any], dated: bool) -> tuple[date, date] | None:
    if not dated:
        year = _int(row.get("year"))
        return None if year is None else (date(year, 1, 1), date(year, 12, 31))
    start, end = _date(row.get("date_start")), _date(row.get("date_end"))
    if start is None:
        return None
    return (start, end if end is not None and end >= start else start)


def _point(row: dict[str, Any], settings: UcdpSettings) -> dict[str, Any] | str:
    lat, lon = _float(row.get("latitude")), _float(row.get("longitude"))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return f"latitude {row.get('latitude')!r}, longitude {row.get('longitude')!r}"
    prec = _int(row.get("where_prec"))
    precision = settings.precision_m.get(prec or 0)
    if precision is None:
        return f"where_prec {row.get('where_prec')!r} has no precision in the settings"
    out: dict[str, Any] = {"latitude": lat, "longitude": lon, "precision": precision}
    place = row.get("where_coordinates")
    if isinstance(place, str) and place.strip():
        out["place_name"] = place.strip()
    code = country_code(row.get("country") if isinstance(row.get("country"), str) else None)
    if code:
        out["country"] = code
    return out


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _int(value: Any) -> int | None:
    f = _float(value)
    return None if f is None else int(f)
