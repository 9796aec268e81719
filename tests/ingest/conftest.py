"""Fixtures of the ingest tests: the real nodes of the node tests."""

from __future__ import annotations

from tests.node.conftest import make_node, node

__all__ = ["make_node", "node"]
