"""Fixtures: real nodes on every backend (those of tests/node), and SQL access for
tampering with a store the way an intruder would."""

from __future__ import annotations

from dataclasses import dataclass

from liaison.audit import journal
from liaison.node import Node
from tests.exchange.conftest import served
from tests.node.conftest import make_node, node

__all__ = ["Snapshot", "make_node", "node", "restore", "served", "snapshot", "sql"]


def sql(node: Node, statement: str, params: tuple[object, ...] = ()) -> None:
    """Run one statement directly against the node's store, in its own transaction."""
    with node.store.transaction():
        node.store._execute(statement, params)


@dataclass(frozen=True)
class Snapshot:
    """The audit state of a store at one moment: how far the log went, its signed head."""

    seq: int
    head_meta: str


def snapshot(node: Node) -> Snapshot:
    last = node.store.last_audit_row()
    head = node.store.get_meta("audit_head")
    assert last is not None and head is not None
    return Snapshot(last.seq, head)


def restore(node: Node, snap: Snapshot) -> None:
    """Roll the log back to ``snap``: later entries deleted, the older signed head put back."""
    sql(node, "DELETE FROM audit WHERE seq > ?", (snap.seq,))
    sql(node, "UPDATE meta SET value = ? WHERE key = 'audit_head'", (snap.head_meta,))
    assert journal.verify(node.store, node.public_key).ok  # consistent: the store alone agrees
