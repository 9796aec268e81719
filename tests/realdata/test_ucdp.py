"""The UCDP GED connector: every row ingested or explained."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from liaison.ingest.connectors import ingest_source
from liaison.node import Node
from liaison.store import Query

HEADER = (
    "id,year,type_of_violence,side_a,side_b,dyad_name,where_prec,where_coordinates,latitude,"
    "longitude,country,date_prec,date_start,date_end,low,best,high\n"
)


def _objects(node: Node, kind: str) -> list[dict[str, object]]:
    return [orjson.loads(v.body) for v in node.store.query(Query(kinds=(kind,)))]


def test_csv_events_presence_flags_and_explanations(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    path.write_text(
        HEADER
        + "1,2016,1,Government of Syria,IS,Government of Syria - IS,1,Palmyra town,34.56,38.28,"
        "Syria,1,2016-03-01,2016-03-02,10,12,15\n"
        + "2,2016,3,IS,Civilians,IS - Civilians,2,Raqqa,35.95,39.01,Syria,1,2016-03-05,"
        "2016-03-05,5,3,7\n"  # low > best: kept and flagged
         + "3,2016,2,SDF,Some new faction,SDF - Some new faction,9,X,36.5,40.7,Syria,1,2016-03-06,"
        "2016-03-06,1,1,1\n"  # where_prec 9 has no precision
        + "4,2016,1,Government of Syria,IS,x,1,X,NA,NA,Syria,1,2016-03-06,2016-03-06,1,1,1\n"
        + "5,2016,2,SDF,Some new faction,SDF - Some new faction,1,Y,36.5,40.7,Syria,1,2016-03-07,"
        "2016-03-07,0,0,0\n"
    )
    done = ingest_source(node, path, "ucdp")
    assert done.ok, done.ingest.errors
    f = done.findings
    assert f.rows == 5
    assert dict(f.explained) == {"no-location": 2}
    assert dict(f.flagged) == {"fatalities-not-ordered": 1}
    events = {e["source_id"]: e for e in _objects(node, "event")}
    assert set(events) == {"1", "2", "5"}
    assert (
        events["1"]["fatalities_low"],
        events["1"]["fatalities_best"],
        events["1"]["fatalities_high"],
    ) == (10, 12, 15)
    flagged = events["2"]
    assert "fatalities_low" not in flagged and flagged["fatalities_best"] == 3
    assert flagged["x_ucdp_fatalities"] == {"low": 5, "best": 3, "high": 7}
    groups = {g["id"]: g["name"] for g in _objects(node, "group")}
    assert groups[flagged["initiator_ref"]] == "Islamic State"  # one-sided: side a
    assert "initiator_ref" not in events["1"]  # state-based: no initiator is coded
    assert "Some new faction" in groups.values()  # not in the table: a group of its own
    assert events["1"]["precision"] == 2000 and events["1"]["reliability"] == "B"
    sightings = _objects(node, "presence")
    seen = Counter(groups[s["sighting_of_ref"]] for s in sightings)
    assert seen == {
        "Syrian government forces": 1,
        "Islamic State": 2,
        "Syrian Democratic Forces (YPG)": 1,
        "Some new faction": 1,
    }
    again = ingest_source(node, path, "ucdp")
    # the same records again, and the groups are now the node's (not made twice)
    assert again.ingest.accepted == 0 and again.ingest.unchanged == 3 + 5


def test_settings_select_and_the_table_is_editable(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    path.write_text(
        HEADER
        + "1,2015,1,Government of Syria,IS,x,1,A,34.5,38.2,Syria,1,2015-03-01,2015-03-01,1,1,1\n"
        + "2,2016,1,Government of Iraq,IS,x,1,B,34.5,43.2,Iraq,1,2016-03-01,2016-03-01,1,1,1\n"
    )
    mapping = tmp_path / "ucdp.toml"
    mapping.write_text(
        'since = "2016-01-01"\nreliability = "C"\n'
        '[groups."Daesh (our name)"]\naliases = ["ISIS"]\nucdp = ["IS"]\n'
    )
    done = ingest_source(node, path, "ucdp", mapping=mapping)
    assert dict(done.findings.explained) == {"outside-selected-period": 1}
    names = {g["name"] for g in _objects(node, "group")}
    assert "Daesh (our name)" in names and "Islamic State" not in names
    assert {e["reliability"] for e in _objects(node, "event")} == {"C"}


def test_not_a_ged_table(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    done = ingest_source(node, path, "ucdp")
    assert not done.ok
    assert "not a UCDP GED table: column(s) id, side_a" in done.ingest.errors[0]
    (tmp_path / "x.rds").write_bytes(b"not R data")
    done = ingest_source(node, tmp_path / "x.rds", "ucdp")
    assert not done.ok and "not a readable R data file" in done.ingest.errors[0]


def test_ged_syria_every_row(node: Node, shared: Path) -> None:
    path = shared / "ucdp-ged-syria" / "ucdp_syria_df.rda"
    done = ingest_source(node, path, "ucdp")
    assert done.ok, done.ingest.errors[:3]
    f = done.findings
    assert f.rows == 16_566  # PROVENANCE.md
    assert f.records["liaison-event"] == 16_566 and not f.explained
    assert f.flagged == {"fatalities-not-ordered": 101}
    by_type = Counter(e["event_type"] for e in _objects(node, "event"))
    assert by_type == {"state-based": 11_507, "non-state": 4_577, "one-sided": 482}
    assert f.records["sighting"] > 16_566  # most events have two armed sides


def test_ged_region_year_only_rows(node: Node, shared: Path) -> None:
    path = shared / "ucdp-ged-syria-iraq-region" / "syria-iraq.rds"
    done = ingest_source(node, path, "ucdp", options={"years": [2015], "countries": ["Iraq"]})
    assert done.ok
    f = done.findings
    assert f.rows == 59_005
    assert "liaison-event" not in f.records  # dated by year only: presence, not events
    kept = f.rows - sum(f.explained.values())
    assert kept == 500  # PROVENANCE.md: Iraq 2015, 500 events
    year = _objects(node, "presence")
    assert {(s["first_seen"], s["last_seen"]) for s in year} == {
        ("2015-01-01T00:00:00Z", "2015-12-31T23:59:59Z")
    }
    ext = next(iter(year[0]["extensions"].values()))
    assert ext["credibility"] == 4  # the week is unknown
    assert set(f.explained) == {"outside-selected-years", "outside-selected-countries"}


@pytest.mark.parametrize("fmt", ["ucdp"])
def test_cli_ingest_prints_the_findings(tmp_path: Path, fmt: str) -> None:
    from click.testing import CliRunner

    from liaison.cli import cli

    path = tmp_path / "ged.csv"
    path.write_text(
        HEADER + "1,2016,1,Government of Syria,IS,x,1,A,34.5,38.2,Syria,1,2016-03-01,"
        "2016-03-01,NA,NA,NA\n2,2016,1,Government of Syria,IS,x,1,A,,,Syria,1,2016-03-01,"
        "2016-03-01,1,1,1\n"
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "n"), "--party", "p"]).exit_code == 0
    result = runner.invoke(
        cli, ["ingest", "--node", str(tmp_path / "n"), "--format", fmt, str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "5 accepted" in result.output  # the event, two sightings and two groups
    assert "not a record (no-location): 1" in result.output
