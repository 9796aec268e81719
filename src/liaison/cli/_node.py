"""Commands over the node itself: init, key show, audit verify."""

from __future__ import annotations

from pathlib import Path

import click

from liaison.cli._common import EXIT_AUDIT, EXIT_NODE, fail, node_option, opened
from liaison.node import NodeError, audit_report, init_node
from liaison.store import StoreError


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--party", required=True, help="This node's party name, e.g. 'fr'.")
@click.option("--store", "store_url", help="Store URL (default: sqlite:///store.db in DIRECTORY).")
@click.option("--url", "node_url", help="This node's public TAXII API root URL.")
def init(directory: Path, party: str, store_url: str | None, node_url: str | None) -> None:
    """Create a node: key pair, configuration, store and the party's identity."""
    try:
        node = init_node(directory, party, store_url=store_url, node_url=node_url)
    except (NodeError, StoreError) as exc:
        fail(str(exc), EXIT_NODE)
    with node:
        click.echo(f"node '{party}' created in {directory}")
        click.echo(f"party id:   {node.party_id}")
        click.echo(f"key id:     {node.key.key_id}")
        click.echo(f"public key: {node.key.public_key_b64}")
        click.echo(f"store:      {node.store.url}")


@click.group()
def key() -> None:
    """This node's signing key."""


@key.command("show")
@node_option
def key_show(node_dir: Path) -> None:
    """Print this node's public key (for partners to pin)."""
    with opened(node_dir) as node:
        click.echo(node.key.public_key_b64)


@click.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command("verify")
@node_option
def audit_verify(node_dir: Path) -> None:
    """Check the whole hash chain; exit 4 naming the first bad entry."""
    with opened(node_dir) as node:
        report = audit_report(node)
    if not report.ok:
        fail(f"{report}; first bad entry: {report.first_bad_seq}", EXIT_AUDIT)
    click.echo(str(report))
