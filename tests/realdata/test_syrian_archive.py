"""Syrian Archive harm allegations and the strikes of the party they allege."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import orjson

from liaison.ingest.connectors import ingest_source
from liaison.ingest.connectors.syrian_archive import casualties
from liaison.ingest.geocode import Gazetteer
from liaison.node import Node
from liaison.store import Query

COLUMNS = [
    "Description",
    "City",
    "Neighborhood",
    "Latitude",
    "Longitude",
    "Reference_Code",
    "Violation_Type",
    "Recording_Date",
    "Recording_Hour",
    "Recording_Minute",
    "Source",
    "Youtube_ID",
    "Weapons_Used",
    "URLs_And_News",
    "Page_Title",
    "Video_URL",
    "Database_ID",
]
RU = "Alleged civilian casualties from Russian attacks"


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "NA") for c in COLUMNS})


def _row(ref: str, source: str, **kw: str) -> dict[str, str]:
    return {
        "Description": "6 civilians killed after alleged Russian airstrikes",
        "City": "ALEPPO",
        "Neighborhood": "Al atarib",
        "Latitude": "36.1386",
        "Longitude": "36.8300",
        "Reference_Code": ref,
        "Violation_Type": RU,
        "Recording_Date": "2016-12-24",
        "Source": source,
        "Youtube_ID": f"https://www.youtube.com/watch?v={ref}",
        "Video_URL": f"https://media.syrianarchive.org/files/{ref}.mp4",
        **kw,
    }


def _objects(node: Node, kind: str) -> list[dict[str, object]]:
    return [orjson.loads(v.body) for v in node.store.query(Query(kinds=(kind,)))]


def test_casualties_from_descriptions() -> None:
    assert casualties("6 civilians killed and many wounded by air bombardment") == 6
    assert casualties("one killed and many wounded") == 1
    assert casualties("killing 12 people") == 12
    assert casualties("The destruction in al-Atarib town") is None


def test_incidents_gradings_links_and_sources(
    node: Node, tmp_path: Path, small_gazetteer: Callable[[], Gazetteer]
) -> None:
    path = tmp_path / "violations.csv"
    _write(
        path,
        [
            _row("AL_1", "Halab News"),
            _row("AL_2", "SMART News"),  # one incident, 2 sources
            _row("AL_3", "Halab News", Recording_Date="2016-12-26"),  # single source
            _row("AL_4", "Qasioun", Latitude="NA", Longitude="NA"),  # geocoded from its name
            _row("AL_5", "Qasioun", City="NA", Neighborhood="NA", Latitude="NA", Longitude="NA"),
            _row("AL_6", "Qasioun", Recording_Date="NA"),
            _row(
                "AL_7",
                "Shaam",
                Violation_Type="Use of illegal weapons",
                Latitude="35.95",
                Longitude="39.01",
                Recording_Date="2016-01-10",
            ),
        ],
    )
    done = ingest_source(node, path, "syrian-archive", gazetteer=small_gazetteer)
    assert done.ok, done.ingest.errors
    f = done.findings
    assert f.rows == 7 and dict(f.explained) == {"no-location": 1, "no-date": 1}
    assert f.flagged["geocoded-from-place-name"] == 1
    harms = {h["x_syrian_archive"]["rows"][0]: h for h in _objects(node, "harm-allegation")}
    assert sorted(harms) == [2, 4, 8]
    # row 5, geocoded to the same place and day, is the same incident
    assert harms[2]["x_syrian_archive"]["rows"] == [2, 3, 5]
    assert harms[2]["grading"] == "fair" and harms[4]["grading"] == "weak"  # 2 sources vs 1
    assert harms[2]["civilian_casualties_low"] == 6
    assert "https://media.syrianarchive.org/files/AL_1.mp4" in harms[2]["sources"]
    assert {r["external_id"] for r in harms[2]["external_references"]} == {"AL_1", "AL_2", "AL_4"}
    assert "alleged_party_ref" not in harms[8]  # another type names no party
    strikes = _objects(node, "strike-report")
    assert len(strikes) == 2  # the Russian incidents only
    assert {s["party_ref"] for s in strikes} == {harms[2]["alleged_party_ref"]}
    assert all(s["labels"] == ["reported-by-others", "from-harm-allegation"] for s in strikes)


def test_allegation_near_another_partys_strike_is_contested(
    node: Node, tmp_path: Path, small_gazetteer: Callable[[], Gazetteer]
) -> None:
    releases = tmp_path / "lines.csv"
    releases.write_text('date,line\n12/25/2016,"- Near Aleppo, one strike struck an ISIL unit."\n')
    assert ingest_source(node, releases, "strike-release", gazetteer=small_gazetteer).ok
    path = tmp_path / "violations.csv"
    _write(path, [_row("AL_1", "Halab News", Latitude="36.20", Longitude="37.10")])
    done = ingest_source(node, path, "syrian-archive", gazetteer=small_gazetteer)
    (harm,) = _objects(node, "harm-allegation")
    (coalition,) = [s for s in _objects(node, "strike-report") if "x_release" in s]
    assert harm["grading"] == "contested"
    assert harm["x_linked_strike_refs"] == [coalition["id"]]
    assert done.findings.notes["gradings"] == "contested 1"


def test_the_published_rows(node: Node, shared: Path, shared_gazetteer: Gazetteer) -> None:
    path = shared / "syrian-archive" / "violations.csv"
    done = ingest_source(node, path, "syrian-archive", gazetteer=lambda: shared_gazetteer)
    assert done.ok, done.ingest.errors[:3]
    f = done.findings
    assert f.rows == 4_135  # PROVENANCE.md
    assert set(f.explained) <= {"no-location", "no-date"}
    assert sum(f.explained.values()) < 0.01 * f.rows
    harms = _objects(node, "harm-allegation")
    rows = sum(len(h["x_syrian_archive"]["rows"]) for h in harms)
    assert rows + sum(f.explained.values()) == f.rows  # every row: an incident or a reason
    russian = [h for h in harms if h["x_syrian_archive"]["violation_type"] == RU]
    assert sum(len(h["x_syrian_archive"]["rows"]) for h in russian) > 1_600  # of 1,635
    strikes = _objects(node, "strike-report")
    assert len(strikes) == len(russian)
    grades = Counter(h["grading"] for h in harms)
    assert grades["weak"] > grades["fair"] > 0
    assert all(h["sources"][0].startswith("https://") for h in harms if "sources" in h)
