"""``liaison export``: records as a STIX bundle (liaison or standard profile), CSV or MISP."""

from __future__ import annotations

from pathlib import Path

import click

from liaison.cli._common import named, node_option, opened, writable_output
from liaison.cli._records import kinds_option


@click.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["stix", "csv", "misp"]), required=True)
@click.option("--profile", type=click.Choice(["liaison", "standard"]), default="liaison",
              show_default=True,
              help="standard: only standard STIX 2.1 types, for platforms that do not "
                   "know liaison's (MISP, OpenCTI).")  # fmt: skip
@kinds_option
@click.option("--party", help="Only records of this party (a name or an identity id).")
@click.option("--group", help="Only records about this group (a name, an alias or an id).")
@click.option("--include-persons", is_flag=True, help="Also export local-only person records.")
@node_option
def export(
    out: Path,
    fmt: str,
    profile: str,
    kinds: tuple[str, ...],
    party: str | None,
    group: str | None,
    include_persons: bool,
    node_dir: Path,
) -> None:
    """Export the latest version of records as a STIX bundle, CSV or a MISP event."""
    from liaison.export import export_records

    writable_output(out, "OUT")
    with opened(node_dir) as node:
        report = export_records(
            node,
            out,
            format=fmt,  # type: ignore[arg-type]
            profile=profile,  # type: ignore[arg-type]
            kinds=kinds,
            party=named(node, "party", party),
            group=named(node, "group", group),
            include_persons=include_persons,
        )
    click.echo(f"{report.count} record(s) written to {click.format_filename(report.path)}")
