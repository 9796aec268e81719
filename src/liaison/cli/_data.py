"""Commands over open datasets: list, fetch, and the real case."""

from __future__ import annotations

from pathlib import Path

import click

from liaison.cli._common import fail

__all__ = ["data"]


@click.group()
def data() -> None:
    """Open datasets the connectors read: list, fetch, the real case."""


@data.command("list")
def list_datasets() -> None:
    """The datasets, their producers, licences and files (with SHA-256)."""
    from liaison.data import DATASETS

    for d in DATASETS.values():
        click.echo(f"{d.name} — {d.title}")
        click.echo(f"  producer: {d.producer}")
        click.echo(f"  licence:  {d.licence}")
        click.echo(f"  upstream: {d.upstream}")
        if d.connector:
            click.echo(f"  read with: liaison ingest --format {d.connector}")
        for f in d.files:
            click.echo(f"  {f.name} ({f.size:,} B) sha256 {f.sha256}")
            click.echo(f"    {f.url}")


@data.command()
@click.argument("name")
@click.option(
    "--dest",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("liaison-data"),
    show_default=True,
    help="Folder to download into (one sub-folder per dataset).",
)
@click.option("--mirror", help="Fetch from MIRROR/NAME/FILE instead of the publishers.")
def fetch(name: str, dest: Path, mirror: str | None) -> None:
    """Download dataset NAME from its publisher and verify its checksums."""
    from liaison.data import DataFetchError, fetch_dataset, find_dataset

    try:
        dataset = find_dataset(name)
        click.echo(f"{dataset.name}: {dataset.title}")
        click.echo(f"  producer: {dataset.producer}")
        click.echo(f"  licence:  {dataset.licence}")
        report = fetch_dataset(name, dest, mirror=mirror)
    except DataFetchError as exc:
        fail(str(exc), 1)
    for f in report.files:
        state = "already there, checksum verified" if f.already_there else "downloaded, verified"
        click.echo(f"  {f.path} ({f.size:,} B) sha256 {f.sha256}: {state}")
        click.echo(f"    from {f.url}")


@data.command("real-case")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("real-case"),
    show_default=True,
)
def real_case(data_dir: Path | None, out: Path) -> None:
    """Ingest the shared data, assess 2015–2016, write the targeting-share report."""
    from rich.console import Console

    from liaison.data.realcase import find_data, run_real_case

    found = find_data(data_dir)
    if found is None:
        fail("the shared data folder was not found (give --data, or set LIAISON_DATA)", 1)
    run_real_case(found, out, console=Console())
