"""Commands of the method: simulate a conflict, assess what the node holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson
from rich.console import Console
from rich.table import Table

from liaison.assess import AssessmentError, Params
from liaison.assess.simulate import simulate as simulate_conflict
from liaison.cli._common import EXIT_REFUSED, EXIT_USAGE, fail, node_option, opened, when
from liaison.node.assessment import assess_node


@click.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, required=True, help="Same seed, same bytes.")
@click.option("--weeks", type=click.IntRange(8, 520), default=52, show_default=True)
@click.option("--parties", default="A,B", show_default=True, help="Comma-separated party names.")
@click.option("--strikes", type=click.IntRange(10, 1_000_000), default=1500, show_default=True,
              help="Strikes per party.")  # fmt: skip
@click.option(
    "--bbox", help="LAT_MIN,LON_MIN,LAT_MAX,LON_MAX of the theatre (smaller = fewer records)."
)
def simulate(
    out: Path, seed: int, weeks: int, parties: str, strikes: int, bbox: str | None
) -> None:
    """Write a synthetic conflict with known ground truth (STIX bundles + ground_truth.json)."""
    names = [p.strip() for p in parties.split(",") if p.strip()]
    if not names:
        fail("--parties: give at least one party name", EXIT_USAGE)
    box = None
    if bbox is not None:
        try:
            a, b, c, d = (float(x) for x in bbox.split(","))
        except ValueError:
            fail("--bbox: expected LAT_MIN,LON_MIN,LAT_MAX,LON_MAX", EXIT_USAGE)
        box = (a, b, c, d)
    try:
        summary = simulate_conflict(
            out, seed=seed, weeks=weeks, parties=names, strikes_per_party=strikes, bbox=box
        )
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    for name, path in summary.bundles.items():
        click.echo(f"{name}: {path}")
    click.echo(f"ground truth: {summary.ground_truth}")
    click.echo(", ".join(f"{k} {v:,}" for k, v in summary.counts.items()))


@click.command()
@click.option("--group", help="Group id or name (default: every group).")
@click.option("--party", help="Party id or name (default: every party).")
@click.option("--from", "date_from", help="Start of the period (YYYY-MM-DD).")
@click.option("--to", "date_to", help="End of the period (YYYY-MM-DD).")
@click.option("--params", "params_file", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON file of method parameters (docs/method.md).")  # fmt: skip
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write report.html and assessment.json here.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the assessment JSON.")
@click.option("--no-store", is_flag=True, help="Do not keep the results as assessment records.")
@node_option
def assess(
    group: str | None,
    party: str | None,
    date_from: str | None,
    date_to: str | None,
    params_file: Path | None,
    out_dir: Path | None,
    as_json: bool,
    no_store: bool,
    node_dir: Path,
) -> None:
    """Assess groups and strikes from the node's records (its own and received)."""
    params = _params(params_file)
    start, end = when(date_from, "from"), when(date_to, "to", end_of_day=True)
    period = None
    if start is not None or end is not None:
        period = (start if start is not None else 0, end if end is not None else 2**53)
    with opened(node_dir) as node:
        try:
            done = assess_node(
                node,
                params,
                group=group,
                party=party,
                period=period,
                out_dir=out_dir,
                store_results=not no_store,
            )
        except AssessmentError as exc:
            fail(str(exc), EXIT_REFUSED)
    if as_json:
        click.echo(done.result.to_json_bytes().decode(), nl=False)
        return
    _summary(done.result.data, Console())
    if done.report is not None:
        click.echo(f"report: {done.report}")
    if not no_store:
        click.echo(f"stored {done.stored} assessment record(s) in the node")


def _params(path: Path | None) -> Params | None:
    if path is None:
        return None
    try:
        return Params.from_dict(orjson.loads(path.read_bytes()))
    except OSError as exc:
        fail(f"{path}: {exc.strerror}", EXIT_USAGE)
    except (orjson.JSONDecodeError, ValueError, TypeError) as exc:
        fail(f"{path}: {exc}", EXIT_USAGE)


def _summary(data: dict[str, Any], console: Console) -> None:
    names = {g["id"]: g["name"] for g in data["groups"]}
    names |= {p["id"]: p["name"] for p in data["parties"]}
    table = Table("party", "group", "targeting share", "95 % interval", title="Targeting share")
    for row in data["targeting"]:
        for g in row.get("groups", []):
            if g["share"] >= 0.01:
                table.add_row(
                    names.get(row["party"], row["party"]),
                    names.get(g["group"], g["group"]),
                    f"{g['share']:.1%}",
                    f"{g['ci_low']:.1%} – {g['ci_high']:.1%}",
                )
        nk = row.get("no_known_group")
        if nk:
            interval = f"{nk['ci_low']:.1%} – {nk['ci_high']:.1%}"
            party = names.get(row["party"], row["party"])
            table.add_row(party, "no known group", f"{nk['share']:.1%}", interval)
    console.print(table)
    corr = Table("party", "claims", "corroborated", "claim inflation (points)",
                 title="Corroboration of claimed effects")  # fmt: skip
    for row in data["corroboration"]:
        rate = row.get("corroboration_rate")
        infl = row.get("inflation_points")
        corr.add_row(
            names.get(row["party"], row["party"]),
            str(row.get("claims", 0)),
            "—" if rate is None else f"{rate:.1%}",
            "—" if infl is None else f"{infl:+.1f}",
        )
    console.print(corr)
    for message in data["messages"]:
        console.print(f"[yellow]{message['level']}[/]: {message['text']}")
