"""Fixtures of the real-data tests: a node, the shared gazetteer, connector runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from liaison.ingest.geocode import Gazetteer, Place, load_gazetteer
from liaison.node import Node, SteppingClock, init_node, seeded_ids
from tests.conftest import SHARED_DATA

GAZETTEER_FILES = (
    "guardian-syria/syria-locations.tsv",
    "guardian-syria/iraq-locations.tsv",
    "syrian-archive/syrian_places.csv",
    "syrian-archive-locations/locations.json",
)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    n = init_node(
        tmp_path / "node", "analyst", clock=SteppingClock(1_700_000_000_000), ids=seeded_ids(7)
    )
    try:
        yield n
    finally:
        n.close()


@pytest.fixture(scope="session")
def geonames() -> list[Place]:
    """GeoNames places of Syria and Iraq (loaded once: it takes a second)."""
    from liaison.ingest.geocode import geonames_places

    return geonames_places(("SY", "IQ"))


@pytest.fixture(scope="session")
def shared(request: pytest.FixtureRequest) -> Path:
    """The shared real-data folder (session scope), or a clear skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent; these tests read real data")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_gazetteer(shared: Path, geonames: list[Place]) -> Gazetteer:
    """The shared gazetteers, most preferred first, then GeoNames."""
    base = load_gazetteer([shared / f for f in GAZETTEER_FILES], geonames=None)
    return Gazetteer([*base.places, *geonames])


@pytest.fixture
def small_gazetteer() -> Callable[[], Gazetteer]:
    """A tiny hand-made gazetteer (no GeoNames) for synthetic inputs."""
    places = [
        Place("Ar Raqqah", 35.9594, 38.9981, "SY", "test", 7000.0),
        Place("Abu Kamal", 34.4653, 40.9082, "SY", "test", 3000.0),
        Place("Dayr Az Zawr", 35.3297, 40.1350, "SY", "test", 7000.0),
        Place("Al Hasakah", 36.5113, 40.7431, "SY", "test", 7000.0),
        Place("Mosul", 36.3566, 43.1640, "IQ", "test", 15000.0),
        Place("Aleppo", 36.2021, 37.1343, "SY", "test", 15000.0),
        Place("Atarib", 36.1386, 36.8300, "SY", "test", 2000.0, aliases=("Al Atarib",)),
    ]
    gazetteer = Gazetteer(places)
    return lambda: gazetteer
