"""Fixtures for exchange tests: real nodes, real policies, real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from liaison.exchange import materialise_releases
from liaison.exchange._partners import add_partner, issue_token
from liaison.node import CONFIG_NAME, Node, SteppingClock, init_node, seeded_ids

T0 = 1_460_000_000_000  # 2016-04-07, after the example records' times
STEP = 1_000


def set_policy(node: Node, text: str) -> None:
    """Replace the ``[partners…]`` part of the node's liaison.toml with ``text``."""
    path = node.root / CONFIG_NAME
    base = path.read_text(encoding="utf-8").split("\n# -- policies --\n")[0]
    path.write_text(base + "\n# -- policies --\n" + text, encoding="utf-8")


def pair(a: Node, b: Node, url_b: str = "http://127.0.0.1:1/api/") -> str:
    """Register ``b`` as a partner of ``a`` (b's key pinned); returns b's token at a."""
    add_partner(a, b.config.party, url_b, public_key=b.key.public_key_b64)
    return issue_token(a, b.config.party)


@pytest.fixture
def make_node(tmp_path: Path) -> Iterator[Callable[..., Node]]:
    """Factory of SQLite nodes with a deterministic clock and ids."""
    made: list[Node] = []

    def make(party: str = "fr", seed: int = 1, url: str | None = None) -> Node:
        node = init_node(
            tmp_path / f"{party}-{len(made)}",
            party,
            store_url=url or f"sqlite:///{tmp_path / f'{party}-{len(made)}.db'}",
            clock=SteppingClock(T0, STEP),
            ids=seeded_ids(seed + len(made)),
        )
        made.append(node)
        return node

    yield make
    for node in made:
        node.close()


def release(node: Node) -> Any:
    return materialise_releases(node)
