"""Fixtures for the release room: a node ``fr`` with partners, on both backends."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from liaison.crypto import strip_signature
from liaison.node import Node
from liaison.store import Selection
from tests.nodes import NodeFactory


@pytest.fixture
def nodes(make_node: NodeFactory) -> NodeFactory:
    """Nodes on the parametrised backend: the one factory (tests/nodes.py)."""
    return make_node


def table(node: Node, partner: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Every row of a partner's table, all versions: ``(id, modified) -> object``."""
    sel = Selection(versions=("all",), limit=1_000_000)
    got = node.store.exchange.select_releases(partner, sel)
    return {(r.id, r.modified): orjson.loads(r.body) for r in got}


def unsigned(obj: dict[str, Any]) -> dict[str, Any]:
    return strip_signature(obj)
