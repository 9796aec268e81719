"""liaison's sync pulls from the OASIS reference server, medallion (unsigned partner)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from liaison.exchange import add_partner, save_credential, sync_partner
from liaison.node import Node, audit_report
from tests.exchange.conftest import bulk_objects, record_rows
from tests.exchange.medallion import PASSWORD, USER, MedallionUnavailable, medallion
from tests.nodes import NodeFactory


@pytest.fixture
def make_node(make_sqlite_node: NodeFactory) -> NodeFactory:
    """Nodes on SQLite: this suite is about other TAXII implementations, not the store backend."""
    return make_sqlite_node


def test_sync_pulls_from_medallion_as_unverified(
    make_node: Callable[..., Node], tmp_path: Path
) -> None:
    ru = make_node("ru")
    objects = bulk_objects("identity--6d1e0a53-8cde-4c4b-8f54-5b4bd0a2f0f1", 250)
    try:
        server = medallion(objects, tmp_path / "medallion", page_size=100)
        url = server.__enter__()
    except MedallionUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI requires the medallion interop test: {exc}", pytrace=False)
        pytest.skip(str(exc))
    try:
        add_partner(ru, "oasis", url, public_key=None, unsigned=True)
        save_credential(ru, "oasis", f"{USER}:{PASSWORD}")
        report = sync_partner(ru, "oasis", limit=100)
        assert report.error is None, report.error
        assert (report.accepted, report.refused) == (250, 0)
        assert report.pages == 3
        got = {i for i, _, src in record_rows(ru) if src == "oasis (unverified)"}
        assert got == {o["id"] for o in objects}
        receipt = ru.store.exchange.receipts_of(objects[0]["id"])
        assert receipt and not receipt[0].verified and receipt[0].signature is None
        again = sync_partner(ru, "oasis", limit=100)
        assert again.error is None and again.accepted == 0
        assert audit_report(ru).ok
    finally:
        server.__exit__(None, None, None)
