"""Matching encodings: Dice similarity with blocking, then one-to-one assignment.

Blocking is locality-sensitive hashing on the encodings themselves (bit
sampling: pairs that agree on every sampled bit of at least one band are
compared), so it leaks nothing the encodings do not. ``bands = 0`` compares all
pairs. Scores are exact Dice coefficients over the 64-bit words of the filters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from liaison.linkage._schema import Schema

Bits = npt.NDArray[np.uint8]
_SLICE = 4_000_000


@dataclass(frozen=True, slots=True)
class Pairs:
    """Candidate pairs (row in the first batch, row in the second) and scores,
    best first."""

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    score: npt.NDArray[np.float32]
    compared: int

    def __len__(self) -> int:
        return len(self.left)


def words(bits: Bits) -> npt.NDArray[np.uint64]:
    """Filters as 64-bit words (the layout the kernels read)."""
    if bits.shape[1] % 8:
        raise ValueError("filters must be a multiple of 64 bits")
    return np.ascontiguousarray(bits).view(np.uint64)


def popcounts(bits: Bits) -> npt.NDArray[np.int64]:
    counts: npt.NDArray[np.int64] = np.bitwise_count(words(bits)).sum(axis=1, dtype=np.int64)
    return counts


def band_sample(schema: Schema) -> npt.NDArray[np.int64]:
    """The bit positions of each LSH band, derived from the schema fingerprint."""
    seed = int.from_bytes(hashlib.sha256(b"lsh|" + schema.fingerprint.encode()).digest()[:8])
    rng = np.random.Generator(np.random.PCG64(seed))
    b = schema.blocking
    return np.stack(
        [rng.choice(schema.bits, b.band_bits, replace=False) for _ in range(b.bands)]
    ).astype(np.int64)


def band_pairs(
    schema: Schema, left: Bits, right: Bits
) -> Iterator[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """For each LSH band, the pairs whose sampled bits all agree (a pair may come
    again in later bands)."""
    from liaison.linkage import _kernel

    sample = band_sample(schema)
    ka = _kernel.band_keys(left, sample)
    kb = _kernel.band_keys(right, sample)
    rows = np.arange(len(left), dtype=np.int64)
    for band in range(sample.shape[0]):
        order = np.argsort(kb[band], kind="stable")
        sorted_b = kb[band][order]
        lo = np.searchsorted(sorted_b, ka[band], "left")
        counts = np.searchsorted(sorted_b, ka[band], "right") - lo
        # in slices of rows, so that no band materialises more than ~4M pairs
        ends = np.searchsorted(np.cumsum(counts), np.arange(1, 1 + counts.sum() // _SLICE) * _SLICE)
        start = 0
        for stop in [*ends.tolist(), len(left)]:
            c = counts[start:stop]
            total = int(c.sum())
            if total:
                i = np.repeat(rows[start:stop], c)
                offset = np.repeat(lo[start:stop] - (np.cumsum(c) - c), c)
                yield i, order[np.arange(total, dtype=np.int64) + offset].astype(np.int64)
            start = stop


def match(
    schema: Schema,
    left: Bits,
    right: Bits,
    *,
    threshold: float | None = None,
    one_to_one: bool = True,
) -> Pairs:
    """Pairs with Dice ≥ threshold (the schema's by default), best first; with
    ``one_to_one`` each record keeps at most its best partner (greedy)."""
    from liaison.linkage import _kernel

    t = schema.threshold if threshold is None else threshold
    a, b = words(left), words(right)
    pa, pb = popcounts(left), popcounts(right)
    if not len(a) or not len(b):
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0, dtype=np.float32), 0)
    if schema.blocking.bands == 0:
        ii, jj, score, compared = _dense(a, b, pa, pb, t)
    else:
        found_i, found_j, found_s = [], [], []
        compared = 0
        for ci, cj in band_pairs(schema, left, right):
            s = _kernel.dice_pairs(a, b, pa, pb, ci, cj)
            keep = s >= t
            found_i.append(ci[keep])
            found_j.append(cj[keep])
            found_s.append(s[keep])
            compared += len(ci)
        ii = np.concatenate(found_i) if found_i else np.zeros(0, dtype=np.int64)
        jj = np.concatenate(found_j) if found_j else np.zeros(0, dtype=np.int64)
        score = np.concatenate(found_s) if found_s else np.zeros(0, dtype=np.float32)
        if len(ii):  # a pair found in several bands is listed once
            _, first = np.unique(ii * len(b) + jj, return_index=True)
            ii, jj, score = ii[first], jj[first], score[first]
    order = np.lexsort((jj, ii, -score))
    ii, jj, score = ii[order], jj[order], score[order]
    if one_to_one and len(ii):
        keep = _kernel.greedy_assign(ii, jj, np.arange(len(ii), dtype=np.int64), len(a), len(b))
        ii, jj, score = ii[keep], jj[keep], score[keep]
    return Pairs(ii, jj, score, compared)


def _dense(
    a: npt.NDArray[np.uint64],
    b: npt.NDArray[np.uint64],
    pa: npt.NDArray[np.int64],
    pb: npt.NDArray[np.int64],
    t: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32], int]:
    from liaison.linkage import _kernel

    cap = 8
    counts, cols, scores = _kernel.dice_dense(a, b, pa, pb, t, cap)
    over = np.flatnonzero(counts > cap)
    if len(over):  # rare: rows with many pairs above the threshold, done again wider
        wide = int(counts.max())
        _, cols2, s2 = _kernel.dice_dense(a[over], b, pa[over], pb, t, wide)
        cols = np.pad(cols, ((0, 0), (0, wide - cap)), constant_values=-1)
        scores = np.pad(scores, ((0, 0), (0, wide - cap)))
        cols[over], scores[over] = cols2, s2
    mask = cols >= 0
    ii = np.nonzero(mask)[0].astype(np.int64)
    return ii, cols[mask].astype(np.int64), scores[mask], len(a) * len(b)
