"""The one great-circle distance of liaison, on H3's sphere.

Every distance the node computes (area queries, coarsening, gazetteer matches,
corroboration, the method) uses this radius and these formulas, so that a record
"within 10 km" means the same in every room. Pure math: no h3 or numpy import here
(the CLI starts fast); ``distance_m_array`` imports numpy when called.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["EARTH_RADIUS_M", "distance_km", "distance_m", "distance_m_array"]

#: Mean Earth radius used by H3 (metres); ``h3.great_circle_distance`` agrees.
EARTH_RADIUS_M = 6_371_007.180918475


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points in degrees (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """``distance_m`` in kilometres."""
    return distance_m(lat1, lon1, lat2, lon2) / 1000.0


def distance_m_array(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> npt.NDArray[np.float64]:
    """``distance_m`` element-wise over arrays (broadcasting), as float64 metres."""
    import numpy as np

    p1, p2 = np.radians(np.asarray(lat1, np.float64)), np.radians(np.asarray(lat2, np.float64))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, np.float64) - np.asarray(lon1, np.float64))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), np.float64)
