"""The real case: the targeting share on the Islamic State, 2015–2016, from open data.

One node ingests the shared data through the connectors — IS presence from UCDP
GED (dated events for 2016, year-level events for 2015 and for Iraq),
coalition strikes from the CENTCOM / CJTF-OIR releases and the Dutch MoD log,
alleged Russian strikes from the Syrian Archive — runs the method
(``liaison.node.assessment``, i.e. ``liaison.assess.run``) and writes a report:
the share of each party's strikes that fell where the Islamic State was present,
with its interval and its sensitivity. docs/real-case.md reads the figures.

``python -m liaison.data.realcase --data ../shared/data --out real-case`` (``make real-case``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from rich.console import Console

    from liaison.ingest.connectors import ConnectorReport
    from liaison.ingest.geocode import Gazetteer
    from liaison.node import Node

__all__ = ["PERIODS", "RealCase", "demo_step", "find_data", "main", "run_real_case"]

MARKER = ".liaison-real-case"
IS_GROUP = "Islamic State"
#: Periods assessed: the Russian campaign from its first day (30 Sep 2015) to the
#: end of 2016, and its first quarter (the time of the published estimates).
PERIODS: dict[str, tuple[str, str]] = {
    "2015-09-30 – 2016-12-31": ("2015-09-30", "2016-12-31"),
    "2015-09-30 – 2015-12-31": ("2015-09-30", "2015-12-31"),
    "2016": ("2016-01-01", "2016-12-31"),
}
#: Published estimates of the share of Russian strikes that hit the Islamic State.
PUBLISHED = (
    (
        "Reuters, 21 Oct 2015",
        "at most 15 of 64 named Russian strike locations in IS-held areas",
        "≤ 23 %",
        "2015-09-30 – 2015-10-20",
    ),
    (
        "IHS Jane's Terrorism and Insurgency Centre, May 2018",
        "960 of 6,833 Russian and Syrian strikes",
        "14 %",
        "2015-09 – 2018-03",
    ),
    ("UK defence secretary (Michael Fallon), Oct–Nov 2015", "statement", "about 5 %", "2015-10"),
    ("French minister, Dec 2015 (DESIGN.md R9)", "statement", "10–20 %", "2015-10 – 2015-12"),
)
_START_MS = 1_700_000_000_000  # a fixed clock: the same data give the same report


def find_data(explicit: Path | None = None) -> Path | None:
    """The shared data folder: ``explicit``, ``$LIAISON_DATA``, or ``../shared/data``."""
    for candidate in (explicit, os.environ.get("LIAISON_DATA"), Path("../shared/data")):
        if candidate and (Path(candidate) / "ucdp-ged-syria").is_dir():
            return Path(candidate)
    return None


@dataclass
class RealCase:
    """What the real case did: the sources read, the figures, where the report is."""

    out_dir: Path
    sources: list[dict[str, Any]] = field(default_factory=list)
    periods: dict[str, dict[str, Any]] = field(default_factory=dict)
    method_version: str = ""
    seconds: float = 0.0
    report: Path | None = None


def _gazetteer(data: Path) -> Callable[[], Gazetteer]:
    from liaison.ingest.geocode import load_gazetteer

    made: list[Gazetteer] = []

    def build() -> Gazetteer:
        if not made:
            made.append(
                load_gazetteer(
                    [
                        data / "guardian-syria" / "syria-locations.tsv",
                        data / "guardian-syria" / "iraq-locations.tsv",
                        data / "syrian-archive" / "syrian_places.csv",
                        data / "syrian-archive-locations" / "locations.json",
                    ]
                )
            )
        return made[0]

    return build


#: (label, file under the data folder, connector, settings overrides)
_SOURCES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    (
        "UCDP GED Syria, dated events (2015-09 → 2016-12 selected)",
        "ucdp-ged-syria/ucdp_syria_df.rda",
        "ucdp",
        {"since": "2015-09-01", "until": "2016-12-31"},
    ),
    (
        "UCDP GED Syria and Iraq, year only, 2015",
        "ucdp-ged-syria-iraq-region/syria-iraq.rds",
        "ucdp",
        {"years": [2015], "countries": ["Syria", "Iraq"]},
    ),
    (
        "UCDP GED Iraq, year only, 2016",
        "ucdp-ged-syria-iraq-region/syria-iraq.rds",
        "ucdp",
        {"years": [2016], "countries": ["Iraq"]},
    ),
    ("CENTCOM / CJTF-OIR strike releases", "centcom-strike-releases/all.csv", "strike-release", {}),
    (
        "Netherlands MoD strike log",
        "nl-mod-oir-strikes/nl_oir_airstrikes_20230330.csv",
        "nl-mod",
        {},
    ),
    (
        "Syrian Archive (alleged Russian attacks)",
        "syrian-archive/violations.csv",
        "syrian-archive",
        {},
    ),
)


def run_real_case(
    data: Path,
    out_dir: Path,
    *,
    console: Console | None = None,
    fresh: bool = True,
    periods: dict[str, tuple[str, str]] | None = None,
) -> RealCase:
    """Ingest the shared data into a new node under ``out_dir``, assess each of
    ``periods`` (default ``PERIODS``), and write the report."""
    from liaison.ingest.connectors import ingest_source
    from liaison.node import SteppingClock, init_node, seeded_ids

    began = time.perf_counter()
    if fresh:
        _fresh_dir(out_dir)
    case = RealCase(out_dir)
    node = init_node(
        out_dir / "node", "real-case analyst", clock=SteppingClock(_START_MS), ids=seeded_ids(2015)
    )
    gazetteer = _gazetteer(data)
    try:
        for label, rel, fmt, options in _SOURCES:
            path = data / rel
            done = ingest_source(node, path, fmt, options=options, gazetteer=gazetteer)
            case.sources.append(_source_summary(label, path, fmt, done))
            _say(
                console,
                f"{label}: {done.ingest.accepted:,} records stored, "
                f"{done.ingest.refused} refused, "
                f"{sum(done.findings.explained.values()):,} rows explained",
            )
            if not done.ok:
                raise SystemExit(f"{path}: refused: {done.ingest.errors[:3]}")
        _assess(node, case, periods or PERIODS, console)
    finally:
        node.close()
    case.seconds = time.perf_counter() - began
    case.report = _write(case)
    _say(console, f"report: {case.report} ({case.seconds:.0f} s)")
    return case


def _assess(
    node: Node, case: RealCase, periods: dict[str, tuple[str, str]], console: Console | None
) -> None:
    from liaison.assess import Params
    from liaison.node.assessment import assess_node

    ids = _names(node)
    is_group = next((i for i, n in ids.items() if n == IS_GROUP), None)
    if is_group is None:
        raise SystemExit("no Islamic State group after ingest")
    for n, (label, (start, end)) in enumerate(periods.items()):
        period = (_ms(start), _ms(end, end_of_day=True))
        done = assess_node(
            node,
            Params(),
            period=period,
            store_results=False,
            out_dir=case.out_dir / "report" if n == 0 else None,
        )
        data = done.result.data
        case.method_version = data["method_version"]
        case.periods[label] = _targeting(data, is_group, ids)
        _say(
            console,
            f"assessed {label}: "
            + "; ".join(
                f"{p['party']} {_pct(p['share'])} [{_pct(p['ci_low'])}–{_pct(p['ci_high'])}]"
                for p in case.periods[label]["parties"]
            ),
        )


def _targeting(data: dict[str, Any], is_group: str, names: dict[str, str]) -> dict[str, Any]:
    rows = []
    for row in data["targeting"]:
        share = next((g for g in row.get("groups", []) if g["group"] == is_group), None)
        others = sorted(
            (
                (names.get(g["group"], g["group"]), g["share"])
                for g in row.get("groups", [])
                if g["group"] != is_group and (g["share"] or 0) > 0
            ),
            key=lambda x: -x[1],
        )[:4]
        sensitivity = [
            {
                "threshold": s["threshold"],
                "tolerance_m": s["tolerance_m"],
                "share": s["shares"].get(is_group),
                "share_any": s["shares_any"].get(is_group),
                "no_known_group": s["no_known_group"],
            }
            for s in row.get("sensitivity", [])
        ]
        rows.append(
            {
                "party": names.get(row["party"], row["party"]),
                "reports": row.get("reports"),
                "strikes": row.get("strikes"),
                "share": share["share"] if share else None,
                "ci_low": share["ci_low"] if share else None,
                "ci_high": share["ci_high"] if share else None,
                "share_any": share["share_any"] if share else None,
                "ambiguous_bounds": share.get("ambiguous_bounds") if share else None,
                "claimed_share": share["claimed_share"] if share else None,
                "no_known_group": (row.get("no_known_group") or {}).get("share"),
                "other_groups": others,
                "sensitivity": sensitivity,
                "message": row.get("message"),
            }
        )
    return {
        "parties": rows,
        "inputs": data["inputs"],
        "inputs_digest": data["inputs_digest"],
        "messages": [m["text"] for m in data.get("messages", [])],
        "parameters": {
            k: data["parameters"].get(k)
            for k in (
                "resolution",
                "presence_threshold",
                "presence_floor_m",
                "presence_half_life_weeks",
                "bootstrap_replicates",
                "confidence_level",
            )
        },
    }


def _names(node: Node) -> dict[str, str]:
    from liaison.store import Query

    out = {}
    for v in node.store.query(Query(kinds=("group", "party"))):
        out[v.index.id] = orjson.loads(v.body)["name"]
    from liaison.ingest.connectors import record_id

    for name in ("CJTF-OIR (US-led coalition)", "Netherlands (Ministry of Defence)", "Russia"):
        out.setdefault(record_id("identity", node.party_id, f"party/{name}"), name)
    return out


def _source_summary(label: str, path: Path, fmt: str, done: ConnectorReport) -> dict[str, Any]:
    f = done.findings
    return {
        "label": label,
        "file": str(path),
        "format": fmt,
        "rows": f.rows,
        "records": dict(f.records),
        "stored": done.ingest.accepted,
        "unchanged": done.ingest.unchanged,
        "refused": done.ingest.refused,
        "explained": dict(f.explained),
        "flagged": dict(f.flagged),
        "notes": {k: v for k, v in f.notes.items() if isinstance(v, str | int | float)},
    }


def _write(case: RealCase) -> Path:
    from liaison.data._realcase_report import render_markdown

    case.out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "method_version": case.method_version,
        "seconds": round(case.seconds, 1),
        "sources": case.sources,
        "periods": case.periods,
        "published": [
            dict(zip(("source", "basis", "share", "period"), p, strict=True)) for p in PUBLISHED
        ],
    }
    (case.out_dir / "real-case.json").write_bytes(
        orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
    )
    path = case.out_dir / "real-case.md"
    path.write_text(render_markdown(payload), encoding="utf-8")
    return path


def demo_step(root: Path, console: Console) -> RealCase | None:
    """The demo's last step: the real case on the shared data, when it is there
    (``$LIAISON_DATA`` or ``../shared/data``), over the whole campaign period."""
    data = find_data()
    if data is None:
        console.print("real case skipped: no shared data folder (set LIAISON_DATA)")
        return None
    first = next(iter(PERIODS.items()))
    case = run_real_case(data, root / "real-case", console=console, periods=dict([first]))
    for p in case.periods[first[0]]["parties"]:
        console.print(
            f"  {p['party']}: {_pct(p['share_any'])} of {p['strikes']:,} strikes where the "
            f"Islamic State was present ({_pct(p['share'])} attributed to it, 95 % interval "
            f"{_pct(p['ci_low'])}–{_pct(p['ci_high'])})"
        )
    return case


def _fresh_dir(path: Path) -> None:
    if path.exists():
        if not (path / MARKER).exists():
            raise SystemExit(f"{path} exists and was not made by the real case; choose another")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by `make real-case`; safe to delete\n")


def _ms(day: str, *, end_of_day: bool = False) -> int:
    d = datetime.fromisoformat(day).replace(tzinfo=UTC)
    ms = int(d.timestamp() * 1000)
    return ms + 86_399_999 if end_of_day else ms


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _say(console: Console | None, text: str) -> None:
    if console is not None:
        console.print(text)


def main(argv: list[str] | None = None) -> None:
    from rich.console import Console

    parser = argparse.ArgumentParser(prog="python -m liaison.data.realcase", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="the shared data folder")
    parser.add_argument("--out", type=Path, default=Path("real-case"), help="output folder")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    data = find_data(args.data)
    if data is None:
        raise SystemExit(
            "the shared data folder was not found (give --data, or set LIAISON_DATA); "
            "`liaison data fetch NAME` downloads each dataset"
        )
    run_real_case(data, args.out, console=Console())


if __name__ == "__main__":
    main()
