"""Space-time matching: candidates within a radius and a window, and one-to-one pairs.

Both sides are numpy arrays; the search is a sorted-key join. Right rows are keyed by
(group, H3 cell at least ``radius`` across, time); each left row looks in the cells of
its one-ring disk that hold right rows of its group, and takes there the two right
rows nearest in time on each side (``searchsorted``). Only candidates in time are
measured in distance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
import polars_h3 as plh3

from .grid import spacing_m

__all__ = ["best_per_left", "haversine", "match_resolution", "near", "one_to_one_idx", "planar"]

F = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_EARTH_M = 6_371_000.0
_T_BITS = 34  # time in seconds since the earliest row: 544 years


def match_resolution(radius_m: float) -> int:
    """The finest H3 resolution whose cell spacing is at least ``radius_m`` (≥ 0)."""
    for res in range(15, -1, -1):
        if spacing_m(res) >= radius_m:
            return res
    return 0


def haversine(lat1: F, lon1: F, lat2: F, lon2: F) -> F:
    """Great-circle distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), np.float64)


def planar(lat1: F, lon1: F, lat2: F, lon2: F) -> F:
    """Distance in metres on the local tangent plane (equirectangular): within 0.1 % of
    the great-circle distance up to 100 km, at a fraction of its cost."""
    k = np.radians(1.0) * _EARTH_M
    dy = (lat2 - lat1) * k
    dx = (lon2 - lon1) * (k * np.cos(np.radians((lat1 + lat2) * 0.5)))
    return np.asarray(np.sqrt(dx * dx + dy * dy), np.float64)


def _centres(cells: npt.NDArray[np.uint64]) -> tuple[F, F]:
    df = pl.DataFrame({"c": cells}).select(
        plh3.cell_to_lat("c").alias("lat"), plh3.cell_to_lng("c").alias("lon")
    )
    return df["lat"].to_numpy(), df["lon"].to_numpy()


def _cells(lat: F, lon: F, res: int) -> npt.NDArray[np.uint64]:
    df = pl.DataFrame({"lat": lat, "lon": lon})
    out = df.select(plh3.latlng_to_cell("lat", "lon", res).alias("c"))["c"].to_numpy()
    return np.asarray(out, np.uint64)


def near(
    left: tuple[F, F, I64, I64],
    right: tuple[F, F, I64, I64],
    radius_m: float,
    window_ms: int,
) -> tuple[I64, I64, F, I64]:
    """Candidate pairs (left index, right index, distance m, |Δt| ms) of the same group
    within ``radius_m`` and ``window_ms``; each side is (lat, lon, t_ms, group)."""
    l_lat, l_lon, l_t, l_g = left
    r_lat, r_lon, r_t, r_g = right
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64))
    if l_lat.size == 0 or r_lat.size == 0:
        return none
    res = match_resolution(radius_m)
    r_cells = _cells(r_lat, r_lon, res)
    uniq = np.unique(r_cells)
    combo = r_g.astype(np.int64) * uniq.size + np.searchsorted(uniq, r_cells)
    combos, r_code = np.unique(combo, return_inverse=True)
    t0 = int(min(l_t.min(), r_t.min()))
    r_key = (r_code.astype(np.int64) << _T_BITS) | ((r_t - t0) // 1000)
    order = np.argsort(r_key, kind="stable")
    r_key = r_key[order]
    l_cells = _cells(l_lat, l_lon, res)
    l_uniq, l_inv = np.unique(l_cells, return_inverse=True)
    disk = pl.DataFrame({"c": l_uniq}).select(plh3.grid_disk("c", 1).alias("d"))["d"]
    lengths = disk.list.len().to_numpy().astype(np.int64)
    flat = np.asarray(disk.explode().to_numpy(), np.uint64)
    slots = np.full((l_uniq.size, 7), -1, np.int64)
    rows = np.repeat(np.arange(l_uniq.size), lengths)
    cols = np.arange(flat.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    pos_in = np.searchsorted(uniq, flat).clip(0, uniq.size - 1)
    slots[rows, cols] = np.where(uniq[pos_in] == flat, pos_in, -1)
    # (left row, disk cell) queries whose group has right rows in that cell, and whose
    # cell can hold a point within the radius (centre nearer than radius + circumradius)
    cell_idx = slots[l_inv.reshape(-1)]  # [n, 7]
    c_lat, c_lon = _centres(uniq)
    reach = radius_m + spacing_m(res) / np.sqrt(3.0)
    c = cell_idx.clip(0, None)
    close = planar(l_lat[:, None], l_lon[:, None], c_lat[c], c_lon[c]) <= reach
    cell_idx = np.where(close, cell_idx, -1)
    combo_q = np.where(cell_idx >= 0, l_g.astype(np.int64)[:, None] * uniq.size + cell_idx, -1)
    q_pos = np.searchsorted(combos, combo_q).clip(0, combos.size - 1)
    hit = (combo_q >= 0) & (combos[q_pos] == combo_q)
    li, slot = np.nonzero(hit)
    code = q_pos[li, slot].astype(np.int64)
    q = (code << _T_BITS) | ((l_t[li] - t0) // 1000)
    pos = np.searchsorted(r_key, q)
    cand = pos[:, None] + np.arange(-2, 2)[None, :]
    inside = (cand >= 0) & (cand < r_key.size)
    cand = cand.clip(0, r_key.size - 1)
    inside &= (r_key[cand] >> _T_BITS) == code[:, None]
    ri = order[cand]
    dt = np.abs(r_t[ri] - l_t[li][:, None])
    a, b = np.nonzero(inside & (dt <= window_ms))
    li, ri, dt = li[a], ri[a, b], dt[a, b]
    dist = planar(l_lat[li], l_lon[li], r_lat[ri], r_lon[ri])
    ok = dist <= radius_m
    return li[ok].astype(np.int64), ri[ok].astype(np.int64), dist[ok], dt[ok].astype(np.int64)


def best_per_left(li: I64, cost: F, ri: I64, keep: int) -> npt.NDArray[np.intp]:
    """Indices of the ``keep`` cheapest pairs of each left row (ties: lower right index)."""
    order = np.lexsort((ri, cost, li)) if li.size < 1_000_000 else _by_left_cost(li, cost)
    sorted_l = li[order]
    first = np.searchsorted(sorted_l, sorted_l, side="left")
    rank = np.arange(order.size) - first
    return np.asarray(order[rank < keep])


def _by_left_cost(li: I64, cost: F) -> npt.NDArray[np.intp]:
    """Order by left row, then cost (one float sort; ties keep their order)."""
    span = float(cost.max(initial=0.0)) + 1.0
    return np.asarray(np.argsort(li * span + cost, kind="stable"))


def _first_of_each(keys: I64, size: int) -> npt.NDArray[np.bool_]:
    """Whether each position holds the first occurrence of its key (keys in 0…size-1)."""
    first = np.full(size, keys.size, np.int64)
    np.minimum.at(first, keys, np.arange(keys.size))
    mark = np.zeros(keys.size, bool)
    mark[first[first < keys.size]] = True
    return mark


def _by_cost(li: I64, ri: I64, cost: F) -> npt.NDArray[np.intp]:
    """Order by cost, then left, then right index: one stable sort of the costs when the
    pairs already come by left row, then cost, then right index (as ``best_per_left``'s
    usually do), else a three-key sort."""
    same_l = li[1:] == li[:-1]
    by_left = bool(
        np.all(
            (li[1:] > li[:-1])
            | (same_l & (cost[1:] > cost[:-1]))
            | (same_l & (cost[1:] == cost[:-1]) & (ri[1:] >= ri[:-1]))
        )
    )
    if by_left:
        return np.asarray(np.argsort(cost, kind="stable"))
    return np.asarray(np.lexsort((ri, li, cost)))


def one_to_one_idx(li: I64, ri: I64, cost: F) -> npt.NDArray[np.intp]:
    """Greedy one-to-one matching: indices of the kept pairs. Mutual best pairs (ties
    broken by left, then right index) are kept round after round until none is left;
    the cheapest pair always is."""
    order = _by_cost(li, ri, cost)
    li_s, ri_s = li[order], ri[order]
    n_l, n_r = int(li.max(initial=-1)) + 1, int(ri.max(initial=-1)) + 1
    used_l = np.zeros(n_l, bool)
    used_r = np.zeros(n_r, bool)
    live = np.arange(order.size)
    kept = []
    while live.size:
        # first (cheapest) live pair of each left row, then of each right row among those
        best = live[_first_of_each(li_s[live], n_l)]
        mutual = best[_first_of_each(ri_s[best], n_r)]
        kept.append(mutual)
        used_l[li_s[mutual]] = True
        used_r[ri_s[mutual]] = True
        live = live[~(used_l[li_s[live]] | used_r[ri_s[live]])]
    if not kept:
        return np.zeros(0, np.intp)
    return np.asarray(np.sort(order[np.concatenate(kept)]))
