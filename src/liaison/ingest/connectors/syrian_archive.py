"""Syrian Archive verified-video metadata: harm allegations, and strikes of the
party they allege (e.g. "Alleged civilian casualties from Russian attacks").

Rows of one day, violation type and point are one incident: one harm allegation
(with every video as a source, its archive copy and reference code kept) and,
for the strike types, one strike report of the alleged party. Allegations are
linked to strike reports the node already holds near them in space and time,
as Airwars links claims to official releases; the grading follows from sources
and links (``syrian-archive.toml``). Missing values are the string "NA".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec
import orjson

from liaison.ingest._sources import Item
from liaison.ingest.connectors._config import ConnectorError, read_text
from liaison.ingest.connectors._context import Context, record_id
from liaison.ingest.connectors._release_text import number_value
from liaison.ingest.connectors._report import Findings
from liaison.ingest.geocode import distance_m
from liaison.records import EXT_HARM_ALLEGATION, EXT_STRIKE_REPORT

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = ["NearbyStrikes", "SyrianArchiveSettings", "casualties", "syrian_archive_items"]

_REQUIRED = (
    "Description",
    "City",
    "Neighborhood",
    "Latitude",
    "Longitude",
    "Violation_Type",
    "Recording_Date",
)
_KILLED = re.compile(
    r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|a)\s+"
    r"(?:\w+\s+){0,3}?(?:were\s+|was\s+)?(?:killed|dead|died|martyred|martyrs|bodies)",
    re.IGNORECASE,
)
_KILLING = re.compile(
    r"\bkilling\s+(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)", re.IGNORECASE
)


class SyrianArchiveSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settings of the Syrian Archive connector (defaults in ``syrian-archive.toml``)."""

    alleged_parties: dict[str, str] = msgspec.field(default_factory=dict)
    strike_types: list[str] = msgspec.field(default_factory=list)
    means: Literal["air", "artillery", "missile", "ground-raid"] = "air"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "C"
    credibility: int = 3
    incident_decimals: int = 2
    link_radius_m: float = 15_000.0
    link_days: int = 1
    precision_m: float = 2_000.0
    gazetteers: list[str] = msgspec.field(default_factory=list)
    city_precision_m: float = 25_000.0


def casualties(text: str) -> int | None:
    """People killed, as the description says ("6 civilians killed"), or None."""
    found = [number_value(m["n"]) for m in (*_KILLED.finditer(text), *_KILLING.finditer(text))]
    values = [n for n in found if n is not None]
    return max(values) if values else None


@dataclass
class _Incident:
    kind: str
    day: date
    latitude: float
    longitude: float
    precision: float
    place: str
    rows: list[dict[str, str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NearbyStrikes:
    """Strike reports the node holds, by day: (id, party, latitude, longitude)."""

    by_day: dict[date, list[tuple[str, str, float, float]]]

    @classmethod
    def of_node(cls, node: Node, first: date, last: date) -> NearbyStrikes:
        """Strike reports overlapping [first, last] (one query)."""
        from liaison.store import Query

        start = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp() * 1000)
        end = int(
            datetime(last.year, last.month, last.day, 23, 59, 59, tzinfo=UTC).timestamp() * 1000
        )
        by_day: dict[date, list[tuple[str, str, float, float]]] = {}
        query = Query(kinds=("strike-report",), since_ms=start, until_ms=end, include_revoked=False)
        for v in node.store.query(query):
            obj = orjson.loads(v.body)
            day = date.fromisoformat(obj["time_start"][:10])
            by_day.setdefault(day, []).append(
                (obj["id"], obj["party_ref"], float(obj["latitude"]), float(obj["longitude"]))
            )
        return cls(by_day)

    def near(
        self, day: date, lat: float, lon: float, radius_m: float, days: int
    ) -> list[tuple[float, str, str]]:
        """(distance, id, party) of the strike reports near a point and day, nearest first."""
        out = []
        for d in range(-days, days + 1):
            for sid, party, slat, slon in self.by_day.get(day + timedelta(days=d), ()):
                dist = distance_m(lat, lon, slat, slon)
                if dist <= radius_m:
                    out.append((dist, sid, party))
        return sorted(out)


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of ``violations.csv`` (clear error when the columns are not there)."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or ())]
    if missing:
        raise ConnectorError(
            f"{path.name}: not a Syrian Archive violations table: column(s) "
            f"{', '.join(missing)} missing (it has: {', '.join(reader.fieldnames or ()) or 'none'})"
        )
    return list(reader)


def syrian_archive_items(
    path: Path,
    ctx: Context,
    settings: SyrianArchiveSettings,
    findings: Findings,
    nearby: NearbyStrikes | None = None,
) -> Iterator[Item]:
    """Harm allegations and reported strikes of a Syrian Archive table."""
    rows = read_rows(path)
    incidents: dict[tuple[Any, ...], _Incident] = {}
    for n, row in enumerate(rows, start=2):
        findings.rows += 1
        where = f"{path.name} row {n} ({_na(row.get('Reference_Code')) or 'no reference'})"
        day = _day(row.get("Recording_Date"))
        if day is None:
            findings.explain(where, "no-date", f"Recording_Date {row.get('Recording_Date')!r}")
            continue
        located = _locate(ctx, settings, row)
        if isinstance(located, str):
            findings.explain(where, "no-location", located)
            continue
        lat, lon, precision, place, geocoded = located
        if geocoded:
            findings.flag(where, "geocoded-from-place-name", place)
        kind = _na(row.get("Violation_Type")) or "unspecified"
        d = settings.incident_decimals
        key = (kind, day, round(lat, d), round(lon, d))
        incident = incidents.get(key)
        if incident is None:
            incident = incidents[key] = _Incident(kind, day, lat, lon, precision, place)
        incident.rows.append(row)
        incident.lines.append(n)
    if nearby is None and incidents and ctx.node is not None:
        days = [i.day for i in incidents.values()]
        nearby = NearbyStrikes.of_node(
            ctx.node,
            min(days) - timedelta(days=settings.link_days),
            max(days) + timedelta(days=settings.link_days),
        )
    findings.notes["incidents"] = f"{len(incidents):,} incidents from {findings.rows:,} rows"
    grades: dict[str, int] = {}
    for incident in incidents.values():
        for item in _records(path, incident, ctx, settings, findings, nearby):
            grade = item.obj.get("grading")
            if isinstance(grade, str):
                grades[grade] = grades.get(grade, 0) + 1
            yield item
    findings.notes["gradings"] = ", ".join(f"{k} {v:,}" for k, v in sorted(grades.items()))


def _records(
    path: Path,
    incident: _Incident,
    ctx: Context,
    settings: SyrianArchiveSettings,
    findings: Findings,
    nearby: NearbyStrikes | None,
) -> Iterator[Item]:
    first = incident.rows[0]
    where = f"{path.name} row {incident.lines[0]}" + (
        f" (+{len(incident.lines) - 1} rows)" if len(incident.lines) > 1 else ""
    )
    refs = sorted(
        {
            r.get("Reference_Code") or f"row {n}"
            for r, n in zip(incident.rows, incident.lines, strict=True)
        }
    )
    ident = f"syrian-archive/{incident.kind}/{incident.day}/{refs[0]}"
    stamp = f"{incident.day.isoformat()}T00:00:00.000Z"
    common = {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": ctx.created_by_ref,
    }
    window = {
        "time_start": f"{incident.day.isoformat()}T00:00:00Z",
        "time_end": f"{incident.day.isoformat()}T23:59:59Z",
    }
    point = {
        "latitude": round(incident.latitude, 6),
        "longitude": round(incident.longitude, 6),
        "precision": round(incident.precision),
        "place_name": incident.place,
        "country": "SY",
    }
    party_name = settings.alleged_parties.get(incident.kind)
    party = ctx.party(party_name) if party_name else None
    channels = {(_na(r.get("Source")) or "").casefold() for r in incident.rows} - {""}
    links = []
    if nearby is not None:
        links = nearby.near(
            incident.day,
            incident.latitude,
            incident.longitude,
            settings.link_radius_m,
            settings.link_days,
        )
    others = [sid for _, sid, p in links if party is None or p != party]
    own = [sid for _, sid, p in links if party is not None and p == party]
    if others and party is not None:
        grading = "contested"
    elif len(channels) >= 2 or own:
        grading = "fair"
    else:
        grading = "weak"
    killed = [
        k
        for k in (casualties(_na(r.get("Description")) or "") for r in incident.rows)
        if k is not None
    ]
    sources = _sources(incident.rows)
    harm: dict[str, Any] = {
        "type": "liaison-harm-allegation",
        "id": record_id("liaison-harm-allegation", ctx.created_by_ref, ident),
        **common,
        **window,
        **point,
        "grading": grading,
        "description": (_na(first.get("Description")) or incident.kind).strip(),
        "external_references": [_reference(r) for r in incident.rows][:50],
        "x_syrian_archive": {
            "violation_type": incident.kind,
            "rows": incident.lines,
            "sources": len(channels),
        },
        "extensions": {EXT_HARM_ALLEGATION: {"extension_type": "new-sdo"}},
    }
    if sources:
        harm["sources"] = sources
    if party is not None:
        harm["alleged_party_ref"] = party
    if killed:
        harm["civilian_casualties_low"] = max(killed)
        harm["civilian_casualties_high"] = max(killed)
    if links:
        harm["x_linked_strike_refs"] = [sid for _, sid, _ in links[:10]]
    findings.made("liaison-harm-allegation")
    yield Item(harm, where)
    if party is None or incident.kind not in settings.strike_types:
        return
    findings.made("liaison-strike-report")
    yield Item(
        {
            "type": "liaison-strike-report",
            "id": record_id("liaison-strike-report", ctx.created_by_ref, ident),
            **common,
            "party_ref": party,
            "means": settings.means,
            **window,
            **point,
            "target_category": "unspecified",
            "strikes": 1,
            "claimed_effect": "unknown",
            "bda_phase": "none",
            "target_description": f"reported by the Syrian Archive: {incident.kind}",
            "reliability": settings.reliability,
            "credibility": settings.credibility,
            "labels": ["reported-by-others", "from-harm-allegation"],
            "external_references": [_reference(r) for r in incident.rows][:50],
            "x_harm_ref": harm["id"],
            "extensions": {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}},
        },
        where,
    )


def _sources(rows: list[dict[str, str]]) -> list[str]:
    """The videos (original URL and the Archive's copy) and news links, once each."""
    out: dict[str, None] = {}
    for r in rows:
        for column in ("Youtube_ID", "Video_URL", "URLs_And_News"):
            for url in re.split(r"[\s,;|]+", _na(r.get(column)) or ""):
                if url.startswith(("http://", "https://")):
                    out[url] = None
    return list(out)


def _reference(row: dict[str, str]) -> dict[str, Any]:
    ref: dict[str, Any] = {"source_name": "Syrian Archive"}
    code = _na(row.get("Reference_Code"))
    if code:
        ref["external_id"] = code
    url = _na(row.get("Video_URL"))
    if url:
        ref["url"] = url
    described = " — ".join(x for x in (_na(row.get("Source")), _na(row.get("Youtube_ID"))) if x)
    if described:
        ref["description"] = described
    return ref


def _locate(
    ctx: Context, settings: SyrianArchiveSettings, row: dict[str, str]
) -> tuple[float, float, float, str, bool] | str:
    city = (_na(row.get("City")) or "").strip().title()
    hood = (_na(row.get("Neighborhood")) or "").strip()
    place = ", ".join(x for x in (hood, city) if x)
    lat, lon = _float(row.get("Latitude")), _float(row.get("Longitude"))
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon, settings.precision_m, place or "unnamed place", False
    if hood:
        match = ctx.gazetteer.lookup(hood, "SY")
        if match is not None:
            p = match.place
            return p.latitude, p.longitude, max(settings.precision_m, p.radius_m), place, True
    if city:
        match = ctx.gazetteer.lookup(city, "SY")
        if match is not None:
            p = match.place
            return p.latitude, p.longitude, settings.city_precision_m, place, True
    return (
        f"no coordinates, and neither Neighborhood {hood!r} nor City {city!r} is in the gazetteer"
    )


def _na(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return None if not text or text == "NA" else text


def _float(value: str | None) -> float | None:
    text = _na(value)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _day(value: str | None) -> date | None:
    text = _na(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
