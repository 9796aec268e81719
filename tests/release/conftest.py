"""Fixtures for the release room: a node ``fr`` with partners, on both backends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.crypto import strip_signature
from liaison.node import Node, SteppingClock, init_node, seeded_ids
from liaison.store import exchange as rows
from tests.exchange.conftest import T0


@pytest.fixture
def nodes(tmp_path: Path, store_url_factory: Callable[[], str]) -> Iterator[Callable[[str], Node]]:
    """Nodes on the parametrised backend (deterministic clock and ids)."""
    made: list[Node] = []

    def make(party: str) -> Node:
        node = init_node(tmp_path / party, party, store_url=store_url_factory(),
                         clock=SteppingClock(T0, 1000), ids=seeded_ids(len(made) + 1))  # fmt: skip
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


def table(node: Node, partner: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row of a partner's table, all versions: ``(id, modified) -> object``."""
    sel = rows.Selection(versions=("all",), limit=1_000_000)
    got = rows.select_releases(node.store, partner, sel)
    return {(r.id, r.modified): orjson.loads(r.body) for r in got}


def unsigned(obj: dict[str, Any]) -> dict[str, Any]:
    return strip_signature(obj)
