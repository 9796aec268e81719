"""A random planar road graph between settlements (Delaunay triangulation, long edges cut)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path
from scipy.spatial import Delaunay

from .common import distance_km

__all__ = ["Roads", "path_to", "road_graph"]

_LAT, _LON = (33.0, 37.0), (36.0, 41.5)


@dataclass(frozen=True)
class Roads:
    """Nodes (settlements) and undirected edges (roads) with their lengths in km."""

    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    edges: npt.NDArray[np.int64]  # m × 2, u < v
    length_km: npt.NDArray[np.float64]
    neighbours: tuple[npt.NDArray[np.int64], ...]

    @property
    def n(self) -> int:
        return self.lat.size

    def edge_index(self) -> dict[tuple[int, int], int]:
        """(u, v) with u < v → edge number."""
        return {(int(u), int(v)): i for i, (u, v) in enumerate(self.edges)}

    def tree(self, allowed: npt.NDArray[np.bool_], src: int) -> npt.NDArray[np.int64]:
        """Shortest-path predecessors from ``src`` through ``allowed`` nodes (−9999: none)."""
        keep = allowed[self.edges[:, 0]] & allowed[self.edges[:, 1]]
        e, w = self.edges[keep], self.length_km[keep]
        graph = csr_matrix(
            (np.concatenate([w, w]), (np.concatenate([e[:, 0], e[:, 1]]),
                                     np.concatenate([e[:, 1], e[:, 0]]))),
            shape=(self.n, self.n),
        )  # fmt: skip
        _, pred = shortest_path(graph, directed=False, indices=src, return_predecessors=True)
        return np.asarray(pred, dtype=np.int64)


def path_to(pred: npt.NDArray[np.int64], src: int, dst: int) -> list[int]:
    """The node path ``src`` → ``dst`` from a predecessor tree ([] when unreachable)."""
    if src != dst and pred[dst] < 0:
        return []
    out = [dst]
    while out[-1] != src:
        out.append(int(pred[out[-1]]))
    return out[::-1]


def road_graph(rng: np.random.Generator, n: int = 160, min_km: float = 16.0) -> Roads:
    """``n`` settlements at least ``min_km`` apart in a Syria-sized box, joined by roads."""
    lat: list[float] = []
    lon: list[float] = []
    tries = 0
    while len(lat) < n and tries < 200 * n:
        tries += 1
        a, b = rng.uniform(*_LAT), rng.uniform(*_LON)
        if lat and np.min(distance_km(np.array(lat), np.array(lon), a, b)) < min_km:
            continue
        lat.append(a)
        lon.append(b)
    la, lo = np.array(lat), np.array(lon)
    xy = np.column_stack([lo * 111.32 * np.cos(np.radians(35.0)), la * 111.32])
    pairs = set()
    for simplex in Delaunay(xy).simplices:
        for i in range(3):
            u, v = sorted((int(simplex[i]), int(simplex[(i + 1) % 3])))
            pairs.add((u, v))
    edges = np.array(sorted(pairs), dtype=np.int64)
    u_, v_ = edges[:, 0], edges[:, 1]
    length = np.asarray(distance_km(la[u_], lo[u_], la[v_], lo[v_]))
    # cut the long edges of the hull, keeping each node's shortest road
    shortest = np.full(la.size, np.inf)
    np.minimum.at(shortest, edges[:, 0], length)
    np.minimum.at(shortest, edges[:, 1], length)
    keep = (length <= 70.0) | (length <= shortest[edges[:, 0]]) | (length <= shortest[edges[:, 1]])
    edges, length = edges[keep], length[keep]
    nbrs: list[list[int]] = [[] for _ in range(la.size)]
    for u, v in edges:
        nbrs[u].append(int(v))
        nbrs[v].append(int(u))
    return Roads(
        lat=la,
        lon=lo,
        edges=edges,
        length_km=length.astype(np.float64),
        neighbours=tuple(np.array(sorted(x), dtype=np.int64) for x in nbrs),
    )
