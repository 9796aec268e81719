"""The store suites run through the `Store` protocol only (see helpers.ProtocolOnly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from liaison.store import Store, open_store

from .helpers import through_protocol


@pytest.fixture
def store(store_url_factory: Callable[[], str]) -> Iterator[Store]:
    """A fresh, migrated store on each backend, seen through the `Store` protocol only."""
    s = open_store(store_url_factory())
    try:
        yield through_protocol(s)
    finally:
        s.close()


@pytest.fixture
def open_url() -> Iterator[Callable[[str], Store]]:
    """Open stores by URL, seen through the protocol only (closed afterwards)."""
    opened: list[Store] = []

    def open_(url: str) -> Store:
        s = open_store(url)
        opened.append(s)
        return through_protocol(s)

    yield open_
    for s in opened:
        s.close()
