"""Commands that read records: list, show."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from liaison.cli._common import (
    EXIT_USAGE,
    fail,
    named,
    node_option,
    opened,
    require_record,
    when,
)

if TYPE_CHECKING:
    from liaison.node import Node
    from liaison.store import Near, StoredVersion

#: A record kind (``strike-report``) or any STIX type (``report``, ``indicator``).
_KIND = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
F = TypeVar("F", bound=Callable[..., Any])


def kinds_option(func: F) -> F:
    """``--kind K`` (repeatable): a liaison kind or a STIX type name."""
    return click.option(
        "--kind",
        "kinds",
        multiple=True,
        callback=_check_kinds,
        help="Record kind (strike-report, presence, …) or STIX type (report, indicator, …).",
    )(func)


def _check_kinds(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    for kind in value:
        if not _KIND.match(kind):
            from liaison.records import KINDS

            raise click.BadParameter(
                f"{kind!r} is not a kind ({', '.join(KINDS)}) nor a STIX type name"
            )
    return value


def _near(value: str | None) -> Near | None:
    if value is None:
        return None
    from liaison.store import Near

    try:
        lat, lon, km = (float(x) for x in value.split(","))
        return Near(lat, lon, km)
    except ValueError as exc:
        fail(f"--near: expected LAT,LON,KM ({exc})", EXIT_USAGE)


@click.command("list")
@kinds_option
@click.option("--group", help="Group: a name, an alias or a threat-actor id.")
@click.option("--party", help="Party: a name or an identity id.")
@click.option("--since", help="Start of the time window (YYYY-MM-DD or timestamp).")
@click.option("--until", help="End of the time window.")
@click.option("--near", help="LAT,LON,KM: within KM kilometres of a point.")
@click.option("--limit", type=click.IntRange(min=1), default=None)
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
    from liaison.store import Query

    since_ms, until_ms = when(since, "since"), when(until, "until", end_of_day=True)
    area = _near(near)
    with opened(node_dir) as node:
        query = Query(
            kinds=kinds,
            group=named(node, "group", group),
            party=named(node, "party", party),
            since_ms=since_ms,
            until_ms=until_ms,
            near=area,
            limit=limit,
        )
        versions = node.store.query(query)
        if as_json:
            for v in versions:
                click.echo(v.body.decode())
            return
        _table(node, versions)


def _table(node: Node, versions: Iterable[StoredVersion]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from liaison.records import format_timestamp
    from liaison.registry import names_by_id

    parties = names_by_id(node.store, "party")
    groups = names_by_id(node.store, "group")
    console = Console()
    if not console.is_terminal:
        console = Console(width=240)
    table = Table("id", "kind", "modified", "time", "lat", "lon", "party", "group", "from")
    n = 0
    for v in versions:
        ix = v.index
        cells = (
            ix.id + (" (revoked)" if ix.revoked else ""),
            ix.kind,
            ix.modified,
            "" if ix.time_start_ms is None else format_timestamp(ix.time_start_ms)[:10],
            "" if ix.latitude is None else f"{ix.latitude:.4f}",
            "" if ix.longitude is None else f"{ix.longitude:.4f}",
            _name(parties, ix.party_ref),
            _name(groups, ix.group_ref),
            v.received_from or "",
        )
        table.add_row(*(Text(c) for c in cells))  # names are data, never markup
        n += 1
    console.print(table)
    click.echo(f"{n} record(s)")


def _name(names: dict[str, str], ref: str | None) -> str:
    if ref is None:
        return ""
    return names.get(ref, ref)


@click.command()
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True, help="Print the stored STIX object only.")
@node_option
def show(record_id: str, as_json: bool, node_dir: Path) -> None:
    """Show the latest version of a record and check its signature.

    RECORD_ID is an id, or the name of a party or group.
    """
    import orjson

    from liaison.node import verify_record

    with opened(node_dir) as node:
        version = require_record(node, record_id)
        record_id = version.index.id
        pretty = orjson.dumps(orjson.loads(version.body), option=orjson.OPT_INDENT_2).decode()
        if as_json:
            click.echo(pretty)
            return
        check = verify_record(node, version)
        versions = node.store.versions(record_id)
        click.echo(pretty)
        click.echo(f"kind: {version.index.kind}   versions stored: {len(versions)}")
        if version.index.revoked:
            click.echo("revoked: yes")
        if version.received_from:
            click.echo(f"received from: {version.received_from}")
        for receipt in node.store.exchange.receipts_of(record_id):
            state = "signature verified" if receipt.verified else "UNVERIFIED (unsigned partner)"
            click.echo(
                f"receipt: version {receipt.modified} from {receipt.partner} "
                f"at {receipt.received}, {state}"
            )
        click.echo(f"signature: {check}")


__all__ = ["kinds_option", "list_", "show"]
