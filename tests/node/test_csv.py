"""CSV ingest with a declarative mapping: real data, and bad files refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from liaison.ingest import ingest_file
from liaison.node import Node
from liaison.store import Near, Query

MAPPING_DIR = Path(__file__).resolve().parents[2] / "docs" / "examples"

STRIKES_MAPPING = """
kind = "strike-report"
id_columns = ["ref"]
[defaults]
means = "air"
target_category = "vehicle"
claimed_effect = "destroyed"
bda_phase = "physical"
reliability = "B"
credibility = 2
[columns]
time_start = { column = "date", format = "%Y-%m-%d" }
time_end = { column = "date", format = "%Y-%m-%d", add_hours = 24 }
latitude = { column = "lat", type = "float" }
longitude = { column = "lon", type = "float" }
precision = { column = "precision_km", type = "float", scale = 1000 }
strikes = { column = "n", type = "int" }
place_name = "place"
"""
GOOD_ROWS = [
    "ref,date,lat,lon,precision_km,n,place",
    "a1,2015-11-02,35.95,39.01,1.5,3,Raqqa",
    "a2,2015-11-03,36.34,43.13,0.2,1,Mosul",
]


def write(tmp_path: Path, rows: list[str], encoding: str = "utf-8") -> tuple[Path, Path]:
    csv_path = tmp_path / "strikes.csv"
    csv_path.write_bytes("\n".join(rows).encode(encoding) + b"\n")
    mapping = tmp_path / "strikes.toml"
    mapping.write_text(STRIKES_MAPPING, encoding="utf-8")
    return csv_path, mapping


def test_mapped_csv_rows_become_strike_reports(node: Node, tmp_path: Path) -> None:
    csv_path, mapping = write(tmp_path, GOOD_ROWS)
    report = ingest_file(node, csv_path, mapping=mapping)
    assert (report.accepted, report.refused) == (2, 0)
    got = list(node.store.query(Query(kinds=("strike-report",), near=Near(35.95, 39.01, 5))))
    assert len(got) == 1
    assert got[0].index.precision_m == 1500.0
    assert got[0].index.party_ref == node.party_id
    assert got[0].index.time_end_ms - got[0].index.time_start_ms == 86_400_000
    again = ingest_file(node, csv_path, mapping=mapping)
    assert (again.accepted, again.unchanged) == (0, 2)


@pytest.mark.parametrize(
    ("rows", "encoding", "expected"),
    [
        (
            [GOOD_ROWS[0].replace(",lat,", ",latitude,"), *GOOD_ROWS[1:]],
            "utf-8",
            "column(s) lat named in strikes.toml are missing",
        ),
        (
            [*GOOD_ROWS, "a3,2015-13-45,35.9,39.0,1,1,Raqqa"],
            "utf-8",
            "strikes.csv row 4: field 'time_start': '2015-13-45' (column 'date') is not a %Y-%m-%d",
        ),
        (
            [*GOOD_ROWS, "a4,2015-11-04,35.9,39.0,1,1,Dayr az-Zawr é"],
            "latin-1",
            "strikes.csv row 4: not valid utf-8 text",
        ),
        (
            [*GOOD_ROWS, "a5,2015-11-04,95.9,39.0,1,1,Nowhere"],
            "utf-8",
            "strikes.csv row 4: liaison-strike-report--",
        ),
    ],
    ids=["missing-column", "bad-date", "wrong-encoding", "latitude-out-of-range"],
)
def test_bad_csv_is_refused_whole(
    node: Node, tmp_path: Path, rows: list[str], encoding: str, expected: str
) -> None:
    before = node.store.counts()
    csv_path, mapping = write(tmp_path, rows, encoding)
    report = ingest_file(node, csv_path, mapping=mapping)
    assert not report.committed
    assert report.accepted == 0
    assert any(expected in e for e in report.errors), report.errors
    assert node.store.counts() == before


def test_real_dutch_strike_log(node: Node, shared_data: Path) -> None:
    source = shared_data / "nl-mod-oir-strikes" / "nl_oir_airstrikes_20230330.csv"
    report = ingest_file(
        node, source, mapping=MAPPING_DIR / "nl-mod-oir-strikes.toml", skip_invalid=True
    )
    assert report.refused == 0, report.errors[:3]
    assert report.accepted == 2188  # every published row (PROVENANCE.md: 2,188 data rows)
    mosul = list(node.store.query(Query(kinds=("strike-report",), near=Near(36.34, 43.13, 15))))
    assert len(mosul) > 50  # the Dutch F-16s flew many close-air-support missions at Mosul
