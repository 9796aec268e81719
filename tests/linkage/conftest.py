"""Fixtures for linkage tests: two real nodes serving HTTP on loopback, each the
other's partner, with generated (never real) person records of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from liaison.exchange import ServerThread, add_partner, create_app, issue_token, save_credential
from liaison.linkage import agree, default_schema_text
from liaison.linkage.generate import Observed, two_lists
from liaison.node import CONFIG_NAME, Node, SteppingClock, init_node, seeded_ids, store_objects

T0 = 1_460_000_000_000


@dataclass
class Pair:
    fr: Node
    ru: Node
    fr_records: list[Observed]
    ru_records: list[Observed]
    schema_file: Path

    def node(self, name: str) -> Node:
        return self.fr if name == "fr" else self.ru


def write_settings(node: Node, text: str) -> None:
    """Append a ``[linkage…]`` section to the node's liaison.toml."""
    with (node.root / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write("\n" + text + "\n")


def make_pair(
    tmp_path: Path,
    url_factory: Callable[[str], str],
    *,
    n: int = 60,
    overlap: int = 30,
    seed: int = 5,
    agree_schema: bool = True,
) -> tuple[Pair, list[ServerThread]]:
    nodes = {}
    for i, party in enumerate(("fr", "ru")):
        nodes[party] = init_node(
            tmp_path / party,
            party,
            store_url=url_factory(party),
            clock=SteppingClock(T0, 1000),
            ids=seeded_ids(seed + i),
        )
    fr, ru = nodes["fr"], nodes["ru"]
    servers = [ServerThread(create_app(node)) for node in (fr, ru)]
    for s in servers:
        s.__enter__()
    urls = {"fr": servers[0].url, "ru": servers[1].url}
    for node, other in ((fr, ru), (ru, fr)):
        add_partner(
            node,
            other.config.party,
            f"{urls[other.config.party]}/api/",
            public_key=other.key.public_key_b64,
        )
    for node, other in ((fr, ru), (ru, fr)):
        save_credential(other, node.config.party, issue_token(node, other.config.party))
    a, b = two_lists(n, n, overlap, seed=seed, party_a=fr.party_id, party_b=ru.party_id)
    store_objects(fr, [o.obj for o in a], source="test persons")
    store_objects(ru, [o.obj for o in b], source="test persons")
    schema_file = tmp_path / "schema.toml"
    schema_file.write_text(default_schema_text(), encoding="utf-8")
    if agree_schema:
        agree(fr, "ru", schema_file)
        agree(ru, "fr", schema_file)
    return Pair(fr, ru, a, b, schema_file), servers


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    """Two SQLite nodes, fr and ru, serving, paired, schema agreed."""
    p, servers = make_pair(tmp_path, lambda party: f"sqlite:///{tmp_path / party}.db")
    yield p
    for s in servers:
        s.__exit__(None, None, None)
    p.fr.close()
    p.ru.close()
