"""The strike-release connector on the shared CENTCOM / CJTF-OIR data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from liaison.ingest.connectors import ingest_source
from liaison.ingest.geocode import Gazetteer
from liaison.node import Node
from liaison.store import Query
from tests.realdata import centcom_reference
from tests.realdata.labels import HELD_OUT, measure


def _all_csv(shared: Path) -> Path:
    return shared / "centcom-strike-releases" / "all.csv"


def test_release_lines_agree_with_the_reference_columns(
    shared: Path, shared_gazetteer: Gazetteer
) -> None:
    rows = centcom_reference.rows(_all_csv(shared))
    assert len(rows) == 5605  # PROVENANCE.md
    found = {d.key: d for r in rows if (d := centcom_reference.compare(r, shared_gazetteer))}
    listed = centcom_reference.read_fixture()
    # Every difference is listed with its reason, and nothing listed has gone away.
    assert {k: (d.reference.strip(), d.parsed, d.reason) for k, d in found.items()} == {
        k: tuple(v) for k, v in listed.items()
    }
    disagreements = [d for d in found.values() if d.reason.startswith("disagreement")]
    assert 1 - len(disagreements) / len(rows) >= 0.99


def test_targets_and_effects_against_the_hand_labels(shared: Path) -> None:
    m = measure(_all_csv(shared))
    assert m.lines >= 200
    assert m.precision() >= 0.95 and m.recall() >= 0.95, (m.precision(), m.recall())
    for category in ("fighting-unit", "fighting-position", "vehicle", "oil-infrastructure"):
        assert m.precision(category) >= 0.9 and m.recall(category) >= 0.9, category
    assert m.counts_equal == m.counts_compared  # every count read right where both have one
    held_out = measure(_all_csv(shared), HELD_OUT)  # labelled after the table was corrected
    assert held_out.lines == 60
    assert held_out.precision() >= 0.95 and held_out.recall() >= 0.95


def test_every_line_is_ingested_or_explained(
    node: Node, shared: Path, shared_gazetteer: Gazetteer
) -> None:
    done = ingest_source(
        node, _all_csv(shared), "strike-release", gazetteer=lambda: shared_gazetteer
    )
    assert done.ok, done.ingest.errors[:3]
    f = done.findings
    assert f.rows == 5605
    strikes = f.records["liaison-strike-report"]
    explained = sum(f.explained.values())
    # 2014 paragraphs hold several clauses: clauses = reports + clauses not geocoded
    assert strikes + explained >= f.rows
    assert set(f.explained) <= {"place-not-in-gazetteer"}
    assert explained <= 0.01 * f.rows
    assert all("not found in the gazetteer" in e for e in f.examples["place-not-in-gazetteer"])
    stored = [orjson.loads(v.body) for v in node.store.query(Query(kinds=("strike-report",)))]
    assert len(stored) == strikes
    by_party = Counter(s["party_ref"] for s in stored)
    assert len(by_party) == 1  # the releasing party
    near = [s for s in stored if s["x_release"]["qualifier"] == "near"]
    assert min(s["precision"] for s in near) >= 20_000  # "near X" is tens of kilometres
    raqqa = next(
        s
        for s in stored
        if s["x_release"]["line"] == "Near Ar Raqqah, one strike destroyed two oil pump jacks."
    )
    assert (raqqa["time_start"], raqqa["time_end"]) == (
        "2016-10-16T00:00:00Z",
        "2016-10-16T23:59:59Z",
    )
    assert (raqqa["target_category"], raqqa["claimed_effect"], raqqa["strikes"]) == (
        "oil-infrastructure",
        "destroyed",
        1,
    )
    logistics = [orjson.loads(v.body) for v in node.store.query(Query(kinds=("logistics",)))]
    assert len(logistics) == f.records["liaison-logistics"] > 100
    kinds = Counter(x["logistics_kind"] for x in logistics)
    assert kinds["oil-trade"] > kinds["supply-route"] > 0
    raqqa_oil = [x for x in logistics if x["x_strike_ref"] == raqqa["id"]]
    assert [(x["logistics_kind"], x["count"]) for x in raqqa_oil] == [("oil-trade", 2)]
    again = ingest_source(
        node, _all_csv(shared), "strike-release", gazetteer=lambda: shared_gazetteer
    )
    assert (again.ingest.accepted, again.ingest.refused) == (0, 0)  # idempotent


def test_the_full_release_text_is_the_same_records(
    node: Node, shared: Path, shared_gazetteer: Gazetteer
) -> None:
    folder = shared / "centcom-strike-releases"
    g = lambda: shared_gazetteer  # noqa: E731
    text = ingest_source(node, folder / "release-20151102-01.txt", "strike-release", gazetteer=g)
    assert text.ok and text.findings.rows == 12
    assert text.findings.records["liaison-strike-report"] == 12
    stored = [orjson.loads(v.body) for v in node.store.query(Query(kinds=("strike-report",)))]
    # the opening sentence names the day: "On Nov. 1, coalition military forces …"
    assert {s["time_start"][:10] for s in stored} == {"2015-11-01"}
    assert {s["country"] for s in stored} == {"SY", "IQ"}
    csv = ingest_source(node, folder / "all.csv", "strike-release", gazetteer=g)
    assert csv.ok, csv.ingest.errors[:3]
    assert csv.ingest.unchanged >= 12  # the same sentences from the CSV: the same records


def test_release_date_is_required_without_a_date_line(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "release.txt"
    path.write_text("Syria\n* Near Ar Raqqah, one strike destroyed an ISIL vehicle.\n")
    done = ingest_source(node, path, "strike-release")
    assert not done.ok and "give it with --release-date" in done.ingest.errors[0]
    dated = ingest_source(node, path, "strike-release", options={"release_date": "2015-11-02"})
    assert dated.ok and dated.findings.records["liaison-strike-report"] == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("when,what\n1/2/2015,x\n", "needs columns 'date' and 'line'"),
        (
            "date,line\n2015-13-45,- Near Mosul, one strike struck an ISIL unit.\n",
            "line 2: field 'date': '2015-13-45' is not a date",
        ),
    ],
)
def test_bad_csv_is_refused_with_a_reason(
    node: Node, tmp_path: Path, text: str, error: str
) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(text)
    done = ingest_source(node, path, "strike-release")
    assert not done.ok and not done.ingest.committed
    assert error in done.ingest.errors[0]


def test_unreadable_and_ungeocodable_lines_are_counted_not_dropped(
    node: Node, tmp_path: Path, small_gazetteer: object
) -> None:
    path = tmp_path / "lines.csv"
    path.write_text(
        "date,line\n"
        '11/02/2015,"- Near Ar Raqqah, one strike destroyed an ISIL vehicle."\n'
        "11/02/2015,All aircraft returned to base safely.\n"
        '11/02/2015,"- Near Nowhereville, two strikes struck an ISIL unit."\n'
    )
    done = ingest_source(node, path, "strike-release", gazetteer=small_gazetteer)  # type: ignore[arg-type]
    assert done.ok
    assert done.findings.records["liaison-strike-report"] == 1
    assert dict(done.findings.explained) == {"unreadable-line": 1, "place-not-in-gazetteer": 1}
    assert "line 3" in done.findings.examples["unreadable-line"][0]
    assert "'Nowhereville' not found" in done.findings.examples["place-not-in-gazetteer"][0]


def test_settings_errors_are_clear(node: Node, tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text('partyy = "x"\n')
    done = ingest_source(node, tmp_path / "none.csv", "strike-release", mapping=mapping)
    assert not done.ok and "unknown field `partyy`" in done.ingest.errors[0]
    mapping.write_text('[[categories]]\nname = "x"\npattern = "("\n')
    (tmp_path / "l.csv").write_text("date,line\n1/2/2015,x\n")
    done = ingest_source(node, tmp_path / "l.csv", "strike-release", mapping=mapping)
    assert not done.ok and "categories #1" in done.ingest.errors[0]
