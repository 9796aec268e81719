"""Compiled kernels (numba) for the hot loops of matching: Dice coefficients over
64-bit words, LSH band keys, greedy one-to-one assignment.

Imported only when matching runs (numba is heavy to import); compiled on first
use and cached on disk.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt
from numba import njit, prange

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(inline="always", cache=True)
def _popcount(x: np.uint64) -> np.uint64:  # LLVM turns this into POPCNT
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(parallel=True, cache=True, boundscheck=False)
def dice_dense(
    a: U64, b: U64, pa: I64, pb: I64, threshold: float, cap: int
) -> tuple[I64, npt.NDArray[np.int32], F32]:
    """Every pair (i, j) with Dice ≥ threshold: per row of ``a``, how many, and the
    first ``cap`` of them (columns and scores)."""
    n, m, words = a.shape[0], b.shape[0], a.shape[1]
    counts = np.zeros(n, dtype=np.int64)
    cols = np.full((n, cap), -1, dtype=np.int32)
    scores = np.zeros((n, cap), dtype=np.float32)
    for i in prange(n):
        ai = a[i]
        c = 0
        for j in range(m):
            bj = b[j]
            s = np.uint64(0)
            for w in range(words):
                s += _popcount(ai[w] & bj[w])
            total = pa[i] + pb[j]
            if total > 0 and 2.0 * s >= threshold * total:
                if c < cap:
                    cols[i, c] = j
                    scores[i, c] = 2.0 * s / total
                c += 1
        counts[i] = c
    return counts, cols, scores


@njit(parallel=True, cache=True, boundscheck=False)
def dice_pairs(a: U64, b: U64, pa: I64, pb: I64, ii: I64, jj: I64) -> F32:
    """Dice of the listed pairs ``(a[ii[p]], b[jj[p]])``."""
    out = np.zeros(ii.shape[0], dtype=np.float32)
    words = a.shape[1]
    for p in prange(ii.shape[0]):
        i, j = ii[p], jj[p]
        s = np.uint64(0)
        for w in range(words):
            s += _popcount(a[i, w] & b[j, w])
        total = pa[i] + pb[j]
        out[p] = 2.0 * s / total if total > 0 else 0.0
    return out


@njit(parallel=True, cache=True, boundscheck=False)
def band_keys(bits: npt.NDArray[np.uint8], sample: I64) -> U64:
    """LSH keys: for each band (row of ``sample``, bit positions) and record, the
    sampled bits packed in one integer."""
    bands, width = sample.shape
    n = bits.shape[0]
    out = np.zeros((bands, n), dtype=np.uint64)
    for r in prange(n):
        row = bits[r]
        for band in range(bands):
            key = np.uint64(0)
            for t in range(width):
                p = sample[band, t]
                bit = (row[p >> 3] >> (7 - (p & 7))) & 1
                key = (key << np.uint64(1)) | np.uint64(bit)
            out[band, r] = key
    return out


@njit(cache=True)
def greedy_assign(ii: I64, jj: I64, order: I64, n: int, m: int) -> npt.NDArray[np.bool_]:
    """One-to-one: walk pairs best first (``order``), keep a pair when neither side
    is taken yet."""
    used_a = np.zeros(n, dtype=np.bool_)
    used_b = np.zeros(m, dtype=np.bool_)
    keep = np.zeros(ii.shape[0], dtype=np.bool_)
    for p in order:
        i, j = ii[p], jj[p]
        if not used_a[i] and not used_b[j]:
            used_a[i] = True
            used_b[j] = True
            keep[p] = True
    return keep


def set_threads(n: int | None) -> None:
    """Limit the kernels' threads (default: every core)."""
    numba.set_num_threads(n or numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
