"""``make demo``: a node created from scratch, every record kind ingested, signed
and audited, a summary printed, and the audit log verified.

Run with ``python -m liaison.demo DIR``. DIR is recreated on each run (only if
it was made by a previous demo run).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report, init_node, verify_record
from liaison.records import KINDS
from liaison.records.examples import example_objects
from liaison.store import Near, Query

MARKER = ".liaison-demo"


def fresh_dir(path: Path) -> None:
    """Remove a previous demo directory (never a directory the demo did not make)."""
    if path.exists():
        if not (path / MARKER).exists():
            raise SystemExit(f"{path} exists and was not made by the demo; choose another path")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by `make demo`; safe to delete\n")


def run(root: Path, console: Console) -> Node:
    """Build the demo node and print what it holds."""
    fresh_dir(root)
    node = init_node(root / "fr", "fr")
    console.print(f"[bold]node 'fr'[/] created in {node.root} (key {node.key.key_id})")
    # The node's own identity is its party record; the examples bring the rest.
    objects = [o for o in example_objects(node.party_id) if o["id"] != node.party_id]
    report = ingest_objects(node, objects, source="generated examples")
    console.print(
        f"ingested {report.accepted} generated records (one of every other kind), "
        f"{report.refused} refused"
    )
    again = ingest_objects(node, objects, source="generated examples, again")
    console.print(f"ingested the same file again: {again.unchanged} unchanged, nothing new")

    table = Table("kind", "records", "signatures valid", title="What the node holds")
    counts = node.store.counts()
    for kind in KINDS:
        versions = list(node.store.query(Query(kinds=(kind,))))
        valid = sum(verify_record(node, v).ok for v in versions)
        table.add_row(kind, str(counts.get(kind, 0)), f"{valid}/{len(versions)}")
    console.print(table)
    near = list(node.store.query(Query(near=Near(35.95, 39.01, 10))))
    console.print(f"records within 10 km of Raqqa: {len(near)}")
    result = audit_report(node)
    console.print(f"audit verify: {result}")
    if not result.ok:
        raise SystemExit(4)
    return node


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else "demo-node")
    with run(root, Console()):
        pass


if __name__ == "__main__":
    main()
