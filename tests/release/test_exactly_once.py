"""Materialisers racing on one node (as `serve`'s ticker, an ingest and a sync do)
release every version exactly once: each chunk is settled under the store's write
lock, reading what it settles in the same transaction — on both backends."""

from __future__ import annotations

import threading
from collections.abc import Callable

from liaison.ingest import ingest_objects
from liaison.node import Node, open_node
from liaison.release import materialise_releases
from liaison.store import Selection
from tests.exchange.conftest import bulk_objects, pair, set_policy


def test_racing_materialisers_release_each_version_once(nodes: Callable[[str], Node]) -> None:
    fr, ru = nodes("fr"), nodes("ru")
    pair(fr, ru)
    set_policy(fr, '[[partners.ru.rules]]\nkinds = ["location"]\ncoarsen_m = 1000\n')
    objs = bulk_objects(fr.party_id, 3000, seed=5)
    assert ingest_objects(fr, objs[:1500], source="t").ok
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(work: Callable[[Node], object]) -> None:
        try:
            with open_node(fr.root) as node:
                start.wait(timeout=30)
                work(node)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def release(node: Node) -> None:
        for _ in range(3):
            materialise_releases(node, batch_size=200)

    def ingest(node: Node) -> None:
        assert ingest_objects(node, objs[1500:], source="t").ok
        materialise_releases(node, batch_size=200)

    threads = [threading.Thread(target=run, args=(w,)) for w in (release, release, ingest)]
    for t in threads:
        t.start()
    start.wait(timeout=30)
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive()
    assert errors == []
    materialise_releases(fr)
    every = fr.store.exchange.select_releases("ru", Selection(versions=("all",), limit=10**6))
    got = [(r.pseq, r.id, r.modified) for r in every]
    keys = [(i, m) for _, i, m in got]
    assert len(set(keys)) == len(keys)  # no version twice
    assert len({p for p, _, _ in got}) == len(got)
    assert {(o["id"], o["modified"]) for o in objs} <= set(keys)  # nothing lost
    assert len(keys) == len(objs) + 1  # and the node's identity
    # no gaps: no row was dropped for a later copy (which a follower pages again)
    assert sorted(p for p, _, _ in got) == list(range(1, len(got) + 1))
