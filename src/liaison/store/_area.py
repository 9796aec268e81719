"""Spatial keys: the H3 cells stored with each located version and the cell sets
that cover an area query."""

from __future__ import annotations

import math
from collections.abc import Iterable

FINE_RES = 6
COARSE_RES = 4
# Radius above which a query uses the coarse column (fewer, larger cells).
COARSE_ABOVE_KM = 50.0


def cell_keys(latitude: float | None, longitude: float | None) -> tuple[int | None, int | None]:
    """The (fine, coarse) H3 cells of a point, as signed-safe integers."""
    import h3  # lazily: a read without an area never needs it (fast CLI start)

    if latitude is None or longitude is None:
        return None, None
    fine = h3.latlng_to_cell(latitude, longitude, FINE_RES)
    return h3.str_to_int(fine), h3.str_to_int(h3.cell_to_parent(fine, COARSE_RES))


def cells_near(latitude: float, longitude: float, radius_km: float) -> tuple[str, list[int]]:
    """Column name and cell set that cover a circle (a superset; refine by distance)."""
    import h3  # lazily: a read without an area never needs it (fast CLI start)

    res = COARSE_RES if radius_km > COARSE_ABOVE_KM else FINE_RES
    column = "cell_coarse" if res == COARSE_RES else "cell"
    centre = h3.latlng_to_cell(latitude, longitude, res)
    # Neighbouring cell centres are sqrt(3) * edge apart. Cells vary in size across
    # the globe (down to about half the average edge), so each ring is assumed to
    # add only 0.9 average edges of reach: the disk always covers the circle.
    edge = h3.average_hexagon_edge_length(res, "km")
    k = math.ceil(radius_km / (edge * 0.9)) + 1
    return column, [h3.str_to_int(c) for c in h3.grid_disk(centre, k)]


def cells_covering(cells: Iterable[int | str]) -> tuple[str, list[int]]:
    """Column name and stored-resolution cells covering a user-given H3 cell set."""
    import h3  # lazily: a read without an area never needs it (fast CLI start)

    given = [c if isinstance(c, str) else h3.int_to_str(c) for c in cells]
    for c in given:
        if not h3.is_valid_cell(c):
            raise ValueError(f"not a valid H3 cell: {c!r}")
    if all(h3.get_resolution(c) <= COARSE_RES for c in given):
        out = {h3.str_to_int(ch) for c in given for ch in h3.cell_to_children(c, COARSE_RES)}
        return "cell_coarse", sorted(out)
    out = set()
    for c in given:
        r = h3.get_resolution(c)
        if r <= FINE_RES:
            out.update(h3.str_to_int(ch) for ch in h3.cell_to_children(c, FINE_RES))
        else:
            out.add(h3.str_to_int(h3.cell_to_parent(c, FINE_RES)))
    return "cell", sorted(out)


def within_cells(latitude: float, longitude: float, cells: Iterable[int | str]) -> bool:
    """Exact membership of a point in a cell set of mixed resolutions."""
    import h3  # lazily: a read without an area never needs it (fast CLI start)

    for c in cells:
        s = c if isinstance(c, str) else h3.int_to_str(c)
        if h3.latlng_to_cell(latitude, longitude, h3.get_resolution(s)) == s:
            return True
    return False
