"""The spreading kernels' widths, and the kernel nearest a report's precision."""

from __future__ import annotations

import functools
import itertools

import numpy as np
import numpy.typing as npt

__all__ = ["KERNEL_SIGMAS", "kernel_class"]

I64 = npt.NDArray[np.int64]

#: Widths (in grid rings) of the precomputed spreading kernels; a report uses the nearest.
KERNEL_SIGMAS = (0.0, 0.35, 0.6, 1.0, 1.5, 2.0, 3.0)


def kernel_class(precision_m: npt.NDArray[np.float64], floor_m: float, spacing: float) -> I64:
    """Index in ``KERNEL_SIGMAS`` of the kernel nearest ``sqrt((precision / 2)² + floor²)``
    (ties: the first; not finite: the first).

    A precision is read as the radius within which the place lies, so its per-axis
    standard deviation is half of it.
    """
    sigma = np.sqrt(np.square(np.asarray(precision_m) / 2.0) + floor_m**2) / spacing
    out: I64 = np.searchsorted(_class_bounds(), sigma, side="right").astype(np.int64)
    odd = ~(sigma <= _PLAIN_SIGMA)  # huge, infinite or NaN: the argmin over the kernels
    if odd.any():
        sigmas = np.asarray(KERNEL_SIGMAS)
        out[odd] = np.argmin(np.abs(sigma[odd][:, None] - sigmas[None, :]), axis=1)
    return out


#: Widths (rings) up to which the nearest kernel is the last one below or the next one.
_PLAIN_SIGMA = 1e12


@functools.cache
def _class_bounds() -> npt.NDArray[np.float64]:
    """Per pair of neighbouring kernels, the smallest width nearer (in floating point,
    ``|σ − σ_j|`` as an argmin computes it) to the wider one: ``kernel_class`` is then
    the number of bounds at or below a width."""
    bounds = []
    for narrow, wide in itertools.pairwise(KERNEL_SIGMAS):
        lo, hi = _bits(narrow), _bits(wide)  # the test fails at lo and holds at hi
        while hi - lo > 1:
            mid = (lo + hi) // 2
            x = _float(mid)
            if abs(x - wide) < abs(x - narrow):
                hi = mid
            else:
                lo = mid
        bounds.append(_float(hi))
    return np.asarray(bounds, np.float64)


def _bits(x: float) -> int:
    return int(np.float64(x).view(np.int64))


def _float(bits: int) -> float:
    return float(np.int64(bits).view(np.float64))
