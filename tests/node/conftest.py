"""Fixtures: real nodes with deterministic clocks and ids, on every backend."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from liaison.node import Node, SteppingClock, init_node, seeded_ids

T0 = 1_450_000_000_000  # 2015-12-13


@pytest.fixture
def make_node(
    tmp_path: Path, store_url_factory: Callable[[], str]
) -> Iterator[Callable[..., Node]]:
    """Factory of fresh nodes (party name → node) on the parametrised backend."""
    made: list[Node] = []

    def make(party: str = "fr", seed: int = 1) -> Node:
        url = store_url_factory()
        node = init_node(
            tmp_path / f"{party}-{len(made)}",
            party,
            store_url=url,
            clock=SteppingClock(T0),
            ids=seeded_ids(seed),
        )
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


@pytest.fixture
def node(make_node: Callable[..., Node]) -> Node:
    return make_node()
