"""The Netherlands MoD log of Dutch airstrikes in Operation Inherent Resolve
(2014–2018, released 30 March 2023): strike reports of the party, each position's
MGRS grid reference checked against its latitude/longitude (the ``mgrs``
library), and the possible-collateral-damage flag as a harm marker.

The file is semicolon-separated with a decimal comma; column names end in
" (UNCLASS)"; dates look like ``7-Oct-14`` (English or Dutch month abbreviations).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import msgspec

from liaison.ingest._sources import Item
from liaison.ingest.connectors._config import ConnectorError, read_text
from liaison.ingest.connectors._context import Context, record_id
from liaison.ingest.connectors._report import Findings
from liaison.ingest.geocode import country_code, distance_m
from liaison.records import EXT_HARM_ALLEGATION, EXT_STRIKE_REPORT

__all__ = ["MgrsCheck", "NlModSettings", "check_mgrs", "nl_mod_items", "read_log"]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "mrt": 3,
    "apr": 4,
    "may": 5,
    "mei": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
_COLUMNS = {
    "date": "Employment date",
    "begin": "Time begin (Z)",
    "end": "Time end (Z)",
    "mgrs": "Position MGRS",
    "lat": "Position LAT",
    "lon": "Position LONG",
    "mission": "Mission",
    "town": "Town",
    "province": "Province",
    "country": "Country",
    "cde": "Possible CDE issue",
    "comment": "Comment",
    "weather": "Weather",
    "terrain": "Terrain",
}
_REQUIRED = ("date", "begin", "mgrs", "lat", "lon")
_SOURCE = "Netherlands MoD, Dutch airstrikes in Operation Inherent Resolve (released 2023-03-30)"


class NlModSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settings of the Dutch strike-log connector (defaults in ``nl-mod.toml``)."""

    party: str = "Netherlands (Ministry of Defence)"
    target_group: str = "Islamic State"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "A"
    credibility: int = 2
    group_rows: bool = True
    mgrs_tolerance_m: float = 150.0
    no_cde_values: list[str] = msgspec.field(default_factory=lambda: ["ND"])
    cde_grading: Literal["confirmed", "fair", "weak", "contested", "discounted"] = "fair"


@dataclass(frozen=True, slots=True)
class MgrsCheck:
    """A grid reference against the latitude/longitude given with it.

    ``same_square``: the point lies in the grid square; ``distance_m``: from the
    square's centre to the point."""

    grid: str
    same_square: bool
    distance_m: float


def check_mgrs(grid: str, latitude: float, longitude: float) -> MgrsCheck | str:
    """Check an MGRS reference against a point; a string says why it cannot be read."""
    import mgrs

    ref = "".join(grid.split()).upper()
    converter = mgrs.MGRS()
    try:
        lat, lon = converter.toLatLon(ref)
    except Exception as exc:  # the library raises its own MGRSError (an Exception)
        return f"MGRS {grid!r} is not a grid reference ({exc})"
    digits = len(ref) - len(ref.rstrip("0123456789"))
    precision = max(0, min(5, digits // 2))
    back = converter.toMGRS(latitude, longitude, MGRSPrecision=precision)
    return MgrsCheck(ref, back.upper() == ref, distance_m(lat, lon, latitude, longitude))


@dataclass
class _Row:
    n: int
    values: dict[str, str]
    start: datetime
    end: datetime
    latitude: float
    longitude: float
    check: MgrsCheck
    rows: list[int] = field(default_factory=list)


def read_log(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The log's rows keyed by the short names of ``_COLUMNS`` (clear error when
    the file is not the MoD's log)."""
    text = read_text(path)
    reader = csv.reader(text.splitlines(), delimiter=";")
    header = next(reader, [])
    names = [h.replace("(UNCLASS)", "").replace("(UNDCLASS)", "").strip() for h in header]
    index = {short: names.index(long) for short, long in _COLUMNS.items() if long in names}
    missing = [_COLUMNS[c] for c in _REQUIRED if c not in index]
    if missing:
        raise ConnectorError(
            f"{path.name}: not the Netherlands MoD strike log: column(s) {', '.join(missing)} "
            f"missing (it has: {', '.join(names[:8]) or 'none'})"
        )
    rows: list[dict[str, str]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            rows.append({})
            continue
        rows.append({k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()})
    return names, rows


def nl_mod_items(
    path: Path, ctx: Context, settings: NlModSettings, findings: Findings
) -> Iterator[Item]:
    """Strike reports (and possible-collateral-damage markers) of the Dutch log."""
    _, rows = read_log(path)
    strikes: dict[tuple[Any, ...], _Row] = {}
    checks = {"same-square": 0, "within-tolerance": 0, "mismatch": 0}
    worst: list[tuple[float, str]] = []
    for n, values in enumerate(rows, start=2):
        where = f"{path.name} line {n}"
        if not values:
            findings.explain(where, "empty-line")
            continue
        findings.rows += 1
        row = _read_row(n, values, where, findings)
        if row is None:
            continue
        if row.check.same_square:
            checks["same-square"] += 1
        elif row.check.distance_m <= settings.mgrs_tolerance_m:
            checks["within-tolerance"] += 1
        else:
            checks["mismatch"] += 1
            worst.append(
                (
                    row.check.distance_m,
                    f"{where}: {values['mgrs']} vs {row.latitude:.5f}, {row.longitude:.5f}",
                )
            )
            findings.flag(
                where,
                "mgrs-latlong-mismatch",
                f"{values['mgrs']} is {row.check.distance_m:,.0f} m from "
                f"{row.latitude:.5f}, {row.longitude:.5f}",
            )
        key: tuple[Any, ...] = (
            values["date"],
            values["begin"],
            values.get("end", ""),
            row.check.grid,
        )
        if not settings.group_rows:
            key = (*key, n)
        held = strikes.get(key)
        if held is None:
            row.rows.append(n)
            strikes[key] = row
        else:
            held.rows.append(n)
    total = sum(checks.values())
    if total:
        agree = checks["same-square"] + checks["within-tolerance"]
        findings.notes["MGRS vs latitude/longitude"] = (
            f"{checks['same-square']:,} of {total:,} rows in the same 100 m square, "
            f"{checks['within-tolerance']:,} more within {settings.mgrs_tolerance_m:.0f} m, "
            f"{checks['mismatch']:,} mismatches ({agree / total:.1%} agree)"
        )
        findings.notes["mgrs_agreement"] = dict(checks)
    if worst:
        worst.sort(reverse=True)
        findings.notes["largest MGRS mismatches"] = "; ".join(
            f"{d:,.0f} m ({w})" for d, w in worst[:3]
        )
    party = ctx.party(settings.party)
    group = ctx.group(settings.target_group)
    findings.notes["rows per strike"] = f"{total:,} rows in {len(strikes):,} strikes"
    for row in strikes.values():
        yield from _records(path, row, party, group, ctx, settings, findings)


def _read_row(n: int, values: dict[str, str], where: str, findings: Findings) -> _Row | None:
    day = _parse_day(values["date"])
    if day is None:
        findings.explain(where, "no-date", f"Employment date {values['date']!r}")
        return None
    start = _at(day, values["begin"])
    if start is None:
        findings.explain(where, "no-time", f"Time begin {values['begin']!r}")
        return None
    end = _at(day, values.get("end", "")) or start
    if end < start:  # past midnight
        end += timedelta(days=1)
    lat, lon = _decimal(values["lat"]), _decimal(values["lon"])
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        findings.explain(where, "no-position", f"LAT {values['lat']!r}, LONG {values['lon']!r}")
        return None
    check = check_mgrs(values["mgrs"], lat, lon)
    if isinstance(check, str):
        findings.flag(where, "mgrs-unreadable", check)
        check = MgrsCheck("".join(values["mgrs"].split()), False, math.inf)
    return _Row(n, values, start, end, lat, lon, check)


def _records(
    path: Path,
    row: _Row,
    party: str,
    group: str,
    ctx: Context,
    settings: NlModSettings,
    findings: Findings,
) -> Iterator[Item]:
    v = row.values
    where = f"{path.name} line {row.n}" + (
        f" (+{len(row.rows) - 1} rows)" if len(row.rows) > 1 else ""
    )
    ident = f"nl-mod-oir/{v['date']}/{v['begin']}/{row.check.grid}/{row.n}"
    stamp = row.start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    precision = (
        100.0
        if row.check.distance_m <= settings.mgrs_tolerance_m
        else max(100.0, row.check.distance_m if math.isfinite(row.check.distance_m) else 1_000.0)
    )
    point: dict[str, Any] = {
        "latitude": row.latitude,
        "longitude": row.longitude,
        "precision": round(precision),
    }
    town = " ".join(v.get("town", "").split())
    if town:
        point["place_name"] = town
    country = country_code(v.get("country"))
    if country is None:
        place, _ = ctx.gazetteer.nearest(row.latitude, row.longitude)
        if place.country:
            country = place.country
            findings.flag(
                where,
                "country-from-nearest-place",
                f"no Country; nearest gazetteer place {place.name} ({place.country})",
            )
    if country:
        point["country"] = country
    cde = _cde(v, settings)
    common = {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": ctx.created_by_ref,
    }
    sid = record_id("liaison-strike-report", ctx.created_by_ref, ident)
    mission = v.get("mission", "").strip()
    strike: dict[str, Any] = {
        "type": "liaison-strike-report",
        "id": sid,
        **common,
        "party_ref": party,
        "means": "air",
        "time_start": row.start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "time_end": row.end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **point,
        "target_category": "unspecified",
        "target_group_ref": group,
        "strikes": 1,
        "munitions": len(row.rows),
        "claimed_effect": "unknown",
        "bda_phase": "none",
        "reliability": settings.reliability,
        "credibility": settings.credibility,
        "external_references": [{"source_name": _SOURCE, "description": f"rows {_span(row.rows)}"}],
        "x_nl_mod": _provenance(row),
        "extensions": {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}},
    }
    if mission:
        strike["target_description"] = f"{mission} mission"
    if cde is not None:
        strike["labels"] = ["possible-collateral-damage"]
    findings.made("liaison-strike-report")
    yield Item(strike, where)
    if cde is not None:
        findings.made("liaison-harm-allegation")
        findings.flag(where, "possible-collateral-damage", cde)
        yield Item(
            {
                "type": "liaison-harm-allegation",
                "id": record_id("liaison-harm-allegation", ctx.created_by_ref, f"{ident}/cde"),
                **common,
                "time_start": strike["time_start"],
                "time_end": strike["time_end"],
                **point,
                "alleged_party_ref": party,
                "grading": settings.cde_grading,
                "sources": [_SOURCE],
                "description": cde,
                "x_strike_ref": sid,
                "extensions": {EXT_HARM_ALLEGATION: {"extension_type": "new-sdo"}},
            },
            where,
        )


def _provenance(row: _Row) -> dict[str, Any]:
    v = row.values
    out: dict[str, Any] = {
        "rows": row.rows,
        "mgrs": v["mgrs"],
        "mgrs_same_square": row.check.same_square,
    }
    if math.isfinite(row.check.distance_m):
        out["mgrs_distance_m"] = round(row.check.distance_m, 1)
    out.update({k: v[k] for k in ("mission", "province", "weather", "terrain") if v.get(k)})
    return out


def _cde(values: dict[str, str], settings: NlModSettings) -> str | None:
    flag = values.get("cde", "").strip()
    comment = " ".join(values.get("comment", "").split())
    if flag in settings.no_cde_values and not comment:
        return None
    if not flag and not comment:
        return None
    text = comment or f"Possible CDE issue: {flag}"
    return text if not flag or flag in settings.no_cde_values else f"{flag}: {text}"


def _span(rows: list[int]) -> str:
    return str(rows[0]) if len(rows) == 1 else f"{rows[0]}–{rows[-1]} ({len(rows)})"


def _parse_day(text: str) -> date | None:
    parts = text.strip().split("-")
    if len(parts) != 3:
        return None
    month = _MONTHS.get(parts[1][:3].lower())
    try:
        day, year = int(parts[0]), int(parts[2])
    except ValueError:
        return None
    if month is None:
        return None
    try:
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def _at(day: date, hhmm: str) -> datetime | None:
    text = hhmm.strip()
    if not text:
        return None
    try:
        t = datetime.strptime(text, "%H:%M").time()
    except ValueError:
        return None
    return datetime.combine(day, t)


def _decimal(text: str) -> float | None:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None
