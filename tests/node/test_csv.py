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


def test_an_open_quote_is_refused_with_its_row_not_swallowing_the_next_rows(
    node: Node, tmp_path: Path
) -> None:
    rows = [*GOOD_ROWS, 'a3,2015-11-04,35.9,39.0,1,1,"Raqqa', *(f"a{i},2015-11-0{i},35.9,39.0,1,1,X"
                                                               for i in range(4, 7))]  # fmt: skip
    csv_path, mapping = write(tmp_path, rows)
    before = node.store.counts()
    report = ingest_file(node, csv_path, mapping=mapping)
    assert not report.committed
    assert any(e.startswith("strikes.csv row 4: malformed CSV: a quote opened here is never closed")
               for e in report.errors), report.errors  # fmt: skip
    assert node.store.counts() == before


def test_a_quote_closed_lines_later_is_refused_naming_the_lines(node: Node, tmp_path: Path) -> None:
    rows = [
        *GOOD_ROWS,
        'a3,2015-11-04,35.9,39.0,1,1,"Raqqa',
        "a4,2015-11-05",
        'x",',
        "a5,2015-11-05,35.9,39.0,1,1,Y",
    ]
    csv_path, mapping = write(tmp_path, rows)
    report = ingest_file(node, csv_path, mapping=mapping, skip_invalid=True)
    assert any("strikes.csv row 4: a quoted cell runs over lines 4–6" in e for e in report.errors)
    assert report.accepted == 3  # rows 2, 3 and 7: nothing swallowed silently


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("a3,2015-11-04,35.9,39.0,1,1", "row 4: too few cells: 6, but the header has 7 columns"),
        (
            "a3,2015-11-04,35.9,39.0,1,1,Raqqa,extra",
            "row 4: too many cells: 8, but the header has 7",
        ),
        ('a3,2015-11-04,35.9,39.0,1,1,"Raq"qa', "row 4: malformed CSV"),
    ],
)
def test_ragged_rows_are_refused_with_their_row(
    node: Node, tmp_path: Path, row: str, expected: str
) -> None:
    csv_path, mapping = write(tmp_path, [*GOOD_ROWS, row])
    report = ingest_file(node, csv_path, mapping=mapping)
    assert not report.committed
    assert any(expected in e for e in report.errors), report.errors


def test_multiline_cells_are_kept_when_the_mapping_allows_them(node: Node, tmp_path: Path) -> None:
    csv_path, mapping = write(tmp_path, [*GOOD_ROWS, 'a3,2015-11-04,35.9,39.0,1,1,"Raqqa', 'east"'])
    mapping.write_text("multiline = true\n" + STRIKES_MAPPING)
    report = ingest_file(node, csv_path, mapping=mapping)
    assert (report.accepted, report.refused) == (3, 0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ('delimiter = ""\n', "strikes.toml.delimiter: must be one character"),
        ("delimeter = ';'\n", "unknown key(s) delimeter"),
        ("encoding = 'klingon'\n", "unknown encoding 'klingon'"),
        ("null_values = 5\n", "strikes.toml.null_values: must be a string or a list of strings"),
        ("kind = 'unicorn'\n", "'kind' must be one of"),
    ],
)
def test_mapping_typos_are_clear_errors(
    node: Node, tmp_path: Path, change: str, expected: str
) -> None:
    csv_path, mapping = write(tmp_path, GOOD_ROWS)
    text = (
        STRIKES_MAPPING.replace('kind = "strike-report"\n', "")
        if "kind" in change
        else STRIKES_MAPPING
    )
    mapping.write_text(change + text)
    report = ingest_file(node, csv_path, mapping=mapping)
    assert not report.committed
    assert any(expected in e for e in report.errors), report.errors


def test_columns_that_are_not_a_table_are_a_clear_error(node: Node, tmp_path: Path) -> None:
    csv_path, mapping = write(tmp_path, GOOD_ROWS)
    head, _ = STRIKES_MAPPING.split("[defaults]")
    mapping.write_text(
        head.replace('kind = "strike-report"', 'kind = "strike-report"\ncolumns = 5')
    )
    report = ingest_file(node, csv_path, mapping=mapping)
    assert any(
        "strikes.toml.columns: must be a table (got 5, an integer)" in e for e in report.errors
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('format = "%Y-%m-%d" }', "format = 5 }", "columns.time_start.format: must be a string"),
        ('type = "float" }', 'type = "decimal" }', "columns.latitude.type: must be one of"),
        ("scale = 1000 }", 'scale = "k" }', "columns.precision.scale: must be a number"),
        ('place_name = "place"', "place_name = 5", "columns.place_name: expected a column name"),
        (
            'place_name = "place"',
            'place_name = { column = "place", lookup = "town" }',
            "columns.place_name.lookup: must be one of party, group",
        ),
    ],
)
def test_mapping_values_of_the_wrong_type_are_clear_errors(
    node: Node, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    csv_path, mapping = write(tmp_path, GOOD_ROWS)
    assert old in STRIKES_MAPPING
    mapping.write_text(STRIKES_MAPPING.replace(old, new, 1))
    report = ingest_file(node, csv_path, mapping=mapping)
    assert not report.committed
    assert any(expected in e for e in report.errors), report.errors


EVENTS_MAPPING = """
kind = "event"
id_columns = ["id"]
null_values = ["NA"]
[defaults]
event_type = "state-based"
[columns]
time_start = { column = "date", format = "%Y-%m-%d" }
time_end = { column = "date", format = "%Y-%m-%d" }
latitude = { column = "lat", type = "float" }
longitude = { column = "lon", type = "float" }
precision = { column = "where_prec", map = { "1" = 1000, "2" = 25000, "3" = 50000 } }
fatalities_low = { column = "low", type = "int" }
fatalities_best = { column = "best", type = "int" }
fatalities_high = { column = "high", type = "int" }
initiator_ref = { column = "side_a", lookup = "group" }
source_id = "id"
[[filters]]
column = "type"
in = ["1", "3"]
"""
EVENT_ROWS = [
    "id,date,lat,lon,where_prec,low,best,high,side_a,type",
    "e1,2016-01-02,35.9,39.0,1,2,3,4,IS,1",
    "e2,2016-01-03,36.1,39.2,2,NA,NA,NA,islamic state,3",
    "e3,2016-01-04,36.2,39.3,3,5,3,9,threat-actor--0b7b6c7f-9e21-4a1a-8a1a-3f1d1d9a7c8e,1",
    "e4,2016-01-05,36.2,39.3,1,1,1,1,IS,2",
]


def _events(node: Node, tmp_path: Path, rows: list[str]) -> tuple[Path, Path]:
    from liaison.registry import add_group

    add_group(node, "Islamic State", aliases=["IS"])
    csv_path, mapping = tmp_path / "ged.csv", tmp_path / "ged.toml"
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping.write_text(EVENTS_MAPPING, encoding="utf-8")
    return csv_path, mapping


def test_nulls_maps_lookups_and_filters(node: Node, tmp_path: Path) -> None:
    import orjson

    from liaison.registry import resolve

    csv_path, mapping = _events(node, tmp_path, EVENT_ROWS)
    report = ingest_file(node, csv_path, mapping=mapping)
    assert (report.accepted, report.refused, report.filtered) == (3, 0, 1)  # e4: type 2
    events = {orjson.loads(v.body)["source_id"]: orjson.loads(v.body)
              for v in node.store.query(Query(kinds=("event",)))}  # fmt: skip
    group = resolve(node.store, "group", "Islamic State")
    assert events["e1"]["initiator_ref"] == group  # alias looked up
    assert events["e2"]["initiator_ref"] == group  # name, any case
    assert "fatalities_best" not in events["e2"]  # "NA" is no value
    assert [events[e]["precision"] for e in ("e1", "e2", "e3")] == [1000, 25000, 50000]
    # UCDP rows with low > best are kept as reported, labelled, and counted as flagged
    assert (events["e3"]["fatalities_low"], events["e3"]["fatalities_best"]) == (5, 3)
    assert events["e3"]["labels"] == ["fatalities-out-of-order"]
    assert report.flagged == 1
    assert (
        "ged.csv row 4" in report.warnings[0]
        and "fatalities_low 5 > fatalities_best 3" in report.warnings[0]
    )


def test_unknown_names_and_codes_are_refused_per_row_into_the_rejects(
    node: Node, tmp_path: Path
) -> None:
    rows = [
        *EVENT_ROWS[:2],
        "e5,2016-01-06,36,39,9,1,1,1,IS,1",
        "e6,2016-01-07,36,39,1,1,1,1,Daesh,1",
    ]
    csv_path, mapping = _events(node, tmp_path, rows)
    lines: list[str] = []
    report = ingest_file(node, csv_path, mapping=mapping, skip_invalid=True, on_refuse=lines.append)
    assert (report.accepted, report.refused) == (1, 2)
    assert lines[0].startswith(
        "ged.csv row 3: field 'precision': '9' (column 'where_prec') is not in its map"
    )
    assert lines[1].startswith("ged.csv row 4: field 'initiator_ref': unknown group 'Daesh'")
    assert lines[1].endswith("(column 'side_a'; known: IS, Islamic State)")
