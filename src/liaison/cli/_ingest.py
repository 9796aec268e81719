"""``liaison ingest``: validate, sign, store and audit the records of files."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from liaison.cli._common import EXIT_REFUSED, display, fail, node_option, opened, writable_output
from liaison.ingest.connectors import FORMATS as CONNECTOR_FORMATS

if TYPE_CHECKING:
    from liaison.workflows import FileOutcome


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["stix", "csv", *CONNECTOR_FORMATS]),
              help="Default: by suffix. Open-data connectors: docs/connectors.md.")  # fmt: skip
@click.option("--mapping", type=click.Path(path_type=Path),
              help="Column mapping (CSV) or connector settings.")  # fmt: skip
@click.option("--skip-invalid", is_flag=True, help="Keep the valid records of a bad file.")
@click.option("--rejects", type=click.Path(path_type=Path),
              help="Write every refused row or object, with the reason, to this file.")  # fmt: skip
@click.option("--release-date", help="strike-release: the release's date (YYYY-MM-DD).")
@click.option("--party", help="strike-release, nl-mod: the striking party's name.")
@node_option
def ingest(
    files: tuple[Path, ...],
    fmt: str | None,
    mapping: Path | None,
    skip_invalid: bool,
    rejects: Path | None,
    release_date: str | None,
    party: str | None,
    node_dir: Path,
) -> None:
    """Validate, sign, store and audit the records of FILES."""
    from rich.console import Console

    from liaison.workflows import ingest_and_release

    if rejects is not None:
        writable_output(rejects, "--rejects")
    if mapping is not None and not mapping.is_file():
        fail(f"--mapping {display(mapping)}: no such file", EXIT_REFUSED)
    console = Console(stderr=True)
    with opened(node_dir) as node, ExitStack() as stack:
        sink: IO[str] | None = None
        if rejects is not None:
            sink = stack.enter_context(rejects.open("w", encoding="utf-8"))
        done = ingest_and_release(
            node,
            files,
            format=fmt,
            mapping=mapping,
            skip_invalid=skip_invalid,
            options={"release_date": release_date, "party": party},
            on_refuse=None if sink is None else (lambda m, s=sink: s.write(m + "\n")),  # type: ignore[misc]
            progress_for=lambda path: _Progress(console, path),
        )
    for outcome in done.files:
        _print_outcome(outcome)
    for partner, n in sorted(done.release.released.items()):
        click.echo(f"released to {partner}: {n}")
    if not done.ok:
        raise SystemExit(EXIT_REFUSED)


def _print_outcome(outcome: FileOutcome) -> None:
    report = outcome.report
    if report is None:
        click.echo(f"error: {display(outcome.path)}: no such file", err=True)
        return
    for message in report.errors:
        click.echo(f"error: {message}", err=True)
    if report.refused > len(report.errors):
        click.echo(f"error: … and {report.refused - len(report.errors)} more", err=True)
    for message in report.warnings:
        click.echo(f"flagged: {message}", err=True)
    state = "" if report.committed else " — nothing stored (file refused as a whole)"
    extra = "".join(
        f", {n} {label}"
        for n, label in ((report.flagged, "flagged"), (report.filtered, "filtered out"))
        if n
    )
    click.echo(
        f"{display(outcome.path)}: {report.accepted} accepted, {report.unchanged} unchanged, "
        f"{report.refused} refused{extra}{state}"
    )
    for line in outcome.findings:
        click.echo(line)


class _Progress:
    """A progress bar on a terminal (nothing otherwise); yields the advance callback."""

    def __init__(self, console: object, path: Path) -> None:
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn(f"[bold]{escape(display(path.name))}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("records"),
            TimeElapsedColumn(),
            console=console,  # type: ignore[arg-type]
            transient=True,
            disable=not console.is_terminal,  # type: ignore[attr-defined]
        )

    def __enter__(self) -> Callable[[int], None]:
        self._bar.__enter__()
        task = self._bar.add_task("ingest", total=None)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(*exc)  # type: ignore[arg-type]
