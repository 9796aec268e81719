"""Fixtures for exchange tests: real nodes, real policies, real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from liaison.exchange import add_partner, issue_token, materialise_releases
from liaison.node import CONFIG_NAME, Node
from liaison.store import Query
from tests.nodes import STEP, T0

__all__ = ["STEP", "T0"]  # re-exported: suites import the clock constants from here


def set_policy(node: Node, text: str) -> None:
    """Replace the ``[partners…]`` part of the node's liaison.toml with ``text``."""
    path = node.root / CONFIG_NAME
    base = path.read_text(encoding="utf-8").split("\n# -- policies --\n")[0]
    path.write_text(base + "\n# -- policies --\n" + text, encoding="utf-8")


def pair(a: Node, b: Node, url_b: str = "http://127.0.0.1:1/api/") -> str:
    """Register ``b`` as a partner of ``a`` (b's key pinned); returns b's token at a."""
    add_partner(a, b.config.party, url_b, public_key=b.key.public_key_b64)
    return issue_token(a, b.config.party)


def release(node: Node) -> Any:
    return materialise_releases(node)


STRIKE_POLICY = """
[[partners.ru.rules]]
name = "strikes coarse"
kinds = ["strike-report", "location"]
coarsen_m = 10000
drop_fields = ["target_description"]
strip_sources = true
"""


def bulk_objects(party_id: str, n: int, seed: int = 3) -> list[dict[str, Any]]:
    """``n`` valid location records created by ``party_id``."""
    import random
    import uuid

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        uid = uuid.UUID(int=rng.getrandbits(128), version=4)
        out.append(
            {
                "type": "location",
                "spec_version": "2.1",
                "id": f"location--{uid}",
                "created": "2016-01-01T00:00:00.000Z",
                "modified": "2016-01-01T00:00:00.000Z",
                "created_by_ref": party_id,
                "latitude": round(rng.uniform(32.5, 37.0), 5),
                "longitude": round(rng.uniform(36.0, 42.0), 5),
                "precision": 100,
            }
        )
    return out


@pytest.fixture
def served() -> Iterator[Callable[[Node], str]]:
    """Serve nodes over real HTTP on loopback; returns each server's base URL."""
    from liaison.exchange import ServerThread, create_app

    running: list[ServerThread] = []

    def serve(node: Node) -> str:
        srv = ServerThread(create_app(node))
        srv.__enter__()
        running.append(srv)
        return srv.url

    yield serve
    for srv in running:
        srv.__exit__(None, None, None)


def link(puller: Node, source: Node, source_url: str, token: str) -> None:
    """Register ``source`` (served at ``source_url``) as a partner ``puller`` syncs from."""
    from liaison.exchange import save_credential

    add_partner(
        puller, source.config.party, f"{source_url}/api/", public_key=source.key.public_key_b64
    )
    save_credential(puller, source.config.party, token)


def audit_actions(node: Node) -> list[tuple[str, str, dict[str, Any]]]:
    from liaison.audit import journal

    return [(e.action, e.subject, e.detail) for e in journal.entries(node.store)]


def record_rows(node: Node) -> list[tuple[str, str, str | None]]:
    """Every stored version ``(id, modified, received_from)``, in that order."""
    every = node.store.query(Query(latest_only=False))
    return sorted((v.index.id, v.index.modified, v.received_from) for v in every)
