"""`audit verify` detects entries altered, deleted or reordered directly in the
database, on every backend, and names the first bad entry."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from liaison.ingest import ingest_objects
from liaison.node import Node, audit_report, verify_record
from liaison.records.examples import example_objects
from liaison.store import Query


def populated(node: Node) -> Node:
    objs = example_objects(node.party_id)
    for i, obj in enumerate(objs):  # one audit entry per ingest: a longer chain
        ingest_objects(node, [obj], source=f"part-{i}")
    assert audit_report(node).ok
    return node


def sql(node: Node, statement: str) -> None:
    with node.store.transaction():
        node.store._execute(statement)


TAMPERS: list[tuple[str, str, int]] = [
    ("altered detail", "UPDATE audit SET detail = '{\"count\":99}' WHERE seq = 5", 5),
    ("altered subject", "UPDATE audit SET subject = 'elsewhere' WHERE seq = 3", 3),
    ("deleted entry", "DELETE FROM audit WHERE seq = 4", 4),
    (
        "swapped entries",
        "UPDATE audit SET seq = -6 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 7; "
        "UPDATE audit SET seq = 7 WHERE seq = -6",
        6,
    ),
    ("truncated tail", "DELETE FROM audit WHERE seq >= 12", 12),
]


@pytest.mark.parametrize(("label", "statement", "first_bad"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_tampering_is_detected(
    make_node: Callable[..., Node], label: str, statement: str, first_bad: int
) -> None:
    node = populated(make_node())
    for part in statement.split(";"):
        sql(node, part)
    report = audit_report(node)
    assert not report.ok
    assert report.first_bad_seq == first_bad, report


def test_a_rewritten_head_is_detected(make_node: Callable[..., Node]) -> None:
    node = populated(make_node())
    sql(node, "DELETE FROM meta WHERE key = 'audit_head'")
    report = audit_report(node)
    assert not report.ok
    assert "checkpoint" in (report.reason or "")


def test_an_altered_record_body_fails_its_own_verification(make_node: Callable[..., Node]) -> None:
    node = populated(make_node())
    versions = list(node.store.query(Query()))
    victim = versions[3]
    if node.store.dialect == "sqlite":
        change = "CAST(CAST(body AS TEXT) || ' ' AS BLOB)"
    else:
        change = "body || '\\x20'::bytea"
    sql(node, f"UPDATE records SET body = {change} WHERE rid = {victim.rid}")
    tampered = node.store.get(victim.index.id)
    assert tampered is not None
    assert not verify_record(node, tampered).ok
    assert verify_record(node, versions[4]).ok
