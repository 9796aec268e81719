"""The one factory of real nodes for the tests: a deterministic clock and ids, a store
on the backend under test (the ``store_url_factory`` fixture: SQLite, PostgreSQL).

The fixtures in tests/conftest.py wrap it: ``make_node`` (every backend) and
``make_sqlite_node`` (suites whose subject is not the store: HTTP limits, TLS, CLI).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from liaison.node import Node, SteppingClock, init_node, seeded_ids

#: The nodes' clock starts at 2016-04-07, after the example records' times.
T0 = 1_460_000_000_000
STEP = 1_000


class NodeFactory:
    """``make(party, seed)`` → a fresh node; every node made is closed by `close`
    (or on leaving ``with NodeFactory(…) as make:``, e.g. per Hypothesis example).

    The n-th node made (from 0) draws its ids from ``seeded_ids(seed + n)``, so that
    two nodes of one test never share ids; each has its own `SteppingClock`.
    """

    def __init__(
        self,
        root: Path,
        store_url: Callable[[], str] | None,
        *,
        t0: int = T0,
        step: int = STEP,
    ) -> None:
        self.root, self.store_url, self.t0, self.step = root, store_url, t0, step
        self.made: list[Node] = []

    def __call__(
        self, party: str = "fr", seed: int = 1, *, url: str | None = None, root: Path | None = None
    ) -> Node:
        """A node for ``party`` (its store at ``url``, else a fresh one of the backend
        under test, else the node's default SQLite file), in a new folder under
        ``root`` (else the factory's own)."""
        n = len(self.made)
        node = init_node(
            (root or self.root) / f"{party}-{n}",
            party,
            store_url=url or (self.store_url() if self.store_url else None),
            clock=SteppingClock(self.t0, self.step),
            ids=seeded_ids(seed + n),
        )
        self.made.append(node)
        return node

    def close(self) -> None:
        """Close every node made (nodes closed before are closed again harmlessly)."""
        for node in self.made:
            node.close()
        self.made.clear()

    def __enter__(self) -> NodeFactory:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
