"""The one distance: agrees with h3's, in scalar and array form."""

from __future__ import annotations

import math

import h3
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from liaison.geodesy import distance_km, distance_m, distance_m_array

lat = st.floats(-89.9, 89.9)
lon = st.floats(-180.0, 180.0)


@given(lat, lon, lat, lon)
def test_distance_agrees_with_h3_great_circle_distance(
    a: float, b: float, c: float, d: float
) -> None:
    expected = h3.great_circle_distance((a, b), (c, d), unit="m")
    assert math.isclose(distance_m(a, b, c, d), expected, rel_tol=1e-9, abs_tol=1e-6)
    assert math.isclose(distance_km(a, b, c, d) * 1000, expected, rel_tol=1e-9, abs_tol=1e-6)


@given(st.lists(st.tuples(lat, lon, lat, lon), min_size=1, max_size=20))
def test_array_form_equals_scalar_form(points: list[tuple[float, float, float, float]]) -> None:
    arr = np.array(points)
    got = distance_m_array(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    want = [distance_m(*p) for p in points]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-6)


def test_a_degree_of_longitude_on_the_equator() -> None:
    assert math.isclose(distance_m(0, 0, 0, 1), 111_195.08, rel_tol=1e-6)
    assert distance_m(10, 20, 10, 20) == 0.0
