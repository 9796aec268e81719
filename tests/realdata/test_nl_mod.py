"""The Netherlands MoD strike log: MGRS checked against lat/long, every row accounted for."""

from __future__ import annotations

from pathlib import Path

import orjson

from liaison.ingest.connectors import ingest_source
from liaison.ingest.connectors.nl_mod import check_mgrs
from liaison.node import Node
from liaison.store import Query

HEADER = (
    "Employment date (UNCLASS);Time begin (Z) (UNCLASS);Time end (Z) (UNCLASS);"
    "Position MGRS (UNCLASS);Position LAT (UNCLASS);Position LONG (UNCLASS);Mission (UNCLASS);"
    "Town (UNCLASS);Province (UNCLASS);Country (UNCLASS);Weather (UNCLASS);Terrain (UNCLASS);"
    "Possible CDE issue (UNDCLASS);Comment (UNCLASS)\n"
)


def test_mgrs_check() -> None:
    ok = check_mgrs("38SKF 703 698", 36.74615732, 42.42718297)
    assert not isinstance(ok, str) and ok.same_square and ok.distance_m < 100
    off = check_mgrs("38SKF 703 698", 36.80, 42.42718297)  # 6 km north
    assert not isinstance(off, str) and not off.same_square and off.distance_m > 5_000
    assert "is not a grid reference" in str(check_mgrs("99ZZZ 1", 1.0, 1.0))


def test_rows_grouped_mismatch_reported_cde_marked(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "nl.csv"
    path.write_text(
        HEADER
        + "7-Oct-14;06:20;06:35;38SKF 703 698;36,74615732;42,42718297;CAS;Gursur;;Iraq;;;ND;\n"
        + "7-Oct-14;06:20;06:35;38SKF 703 698;36,74615732;42,42718297;CAS;Gursur;;Iraq;;;ND;\n"
        + "2-jun-15;21:02;;38SKF 703 698;36,80000000;42,42718297;AI;Hawiyjah;;Iraq;;;;"
        "Building facade adjacent to target damaged\n"
        + "8-okt-15;23:50;00:10;38SLF 321 232;36,34;43,13;AI;;;;;;ND;\n"
        + "8-okt-15;xx;;38SKF 703 698;36,74615732;42,42718297;AI;;;;;;ND;\n"
        + ";;;;;;;;;;;;;\n",
        encoding="utf-8",
    )
    done = ingest_source(node, path, "nl-mod")
    assert done.ok, done.ingest.errors
    f = done.findings
    assert f.rows == 5 and dict(f.explained) == {"no-time": 1, "empty-line": 1}
    assert f.notes["mgrs_agreement"] == {"same-square": 3, "within-tolerance": 0, "mismatch": 1}
    assert f.flagged["mgrs-latlong-mismatch"] == 1
    strikes = sorted(
        (orjson.loads(v.body) for v in node.store.query(Query(kinds=("strike-report",)))),
        key=lambda s: s["time_start"],
    )
    assert [s["munitions"] for s in strikes] == [2, 1, 1]  # two rows, one strike
    assert strikes[0]["precision"] == 100 and strikes[1]["precision"] > 5_000
    assert strikes[2]["time_end"] == "2015-10-09T00:10:00Z"  # past midnight
    assert strikes[2]["country"] == "IQ"  # no Country: the nearest gazetteer place's (Mosul)
    assert f.flagged["country-from-nearest-place"] == 1
    assert strikes[1]["labels"] == ["possible-collateral-damage"]
    (harm,) = [orjson.loads(v.body) for v in node.store.query(Query(kinds=("harm-allegation",)))]
    assert harm["alleged_party_ref"] == strikes[1]["party_ref"] and harm["grading"] == "fair"
    assert harm["description"] == "Building facade adjacent to target damaged"
    assert harm["x_strike_ref"] == strikes[1]["id"]


def test_not_the_log(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;2\n")
    done = ingest_source(node, path, "nl-mod")
    assert not done.ok and "not the Netherlands MoD strike log" in done.ingest.errors[0]


def test_the_published_log(node: Node, shared: Path) -> None:
    path = shared / "nl-mod-oir-strikes" / "nl_oir_airstrikes_20230330.csv"
    done = ingest_source(node, path, "nl-mod")
    assert done.ok, done.ingest.errors[:3]
    f = done.findings
    assert f.rows == 2_188 and not f.explained  # every row is part of a strike
    agreement = f.notes["mgrs_agreement"]
    assert sum(agreement.values()) == 2_188
    assert agreement["mismatch"] == 0 and agreement["same-square"] >= 0.99 * 2_188
    strikes = [orjson.loads(v.body) for v in node.store.query(Query(kinds=("strike-report",)))]
    assert sum(s["munitions"] for s in strikes) == 2_188
    rows = sorted(r for s in strikes for r in s["x_nl_mod"]["rows"])
    assert rows == list(range(2, 2_190))  # each data line in exactly one strike
    assert f.records["liaison-harm-allegation"] == f.flagged["possible-collateral-damage"] > 0
    assert {s["country"] for s in strikes} == {"IQ", "SY"}
