"""Comparison of the parsed release lines with the reference columns of the
shared CSV (``location``, ``number``): which rows agree, and why the others differ."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from liaison.ingest.connectors._release_text import LineError, parse_release_line
from liaison.ingest.connectors.strike_release import line_key
from liaison.ingest.geocode import Gazetteer

FIXTURE = Path(__file__).parent / "fixtures" / "centcom_reference_differences.txt"


@dataclass(frozen=True)
class Row:
    key: str
    location: str
    number: int
    country: str
    line: str


@dataclass(frozen=True)
class Difference:
    key: str
    reference: str
    parsed: str
    reason: str


def rows(all_csv: Path) -> list[Row]:
    out = []
    with all_csv.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            day = datetime.strptime(r["date"], "%m/%d/%Y").date()
            out.append(
                Row(
                    line_key(day, r["line"]),
                    r["location"],
                    int(r["number"]),
                    r["country"],
                    r["line"],
                )
            )
    return out


def compare(row: Row, gazetteer: Gazetteer) -> Difference | None:
    """None when the first clause's (place, number) equals the reference exactly;
    else the difference and its reason ("disagreement: …" when they truly differ)."""
    try:
        clause = parse_release_line(row.line)[0]
    except LineError as exc:
        return Difference(row.key, f"{row.location} / {row.number}", "-", f"disagreement: {exc}")
    place = " and ".join(clause.places) + (f" in {clause.region}" if clause.region else "")
    parsed = f"{place} / {clause.strikes}"
    reference = f"{row.location} / {row.number}"
    if clause.strikes != row.number:
        return Difference(row.key, reference, parsed, "disagreement: number of strikes")
    if row.location == place:
        return None
    ref = row.location.strip()
    if ref == place:
        return Difference(row.key, reference, parsed, "reference has extra spaces")
    if ref.startswith("Near ") and ref.removeprefix("Near ") == place:
        return Difference(row.key, reference, parsed, "reference keeps the word 'Near'")
    if row.country == "Unknown" and ref == (clause.country or ""):
        return Difference(
            row.key,
            reference,
            parsed,
            "2014 paragraph: the reference names its country; first clause's country",
        )
    a = gazetteer.lookup(ref)
    b = gazetteer.lookup(clause.places[0])
    if a is not None and b is not None and a.place == b.place:
        return Difference(row.key, reference, parsed, "same gazetteer place")
    return Difference(row.key, reference, parsed, "disagreement: place")


def read_fixture(path: Path = FIXTURE) -> dict[str, tuple[str, str, str]]:
    out = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            key, reference, parsed, reason = (x.strip() for x in raw.split(" | "))
            out[key] = (reference, parsed, reason)
    return out
