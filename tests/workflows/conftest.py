"""Workflow tests reuse the exchange fixtures: real nodes, real HTTP on loopback."""

import pytest

from tests.exchange.conftest import served
from tests.nodes import NodeFactory

__all__ = ["make_node", "served"]


@pytest.fixture
def make_node(make_sqlite_node: NodeFactory) -> NodeFactory:
    """Nodes on SQLite, as before the one node factory (workflows test the CLI's steps)."""
    return make_sqlite_node
