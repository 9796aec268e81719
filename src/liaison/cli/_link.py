"""``liaison link``: privacy-preserving linkage of person records with a partner.

Each command is one call into ``liaison.linkage`` (imported when the command runs,
so that ``liaison --version`` stays fast).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from liaison.cli._common import EXIT_NODE, EXIT_NOT_FOUND, EXIT_REFUSED, fail, node_option, opened


@contextmanager
def _linkage_errors() -> Iterator[None]:
    """Linkage and partner errors as clean exits with their message."""
    from liaison.exchange import PartnerError
    from liaison.linkage import LinkageError

    try:
        yield
    except PartnerError as exc:
        fail(str(exc), EXIT_NOT_FOUND)
    except LinkageError as exc:
        code = EXIT_NODE if type(exc).__name__ == "PartnerUnreachable" else EXIT_REFUSED
        fail(str(exc), code)


def _run(node_dir: Path, call: Callable[[Any], Any]) -> Any:
    with opened(node_dir) as node, _linkage_errors():
        return call(node)


@click.group()
def link() -> None:
    """Find the persons both partners hold without handing over either list."""


@link.command("schema")
def schema() -> None:
    """Print the shipped person linkage schema (a starting point to agree on)."""
    from liaison.linkage import default_schema, default_schema_text

    click.echo(default_schema_text(), nl=False)
    click.echo(f"# fingerprint: {default_schema().fingerprint}")


@link.command("agree")
@click.argument("partner")
@click.argument("schema_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@node_option
def agree(partner: str, schema_file: Path, node_dir: Path) -> None:
    """Record SCHEMA_FILE as the linkage schema agreed with PARTNER."""
    from liaison.linkage import agree as run

    done = _run(node_dir, lambda node: run(node, partner, schema_file))
    click.echo(f"schema {done.name!r} agreed with {partner}: fingerprint {done.fingerprint}")
    if done.replaced and done.replaced != done.fingerprint:
        click.echo(f"(replaces {done.replaced}: earlier token keys and batches dropped)")


@link.command("publish")
@click.argument("partner")
@click.option(
    "--skip-unlinkable",
    is_flag=True,
    help="Leave out (and list) person records with no linkage field.",
)
@node_option
def publish(partner: str, skip_unlinkable: bool, node_dir: Path) -> None:
    """Encode this node's person records and publish the batch for PARTNER."""
    from liaison.linkage import publish as run

    done = _run(node_dir, lambda node: run(node, partner, skip_unlinkable=skip_unlinkable))
    click.echo(
        f"published {done.batch} for {partner}: {done.count:,} encodings "
        f"({done.evaluated:,} new token keys evaluated with {partner})"
    )
    for line in done.skipped:
        click.echo(f"skipped: {line}")


@link.command("match")
@click.argument("partner")
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True),
    help="Dice threshold (default: the schema's).",
)
@node_option
def match(partner: str, threshold: float | None, node_dir: Path) -> None:
    """Match PARTNER's published encodings against this node's; list candidate pairs."""
    from liaison.linkage import match as run

    done = _run(node_dir, lambda node: run(node, partner, threshold=threshold))
    click.echo(
        f"{partner}'s batch {done.partner_batch} against {done.own_batch}: "
        f"{done.compared:,} compared, {len(done.candidates):,} candidates"
    )
    for c in done.candidates:
        click.echo(f"{c.score:.3f}  {c.record}  {c.pseudonym}")


@link.command("request")
@click.argument("partner")
@click.argument("pseudonym")
@node_option
def request(partner: str, pseudonym: str, node_dir: Path) -> None:
    """Ask PARTNER to disclose the record behind PSEUDONYM."""
    from liaison.linkage import request as run

    done = _run(node_dir, lambda node: run(node, partner, pseudonym))
    click.echo(f"request {done.id} sent to {partner}: {done.status}")


@link.command("requests")
@click.option("--sent", is_flag=True, help="The requests this node sent (default: received).")
@node_option
def requests(sent: bool, node_dir: Path) -> None:
    """List disclosure requests received (or sent) and their status."""
    from liaison.linkage import requests as run

    for r in _run(node_dir, lambda node: run(node, incoming=not sent)):
        extra = f" record {r.record}" if r.record and not sent else ""
        click.echo(f"{r.id}  {r.partner}  {r.status}  {r.pseudonym}{extra}  {r.created}")


@link.command("approve")
@click.argument("request_id")
@node_option
def approve(request_id: str, node_dir: Path) -> None:
    """Disclose the record asked for in REQUEST_ID, as the disclosure policy allows."""
    from liaison.linkage import approve as run

    done = _run(node_dir, lambda node: run(node, request_id))
    click.echo(f"request {done.id}: {done.record} disclosed to {done.partner}")


@link.command("deny")
@click.argument("request_id")
@click.option("--reason", required=True, help="Told to the partner.")
@node_option
def deny(request_id: str, reason: str, node_dir: Path) -> None:
    """Refuse the disclosure asked for in REQUEST_ID."""
    from liaison.linkage import deny as run

    done = _run(node_dir, lambda node: run(node, request_id, reason))
    click.echo(f"request {done.id} denied")


@link.command("collect")
@click.argument("partner")
@node_option
def collect(partner: str, node_dir: Path) -> None:
    """Fetch PARTNER's answers to this node's requests; store disclosed records."""
    from liaison.linkage import collect as run

    for r in _run(node_dir, lambda node: run(node, partner)):
        what = f"record {r.record} stored" if r.record else f"denied: {r.reason}"
        click.echo(f"request {r.id}: {r.status} — {what}")
