"""Fixtures: real nodes with deterministic clocks and ids, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from liaison.node import Node
from tests.nodes import NodeFactory

T0 = 1_450_000_000_000  # 2015-12-13


@pytest.fixture
def make_node(tmp_path: Path, store_url_factory: Callable[[], str]) -> Iterator[NodeFactory]:
    """The one node factory (tests/nodes.py) on the parametrised backend, with a clock
    that starts earlier (2015-12-13) and steps by 1 ms, as these suites expect."""
    with NodeFactory(tmp_path, store_url_factory, t0=T0, step=1) as factory:
        yield factory


@pytest.fixture
def node(make_node: Callable[..., Node]) -> Node:
    return make_node()
