"""Geometry for coarsening and area selectors: H3 snapping, cell radii, distances.

A point coarsened to ``N`` metres is moved to the centre of the H3 cell that
contains it, at the finest resolution whose every cell is at least ``N`` metres
in radius (centre to farthest vertex). Across the globe the smallest cells of a
resolution (near the pentagons) have a radius of about 0.70 times the average
hexagon edge; ``MIN_RADIUS_FACTOR`` is a margin below that, and the radius of
the actual cell is checked too (a coarser cell is taken if it were ever smaller).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import h3

from liaison.geodesy import EARTH_RADIUS_M, distance_m

__all__ = [
    "EARTH_RADIUS_M",
    "MAX_COARSEN_M",
    "MIN_RADIUS_FACTOR",
    "cell_radius_m",
    "distance_m",
    "in_cells",
    "resolution_for",
    "snap",
    "snap_route",
]

#: Lower bound of (cell radius / average hexagon edge length) over all H3 cells.
MIN_RADIUS_FACTOR = 0.69
_AVERAGE_EDGE_M: tuple[float, ...] = tuple(
    float(h3.average_hexagon_edge_length(r, "m")) for r in range(16)
)
#: The largest ``coarsen_m`` a rule may ask for (resolution-0 cells, about 880 km).
MAX_COARSEN_M = 880_000.0


def resolution_for(metres: float) -> int:
    """The finest H3 resolution whose every cell has a radius of at least ``metres``."""
    if not 0 < metres <= MAX_COARSEN_M:
        raise ValueError(f"coarsening must be in (0, {MAX_COARSEN_M:.0f}] metres (got {metres})")
    for resolution in range(15, -1, -1):
        if MIN_RADIUS_FACTOR * _AVERAGE_EDGE_M[resolution] >= metres:
            return resolution
    return 0


def cell_radius_m(cell: str) -> float:
    """Distance from the centre of ``cell`` to its farthest boundary vertex, in metres."""
    return _cell_geometry(cell)[2]


@functools.lru_cache(maxsize=1 << 16)
def _cell_geometry(cell: str) -> tuple[float, float, float]:
    """Centre and radius of a cell. Cached: coarsened records share few cells, and
    the radius (seven haversines) dominated the cost of a release."""
    lat, lon = h3.cell_to_latlng(cell)
    radius = max(distance_m(lat, lon, vlat, vlon) for vlat, vlon in h3.cell_to_boundary(cell))
    return lat, lon, radius


def snap(lat: float, lon: float, resolution: int, metres: float) -> tuple[float, float, float]:
    """``(lat, lon, radius)`` of the centre of the cell holding the point.

    Starts at ``resolution`` and goes coarser while the cell's radius is below
    ``metres``. The point lies within ``radius`` metres of the returned centre.
    """
    while True:
        centre_lat, centre_lon, radius = _cell_geometry(h3.latlng_to_cell(lat, lon, resolution))
        if radius >= metres or resolution == 0:
            return centre_lat, centre_lon, radius
        resolution -= 1


def snap_route(
    route: Sequence[Sequence[float]], resolution: int, metres: float
) -> list[list[float]] | None:
    """Each route point snapped to its cell centre, consecutive repeats merged.

    ``None`` when fewer than two distinct points remain (the route then says no
    more than the coarsened point location and is dropped).
    """
    out: list[list[float]] = []
    for point in route:
        lat, lon, _ = snap(point[0], point[1], resolution, metres)
        if not out or out[-1] != [lat, lon]:
            out.append([lat, lon])
    return out if len(out) >= 2 else None


def in_cells(lat: float, lon: float, cells: Mapping[int, frozenset[str]]) -> bool:
    """Whether the point falls in one of ``cells`` (grouped by resolution)."""
    return any(h3.latlng_to_cell(lat, lon, res) in group for res, group in cells.items())
