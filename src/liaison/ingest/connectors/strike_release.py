"""CENTCOM / CJTF-OIR strike releases: strike reports of the releasing party,
and logistics observations of the logistics targets they name.

Input is a full release as text (its date from ``release_date``, else from its
date line or release number) or a CSV of ``date`` and ``line`` (an optional
``country`` column stands for the release's section heading). The strike day is
the day the release's opening sentence names ("On Nov. 1, coalition military
forces …"), else the release day minus ``strike_day_offset`` (1). Places are
geocoded from the gazetteer; a line that cannot be read is counted with its
reason, never dropped silently.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import msgspec

from liaison.ingest._sources import Item
from liaison.ingest.connectors._config import ConnectorError, read_text
from liaison.ingest.connectors._context import Context, record_id
from liaison.ingest.connectors._release_text import LineError, StrikeClause, parse_release_line
from liaison.ingest.connectors._report import Findings
from liaison.ingest.connectors._targets import Category, Target, parse_targets
from liaison.ingest.geocode import Match, country_code, distance_m
from liaison.records import EXT_LOGISTICS, EXT_STRIKE_REPORT

__all__ = [
    "ReleaseLine",
    "StrikeReleaseSettings",
    "categories_of",
    "clean_line",
    "line_key",
    "read_release",
    "strike_release_items",
]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DATE_LINE = re.compile(
    r"\b(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+(?P<day>\d{1,2}),\s+(?P<year>\d{4})\b"
)
_RELEASE_NO = re.compile(r"Release\s*#?\s*(?P<ymd>\d{8})-\d+", re.IGNORECASE)
_OPENING_DAY = re.compile(
    r"\bOn\s+(?P<month>Jan|Feb|March|Mar|April|Apr|May|June|Jun|July|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
    r"[a-z]*\.?\s+(?P<day>\d{1,2}),",
)
_SUMMARY_START = re.compile(r"summary of the strikes", re.IGNORECASE)
_SUMMARY_END = re.compile(r"^strike assessments are based|^all aircraft", re.IGNORECASE)
_BULLET = re.compile(r"^(?:\s|[-*•–—]|<li>|&bull;)+", re.IGNORECASE)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_SECTION = re.compile(r"^\s*(?P<country>Syria|Iraq)\s*:?\s*$", re.IGNORECASE)


class StrikeReleaseSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settings of the strike-release connector (defaults in ``strike-release.toml``)."""

    categories: list[dict[str, str]]
    party: str = "CJTF-OIR (US-led coalition)"
    target_group: str = "Islamic State"
    means: Literal["air", "artillery", "missile", "ground-raid"] = "air"
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "B"
    credibility: int = 3
    strike_day_offset: int = 1
    near_m: float = 20_000.0
    direction_m: float = 25_000.0
    in_m: float = 0.0
    gazetteers: list[str] = msgspec.field(default_factory=list)
    target_groups: dict[str, str] = msgspec.field(default_factory=dict)
    release_date: date | None = None


@dataclass(frozen=True, slots=True)
class ReleaseLine:
    """One strike line of a release: when released, the strike days it covers,
    the section's country, the verbatim text and where it was read."""

    released: date
    first_day: date
    last_day: date
    country: str | None
    text: str
    where: str


def clean_line(text: str) -> str:
    """A release line without its bullet ("- ", "*  ", "<li>"), with single spaces
    and plain apostrophes ("Mar’a" = "Mar'a"): the same sentence from the release
    text and from a CSV is one record."""
    text = text.translate(_QUOTES)
    return " ".join(_BULLET.sub("", text).split())


def line_key(released: date | str, text: str) -> str:
    """A stable reference to a release line: its date and a hash of its clean text."""
    day = released if isinstance(released, str) else released.isoformat()
    digest = hashlib.sha256(clean_line(text).encode()).hexdigest()[:12]
    return f"{day}:{digest}"


def categories_of(settings: StrikeReleaseSettings) -> list[Category]:
    """The compiled category table (clear error on a bad pattern)."""
    out = []
    for n, row in enumerate(settings.categories, start=1):
        try:
            out.append(
                Category(
                    row["name"], re.compile(row["pattern"], re.IGNORECASE), row.get("logistics")
                )
            )
        except (KeyError, re.error) as exc:
            raise ConnectorError(f"categories #{n}: {exc}") from exc
    return out


def read_release(path: Path, settings: StrikeReleaseSettings) -> list[ReleaseLine]:
    """The strike lines of a release text, or of a CSV of ``date`` + ``line``."""
    text = read_text(path)
    if path.suffix.lower() in (".csv", ".tsv"):
        return _csv_lines(path, text, settings)
    return _text_lines(path, text, settings)


def _csv_lines(path: Path, text: str, settings: StrikeReleaseSettings) -> list[ReleaseLine]:
    reader = csv.DictReader(text.splitlines(), delimiter="\t" if path.suffix == ".tsv" else ",")
    columns = {c.lower().strip(): c for c in reader.fieldnames or ()}
    if "date" not in columns or "line" not in columns:
        raise ConnectorError(
            f"{path.name}: a strike-release CSV needs columns 'date' and 'line' "
            f"(it has: {', '.join(reader.fieldnames or ()) or 'none'})"
        )
    out = []
    for n, row in enumerate(reader, start=2):
        where = f"{path.name} line {n}"
        released = _parse_date(row[columns["date"]])
        if released is None:
            raise ConnectorError(
                f"{where}: field 'date': {row[columns['date']]!r} is not a date "
                "(M/D/YYYY or YYYY-MM-DD)"
            )
        day = released - timedelta(days=settings.strike_day_offset)
        country = row.get(columns["country"]) if "country" in columns else None
        out.append(ReleaseLine(released, day, day, country, row[columns["line"]] or "", where))
    return out


def _text_lines(path: Path, text: str, settings: StrikeReleaseSettings) -> list[ReleaseLine]:
    lines = text.splitlines()
    released = settings.release_date or _release_day(text)
    if released is None:
        raise ConnectorError(
            f"{path.name}: no release date (no 'Month DD, YYYY' date line or release number); "
            "give it with --release-date"
        )
    first = last = released - timedelta(days=settings.strike_day_offset)
    opening = _OPENING_DAY.search(text)
    if opening:
        named = _month_day(opening["month"], int(opening["day"]), released)
        if named is not None:
            first = last = named
    start = next((i + 1 for i, s in enumerate(lines) if _SUMMARY_START.search(s)), None)
    out = []
    country: str | None = None
    for i, raw in enumerate(lines[start or 0 :], start=(start or 0) + 1):
        line = raw.strip()
        if not line:
            continue
        if start is not None and _SUMMARY_END.search(line):
            break
        section = _SECTION.match(line)
        if section:
            country = section["country"].title()
            continue
        if start is None and not re.match(r"^(?:[-*•–—]|<li>)?\s*near\b", line, re.I):
            continue
        out.append(ReleaseLine(released, first, last, country, line, f"{path.name} line {i}"))
    return out


def strike_release_items(
    path: Path, ctx: Context, settings: StrikeReleaseSettings, findings: Findings
) -> Iterator[Item]:
    """Strike reports and logistics observations of a release file."""
    categories = categories_of(settings)
    lines = read_release(path, settings)
    repeats: Counter[str] = Counter()
    party = ctx.party(settings.party)
    findings.notes["party"] = f"{settings.party} ({party})"
    for line in lines:
        findings.rows += 1
        key = line_key(line.released, line.text)
        repeats[key] += 1
        if repeats[key] > 1:
            findings.flag(line.where, "repeated-line", line.text[:80])
        try:
            clauses = parse_release_line(clean_line(line.text))
        except LineError as exc:
            findings.explain(line.where, "unreadable-line", f"{exc}: {line.text[:120]!r}")
            continue
        for n, clause in enumerate(clauses):
            where = line.where if len(clauses) == 1 else f"{line.where} clause {n + 1}"
            place = _geocode(ctx, settings, clause, line.country)
            if isinstance(place, str):
                findings.explain(where, "place-not-in-gazetteer", place)
                continue
            ident = f"strike-release/{key}/{repeats[key]}/{n}"
            yield from _records(
                line, clause, ident, place, party, ctx, settings, categories, where, findings
            )


@dataclass(frozen=True, slots=True)
class _Located:
    latitude: float
    longitude: float
    precision: float
    name: str
    country: str | None
    matches: tuple[Match, ...]


def _geocode(
    ctx: Context, settings: StrikeReleaseSettings, clause: StrikeClause, section: str | None
) -> _Located | str:
    hint = country_code(clause.country or section)
    matches = []
    for name in clause.places:
        match = _lookup(ctx, name, hint)
        if match is None:
            return _missing(ctx, name, hint)
        matches.append(match)
    lat = sum(m.place.latitude for m in matches) / len(matches)
    lon = sum(m.place.longitude for m in matches) / len(matches)
    spread = max(distance_m(lat, lon, m.place.latitude, m.place.longitude) for m in matches)
    radius = max(m.place.radius_m for m in matches)
    precision = max(1_000.0, spread + radius + _qualifier_m(settings, clause.qualifier))
    name = " and ".join(m.place.name for m in matches)
    countries = {m.place.country for m in matches}
    country = countries.pop() if len(countries) == 1 else None
    return _Located(lat, lon, precision, name, country, tuple(matches))


def _qualifier_m(settings: StrikeReleaseSettings, qualifier: str) -> float:
    """How far from the named place the strikes may be, from the release's words."""
    if qualifier == "in":
        return settings.in_m
    if qualifier.endswith(" of") and not qualifier.endswith("vicinity of"):
        return settings.direction_m
    return settings.near_m


def _lookup(ctx: Context, name: str, hint: str | None) -> Match | None:
    """The place, or the place its first words name ("Bayji Oil Refinery")."""
    words = name.replace("-", " - ").split()
    for end in range(len(words), 0, -1):
        candidate = " ".join(words[:end]).replace(" - ", "-").strip(" -")
        if not candidate or candidate.lower() in ("al", "the", "ar", "as"):
            continue
        match = ctx.gazetteer.lookup(candidate, hint)
        if match is not None:
            return match
    return None


def _missing(ctx: Context, name: str, hint: str | None) -> str:
    try:
        ctx.gazetteer.resolve(name, hint)
    except ValueError as exc:
        return str(exc)
    return f"place {name!r} not found"


def _records(
    line: ReleaseLine,
    clause: StrikeClause,
    ident: str,
    place: _Located,
    party: str,
    ctx: Context,
    settings: StrikeReleaseSettings,
    categories: list[Category],
    where: str,
    findings: Findings,
) -> Iterator[Item]:
    targets = parse_targets(clause.text, categories)
    if not targets:
        findings.flag(where, "no-target-recognised", clause.text[:100])
    group = _target_group(ctx, settings, clause.text)
    stamp = f"{line.released.isoformat()}T00:00:00.000Z"
    window = {
        "time_start": f"{line.first_day.isoformat()}T00:00:00Z",
        "time_end": f"{line.last_day.isoformat()}T23:59:59Z",
    }
    point: dict[str, Any] = {
        "latitude": round(place.latitude, 6),
        "longitude": round(place.longitude, 6),
        "precision": round(place.precision),
        "place_name": place.name,
    }
    if place.country:
        point["country"] = place.country
        section = country_code(clause.country or line.country)
        if section and section != place.country:
            findings.flag(
                where,
                "place-outside-section-country",
                f"{place.name} is in {place.country}, the release says {section}",
            )
    if any(m.elsewhere for m in place.matches):
        findings.flag(where, "place-name-elsewhere-too", _elsewhere(place))
    first = targets[0] if targets else None
    sid = record_id("liaison-strike-report", ctx.created_by_ref, ident)
    common = {
        "spec_version": "2.1",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": ctx.created_by_ref,
    }
    reference = {
        "source_name": "CJTF-OIR strike release",
        "description": f"release of {line.released.isoformat()}: {clean_line(line.text)}",
    }
    findings.made("liaison-strike-report")
    yield Item(
        {
            "type": "liaison-strike-report",
            "id": sid,
            **common,
            "party_ref": party,
            "means": settings.means,
            **window,
            **point,
            "target_category": first.category if first else "unspecified",
            "target_group_ref": group,
            "strikes": clause.strikes,
            "claimed_effect": first.effect if first else "unknown",
            "bda_phase": "none",
            "target_description": clause.text.strip(),
            "reliability": settings.reliability,
            "credibility": settings.credibility,
            "external_references": [reference],
            "x_targets": [_target_json(t) for t in targets],
            "x_release": _provenance(line, clause, place),
            "extensions": {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}},
        },
        where,
    )
    for kind, counted in _logistics(targets).items():
        findings.made("liaison-logistics")
        obj: dict[str, Any] = {
            "type": "liaison-logistics",
            "id": record_id("liaison-logistics", ctx.created_by_ref, f"{ident}/logistics/{kind}"),
            **common,
            "group_ref": group,
            "logistics_kind": kind,
            **window,
            **point,
            "reliability": settings.reliability,
            "credibility": settings.credibility,
            "external_references": [reference],
            "x_strike_ref": sid,
            "extensions": {EXT_LOGISTICS: {"extension_type": "new-sdo"}},
        }
        if counted is not None:
            obj["count"] = counted
        yield Item(obj, where)


def _elsewhere(place: _Located) -> str:
    """The gazetteer entries of the same name far from the one chosen."""
    out = []
    for m in place.matches:
        for e in m.elsewhere[:1]:
            km = distance_m(m.place.latitude, m.place.longitude, e.latitude, e.longitude) / 1000
            out.append(f"{m.place.name} ({m.place.source}) vs {e.name} ({e.source}), {km:.0f} km")
    return "; ".join(out)


def _logistics(targets: list[Target]) -> dict[str, int | None]:
    """Logistics kind → targets counted (None when some count is not given)."""
    out: dict[str, int | None] = {}
    for t in targets:
        if t.logistics is None:
            continue
        if t.logistics not in out:
            out[t.logistics] = 0
        before = out[t.logistics]
        out[t.logistics] = None if before is None or t.count is None else before + t.count
    return out


def _target_group(ctx: Context, settings: StrikeReleaseSettings, text: str) -> str:
    for pattern, name in settings.target_groups.items():
        if re.search(pattern, text, re.IGNORECASE):
            return ctx.group(name)
    return ctx.group(settings.target_group)


def _target_json(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {"category": t.category, "effect": t.effect, "words": t.words}
    if t.count is not None:
        out["count"] = t.count
    if t.logistics:
        out["logistics"] = t.logistics
    return out


def _provenance(line: ReleaseLine, clause: StrikeClause, place: _Located) -> dict[str, Any]:
    out: dict[str, Any] = {
        "released": line.released.isoformat(),
        "line": clean_line(line.text),
        "qualifier": clause.qualifier,
        "place_text": " and ".join(clause.places),
        "geocode": [
            {
                "name": m.place.name,
                "source": m.place.source,
                "method": m.method,
                "score": round(m.score, 1),
            }
            for m in place.matches
        ],
    }
    if clause.region:
        out["region"] = clause.region
    return out


def _parse_date(value: str | None) -> date | None:
    text = (value or "").strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _release_day(text: str) -> date | None:
    m = _DATE_LINE.search(text)
    if m:
        month = datetime.strptime(m["month"], "%B").month
        return _safe_date(int(m["year"]), month, int(m["day"]))
    n = _RELEASE_NO.search(text)
    if n:
        ymd = n["ymd"]
        return _safe_date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:]))
    return None


def _month_day(month: str, day: int, released: date) -> date | None:
    number = _MONTHS.get(month[:3].lower())
    if number is None:
        return None
    year = released.year - (1 if number > released.month else 0)
    found = _safe_date(year, number, day)
    if found is None or found > released or (released - found).days > 31:
        return None
    return found


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
