"""Commands over records: ingest, list, show, export."""

from __future__ import annotations

from pathlib import Path

import click
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from liaison.cli._common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    fail,
    node_option,
    opened,
    require_record,
    when,
)
from liaison.exchange import materialise_releases
from liaison.export import export_records
from liaison.ingest import ingest_file
from liaison.ingest.connectors import FORMATS as CONNECTOR_FORMATS
from liaison.ingest.connectors import ingest_source
from liaison.node import verify_record
from liaison.records import KINDS
from liaison.store import Near, Query
from liaison.store.exchange import receipts_of


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["stix", "csv", *CONNECTOR_FORMATS]),
    help="Default: by suffix. Open-data connectors: docs/connectors.md.",
)
@click.option(
    "--mapping", type=click.Path(path_type=Path), help="Column mapping (CSV) or connector settings."
)
@click.option("--skip-invalid", is_flag=True, help="Keep the valid records of a bad file.")
@click.option("--release-date", help="strike-release: the release's date (YYYY-MM-DD).")
@click.option("--party", help="strike-release, nl-mod: the striking party's name.")
@node_option
def ingest(
    files: tuple[Path, ...],
    fmt: str | None,
    mapping: Path | None,
    skip_invalid: bool,
    release_date: str | None,
    party: str | None,
    node_dir: Path,
) -> None:
    """Validate, sign, store and audit the records of FILES."""
    console = Console(stderr=True)
    refused = False
    with opened(node_dir) as node:
        for path in files:
            if not path.is_file():
                click.echo(f"error: {path}: no such file", err=True)
                refused = True
                continue
            with Progress(
                TextColumn(f"[bold]{path.name}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("records"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
                disable=not console.is_terminal,
            ) as bar:
                task = bar.add_task("ingest", total=None)
                advance = lambda n, t=task: bar.advance(t, n)  # noqa: E731
                found: list[str] = []
                if fmt in CONNECTOR_FORMATS:
                    options = {"release_date": release_date, "party": party}
                    done = ingest_source(
                        node, path, fmt, mapping=mapping, options=options,
                        skip_invalid=skip_invalid, progress=advance,
                    )  # fmt: skip
                    report, found = done.ingest, done.findings.lines()[1:]
                else:
                    report = ingest_file(
                        node,
                        path,
                        format=fmt,  # type: ignore[arg-type]
                        mapping=mapping,
                        skip_invalid=skip_invalid,
                        progress=advance,
                    )
            for message in report.errors:
                click.echo(f"error: {message}", err=True)
            if report.refused > len(report.errors):
                click.echo(f"error: … and {report.refused - len(report.errors)} more", err=True)
            state = "" if report.committed else " — nothing stored (file refused as a whole)"
            click.echo(
                f"{path}: {report.accepted} accepted, {report.unchanged} unchanged, "
                f"{report.refused} refused{state}"
            )
            for line in found:
                click.echo(line)
            refused = refused or not report.ok
        released = materialise_releases(node)  # partners' tables follow what was stored
        for partner, n in sorted(released.released.items()):
            click.echo(f"released to {partner}: {n}")
    if refused:
        raise SystemExit(EXIT_REFUSED)


def _near(value: str | None) -> Near | None:
    if value is None:
        return None
    try:
        lat, lon, km = (float(x) for x in value.split(","))
        return Near(lat, lon, km)
    except ValueError as exc:
        fail(f"--near: expected LAT,LON,KM ({exc})", EXIT_USAGE)


@click.command("list")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS))
@click.option("--group", help="Group (threat-actor) id.")
@click.option("--party", help="Party (identity) id.")
@click.option("--since", help="Start of the time window (YYYY-MM-DD or timestamp).")
@click.option("--until", help="End of the time window.")
@click.option("--near", help="LAT,LON,KM: within KM kilometres of a point.")
@click.option("--limit", type=int, default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@node_option
def list_(
    kinds: tuple[str, ...],
    group: str | None,
    party: str | None,
    since: str | None,
    until: str | None,
    near: str | None,
    limit: int | None,
    as_json: bool,
    node_dir: Path,
) -> None:
    """List records by kind, group, party, time window and area."""
    query = Query(
        kinds=kinds,
        group=group,
        party=party,
        since_ms=when(since, "since"),
        until_ms=when(until, "until", end_of_day=True),
        near=_near(near),
        limit=limit,
    )
    with opened(node_dir) as node:
        versions = node.store.query(query)
        if as_json:
            for v in versions:
                click.echo(v.body.decode())
            return
        console = Console()
        if not console.is_terminal:
            console = Console(width=220)
        table = Table("id", "kind", "modified", "time", "lat", "lon", "from")
        n = 0
        for v in versions:
            ix = v.index
            day = "" if ix.time_start_ms is None else _day(ix.time_start_ms)
            table.add_row(
                ix.id + (" (revoked)" if ix.revoked else ""),
                ix.kind,
                ix.modified,
                day,
                "" if ix.latitude is None else f"{ix.latitude:.4f}",
                "" if ix.longitude is None else f"{ix.longitude:.4f}",
                v.received_from or "",
            )
            n += 1
        console.print(table)
        click.echo(f"{n} record(s)")


def _day(ms: int) -> str:
    from liaison.records import format_timestamp

    return format_timestamp(ms)[:10]


@click.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Print the stored STIX object only.")
@node_option
def show(record_id: str, as_json: bool, node_dir: Path) -> None:
    """Show the latest version of a record and check its signature."""
    with opened(node_dir) as node:
        version = require_record(node, record_id)
        if as_json:
            click.echo(orjson.dumps(orjson.loads(version.body), option=orjson.OPT_INDENT_2))
            return
        check = verify_record(node, version)
        versions = node.store.versions(record_id)
        click.echo(orjson.dumps(orjson.loads(version.body), option=orjson.OPT_INDENT_2).decode())
        click.echo(f"kind: {version.index.kind}   versions stored: {len(versions)}")
        if version.index.revoked:
            click.echo("revoked: yes")
        if version.received_from:
            click.echo(f"received from: {version.received_from}")
        for receipt in receipts_of(node.store, record_id):
            state = "signature verified" if receipt.verified else "UNVERIFIED (unsigned partner)"
            click.echo(
                f"receipt: version {receipt.modified} from {receipt.partner} "
                f"at {receipt.received}, {state}"
            )
        click.echo(f"signature: {check}")


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["stix", "csv"]), required=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS))
@click.option("--include-persons", is_flag=True, help="Also export local-only person records.")
@node_option
def export(
    out: Path, fmt: str, kinds: tuple[str, ...], include_persons: bool, node_dir: Path
) -> None:
    """Export the latest version of records as a STIX bundle or CSV."""
    with opened(node_dir) as node:
        report = export_records(
            node,
            out,
            format=fmt,  # type: ignore[arg-type]
            kinds=kinds,
            include_persons=include_persons,
        )
    click.echo(f"{report.count} record(s) written to {report.path}")


__all__ = ["EXIT_REFUSED", "export", "ingest", "list_", "show"]
