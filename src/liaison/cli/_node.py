"""Commands over the node itself: init, key show, audit verify / log / receipt."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import orjson

from liaison.audit import AuditEntry, journal, witness
from liaison.cli._common import (
    EXIT_AUDIT,
    EXIT_NODE,
    EXIT_NOT_FOUND,
    EXIT_REFUSED,
    EXIT_USAGE,
    fail,
    node_option,
    opened,
    when,
)
from liaison.node import NodeError, audit_report, init_node
from liaison.records import format_timestamp
from liaison.store import StoreError

_ACTION = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


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
@click.option("--receipt", "receipt_files", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A partner's receipt (liaison audit receipt): the log must reach the head "
              "it saw. Repeatable.")  # fmt: skip
@node_option
def audit_verify(receipt_files: tuple[Path, ...], node_dir: Path) -> None:
    """Check the whole hash chain against the signed head, the anchor file and any
    partner receipts; exit 4 naming the first bad entry or what is missing."""
    try:
        receipts = [witness.load_receipt(path) for path in receipt_files]
    except witness.ReceiptError as exc:
        fail(str(exc), EXIT_REFUSED)
    with opened(node_dir) as node:
        report = audit_report(node, receipts)
    if not report.ok:
        fail(f"{report}; first bad entry: {report.first_bad_seq}", EXIT_AUDIT)
    click.echo(str(report))


@audit.command("log")
@click.option("--action", "actions", multiple=True,
              help="Only this action (ingest, refuse, release, sync, …); repeatable.")  # fmt: skip
@click.option("--since", help="Only entries at or after this date (YYYY-MM-DD) or timestamp.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@node_option
def audit_log(actions: tuple[str, ...], since: str | None, as_json: bool, node_dir: Path) -> None:
    """Show audit entries in time order, with refusal reasons."""
    for action in actions:
        if _ACTION.fullmatch(action) is None:
            fail(f"--action: {action!r} is not an action name (lowercase words joined by "
                 "hyphens, e.g. refuse or policy-change)", EXIT_USAGE)  # fmt: skip
    since_ms = when(since, "since")
    start = None if since_ms is None else format_timestamp(since_ms)
    show = (lambda e: orjson.dumps(e.to_dict()).decode()) if as_json else _line
    with opened(node_dir) as node:
        lines: list[str] = []
        for entry in journal.log_entries(node.store, actions=actions, since=start):
            lines.append(show(entry))
            if len(lines) == 1000:  # streamed, a thousand lines per write
                click.echo("\n".join(lines))
                lines.clear()
        if lines:
            click.echo("\n".join(lines))


def _line(e: AuditEntry) -> str:
    return f"{e.seq}\t{e.at}\t{e.action}\t{e.subject}\t{_summary(e.detail)}"


def _summary(detail: dict[str, Any]) -> str:
    """The reason of a refusal first, then the detail's scalar fields."""
    parts = [str(detail["reason"])] if "reason" in detail else []
    for k, v in detail.items():
        if k == "reason":
            continue
        if isinstance(v, str | int | float | bool) or v is None:
            parts.append(f"{k}={v}")
        else:
            parts.append(f"{k}={orjson.dumps(v).decode()}")
    return "; ".join(parts)


@audit.command("receipt")
@click.argument("partner_name")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the receipt to this file (default: standard output).")  # fmt: skip
@node_option
def audit_receipt(partner_name: str, output: Path | None, node_dir: Path) -> None:
    """The receipt for a partner: the highest signed audit head of theirs this node
    verified while syncing, for them to check with `audit verify --receipt`."""
    with opened(node_dir) as node:
        document = witness.receipt_for(node.store, partner_name, node.party_id)
    if document is None:
        fail(f"no audit head seen from partner {partner_name!r} yet (sync from it first)",
             EXIT_NOT_FOUND)  # fmt: skip
    text = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    if output is None:
        click.echo(text.decode(), nl=False)
        return
    try:
        output.write_bytes(text)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}", EXIT_REFUSED)
    click.echo(f"receipt for {partner_name} (their entry {document['head']['seq']}) "
               f"written to {output}", err=True)  # fmt: skip
