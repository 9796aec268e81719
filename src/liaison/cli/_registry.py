"""``liaison party add|list`` and ``liaison group add|list``: the registry."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from liaison.cli._common import node_option, opened

if TYPE_CHECKING:
    from liaison.node import Node
    from liaison.registry import Entry


@click.group()
def party() -> None:
    """Parties: add one, list them (names resolve to ids)."""


@party.command("add")
@click.argument("name")
@click.option("--description", help="Who this party is.")
@node_option
def party_add(name: str, description: str | None, node_dir: Path) -> None:
    """Add an external party NAME (one that runs no liaison node), e.g. a coalition member."""
    from liaison.registry import add_party

    with opened(node_dir) as node:
        entry = add_party(node, name, description=description)
        click.echo(f"party {entry.name}: {entry.id}")
        _release(node)


@party.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@node_option
def party_list(as_json: bool, node_dir: Path) -> None:
    """List parties: name, id, whether it runs a node, where it came from."""
    from liaison.registry import entries

    with opened(node_dir) as node:
        for e in entries(node.store, "party"):
            own = " (this node)" if e.id == node.party_id else ""
            _print(e, as_json, f"{'node' if e.runs_node else 'external'}{own}")


@click.group()
def group() -> None:
    """Armed groups: add one, list them (names resolve to ids)."""


@group.command("add")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name (repeatable).")
@click.option("--description", help="What this group is.")
@node_option
def group_add(name: str, aliases: tuple[str, ...], description: str | None, node_dir: Path) -> None:
    """Add an armed group NAME (a STIX threat-actor), with its aliases."""
    from liaison.registry import add_group

    with opened(node_dir) as node:
        entry = add_group(node, name, aliases=aliases, description=description)
        click.echo(f"group {entry.name}: {entry.id}")
        _release(node)


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@node_option
def group_list(as_json: bool, node_dir: Path) -> None:
    """List groups: name, aliases, id, where it came from."""
    from liaison.registry import entries

    with opened(node_dir) as node:
        for e in entries(node.store, "group"):
            _print(e, as_json, ", ".join(e.aliases))


def _print(entry: Entry, as_json: bool, note: str) -> None:
    import orjson

    source = f"from {entry.received_from}" if entry.received_from else "local"
    if as_json:
        row = {"id": entry.id, "kind": entry.kind, "name": entry.name,
               "aliases": list(entry.aliases), "runs_node": entry.runs_node,
               "received_from": entry.received_from}  # fmt: skip
        click.echo(orjson.dumps(row).decode())
    else:
        click.echo(f"{entry.name}\t{entry.id}\t{note}\t{source}")


def _release(node: Node) -> None:
    """Partners' release tables follow what was stored (as after an ingest)."""
    from liaison.release import materialise_releases

    released = materialise_releases(node)
    for partner, n in sorted(released.released.items()):
        click.echo(f"released to {partner}: {n}")
