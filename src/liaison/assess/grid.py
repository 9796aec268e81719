"""Space and time axes: H3 cells (vectorised through polars-h3) and weeks."""

from __future__ import annotations

from dataclasses import dataclass

import h3
import numpy as np
import numpy.typing as npt
import polars as pl
import polars_h3 as plh3

__all__ = [
    "DAY_MS",
    "WEEK_MS",
    "WEEK_ORIGIN_MS",
    "Grid",
    "build_grid",
    "cells_of",
    "spacing_m",
    "week_of",
    "week_start_ms",
]

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
#: Weeks start on Monday 00:00 UTC; week 0 starts on 1970-01-05.
WEEK_ORIGIN_MS = 4 * DAY_MS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def week_of(t_ms: pl.Expr) -> pl.Expr:
    """The week number of epoch-ms times."""
    return (t_ms - WEEK_ORIGIN_MS).floordiv(WEEK_MS)


def week_start_ms(week: int) -> int:
    """Epoch ms of the Monday that starts ``week``."""
    return WEEK_ORIGIN_MS + week * WEEK_MS


def spacing_m(resolution: int) -> float:
    """Mean distance between neighbouring cell centres at ``resolution`` (metres)."""
    return float(np.sqrt(3.0) * h3.average_hexagon_edge_length(resolution, "m"))


def cells_of(lat: pl.Expr, lon: pl.Expr, resolution: int) -> pl.Expr:
    """The H3 cell (as UInt64) of each point."""
    cell: pl.Expr = plh3.latlng_to_cell(lat, lon, resolution)
    return cell


@dataclass(frozen=True)
class Grid:
    """The cells an assessment works on and their neighbourhoods.

    ``cells`` is sorted; index ``n_cells`` is a sentinel cell that holds nothing.
    ``neighbours[i, s]`` is the index of the cell in slot ``s`` of cell ``i``'s disk;
    ``slot_ring[s]`` is the ring (grid distance) of slot ``s``.
    """

    resolution: int
    cells: npt.NDArray[np.uint64]
    neighbours: IntArray
    slot_ring: IntArray
    area_km2: FloatArray

    @property
    def n_cells(self) -> int:
        """Number of real cells (the sentinel excluded)."""
        return int(self.cells.shape[0])

    def index(self, cells: npt.NDArray[np.uint64]) -> IntArray:
        """Index of each cell in the grid (the sentinel for cells not in it)."""
        n = self.n_cells
        if n == 0:
            return np.zeros(len(cells), np.int64)
        # one hash look-up per cell (the grid's cells are distinct)
        out = pl.Series(np.asarray(cells, np.uint64)).replace_strict(
            pl.Series(self.cells), pl.Series(np.arange(n, dtype=np.int64)), default=n,
            return_dtype=pl.Int64,
        )  # fmt: skip
        return np.asarray(out.to_numpy(), np.int64)

    def slots_within(self, rings: int) -> int:
        """Number of disk slots with ring ≤ ``rings``."""
        return int(np.count_nonzero(self.slot_ring <= rings))


def build_grid(base: npt.NDArray[np.uint64], resolution: int, rings: int) -> Grid:
    """The grid of ``base`` cells and every cell within ``rings`` of them."""
    base = _sorted_unique(base)
    disk_size = 1 + 3 * rings * (rings + 1)
    if base.size == 0:
        return Grid(
            resolution,
            base,
            np.zeros((1, disk_size), np.int64),
            _slot_rings(rings),
            np.zeros(0),
        )
    frame = pl.DataFrame({"c": base}).select(plh3.grid_disk("c", rings).alias("d"))
    cells = _sorted_unique(frame["d"].explode().to_numpy())
    grid = Grid(resolution, cells, np.zeros((0, 0), np.int64), _slot_rings(rings), np.zeros(0))
    parts = []
    for ring in range(rings + 1):
        ring_frame = pl.DataFrame({"c": cells}).select(plh3.grid_ring("c", ring).alias("r"))
        lists = ring_frame["r"]
        want = 1 if ring == 0 else 6 * ring
        lengths = lists.list.len().to_numpy()
        padded = np.full((cells.size, want), grid.n_cells, np.int64)
        ok = lengths == want  # cells near pentagons keep the sentinel
        if ok.any():
            flat = lists.filter(pl.Series(ok)).explode().to_numpy().astype(np.uint64)
            padded[ok] = grid.index(flat).reshape(-1, want)
        parts.append(padded)
    neighbours = np.concatenate(parts, axis=1)
    neighbours = np.concatenate([neighbours, np.full((1, disk_size), cells.size, np.int64)])
    area = pl.DataFrame({"c": cells}).select(plh3.cell_area("c", "km^2"))["c"].to_numpy()
    return Grid(resolution, cells, neighbours, grid.slot_ring, area.astype(np.float64))


def _sorted_unique(cells: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """``np.unique(cells)``, by hashing before sorting."""
    distinct = pl.Series(np.asarray(cells, np.uint64)).unique().to_numpy()
    return np.sort(distinct).astype(np.uint64)


def _slot_rings(rings: int) -> IntArray:
    return np.concatenate(
        [np.zeros(1, np.int64)] + [np.full(6 * r, r, np.int64) for r in range(1, rings + 1)]
    )
