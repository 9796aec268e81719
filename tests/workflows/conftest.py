"""Workflow tests reuse the exchange fixtures: real nodes, real HTTP on loopback."""

from tests.exchange.conftest import make_node, served

__all__ = ["make_node", "served"]
