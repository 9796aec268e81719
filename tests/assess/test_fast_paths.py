"""The fast paths of the assessment give what their plain versions give, exactly."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from liaison.assess import AssessmentInputs, Params
from liaison.assess.errors import Messages
from liaison.assess.grid import Grid
from liaison.assess.location import _distinct
from liaison.assess.matching import _first_of_each, one_to_one_idx
from liaison.assess.prepare import prepare
from liaison.assess.presence import KERNEL_SIGMAS, control_field, evidence_sources, kernel_class
from liaison.assess.targeting import _count_below


def _kernel_class_argmin(precision: np.ndarray, floor_m: float, spacing: float) -> np.ndarray:
    sigma = np.sqrt(np.square(np.asarray(precision) / 2.0) + floor_m**2) / spacing
    sigmas = np.asarray(KERNEL_SIGMAS)
    return np.argmin(np.abs(sigma[:, None] - sigmas[None, :]), axis=1)


@pytest.mark.parametrize("spacing", [1.0, 7.7, 1234.5, 6_400.0])
@pytest.mark.parametrize("floor_m", [0.0, 1e-3, 1_500.0, 3_000.0, 6_000.0])
def test_kernel_class_is_the_nearest_kernel(spacing: float, floor_m: float) -> None:
    rng = np.random.default_rng(3)
    mids = (np.asarray(KERNEL_SIGMAS)[1:] + np.asarray(KERNEL_SIGMAS)[:-1]) / 2.0
    # precisions whose width falls on, and a few ulps around, the midpoints between kernels
    at_mid = np.concatenate(
        [2.0 * spacing * (m + np.arange(-40, 41) * np.spacing(m)) for m in mids]
    )
    precision = np.concatenate(
        [
            rng.uniform(0.0, 40.0 * spacing, 20_000),
            rng.integers(0, 50_000, 5_000).astype(np.float64),
            at_mid,
            np.nextafter(at_mid, np.inf),
            [0.0, -5.0, -spacing, np.nan, np.inf, -np.inf, 1e20, -3e25, 1e150, 1e300],
            2.0 * spacing * np.geomspace(1e6, 1e18, 500),
        ]
    )
    with np.errstate(over="ignore", invalid="ignore"):
        expected = _kernel_class_argmin(precision, floor_m, spacing)
        got = kernel_class(precision, floor_m, spacing)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, expected)


def test_distinct_locations_are_numpys_unique_columns() -> None:
    rng = np.random.default_rng(5)
    cls, cell, week = (rng.integers(0, k, 50_000) for k in (7, 300, 60))
    keys, key_of = _distinct(cls, cell, week)
    want, want_of = np.unique(np.stack([cls, cell, week]), axis=1, return_inverse=True)
    np.testing.assert_array_equal(keys, want)
    np.testing.assert_array_equal(key_of, want_of.reshape(-1))
    np.testing.assert_array_equal(keys[:, key_of], np.stack([cls, cell, week]))


def _one_to_one_reference(li: np.ndarray, ri: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The rounds of mutual best pairs, one pair at a time in plain Python."""
    order = sorted(range(li.size), key=lambda i: (cost[i], li[i], ri[i], i))
    used_l: set[int] = set()
    used_r: set[int] = set()
    live = order
    kept: list[int] = []
    while live:
        best_of_l: dict[int, int] = {}
        for i in live:
            best_of_l.setdefault(int(li[i]), i)
        best = [i for i in live if best_of_l[int(li[i])] == i]
        best_of_r: dict[int, int] = {}
        for i in best:
            best_of_r.setdefault(int(ri[i]), i)
        mutual = list(best_of_r.values())
        kept += mutual
        used_l |= {int(li[i]) for i in mutual}
        used_r |= {int(ri[i]) for i in mutual}
        live = [i for i in live if int(li[i]) not in used_l and int(ri[i]) not in used_r]
    return np.sort(np.asarray(kept, np.intp))


@pytest.mark.parametrize("by_left", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_one_to_one_matches_the_reference(seed: int, by_left: bool) -> None:
    rng = np.random.default_rng(seed)
    n = 400
    li = rng.integers(0, 60, n)
    ri = rng.integers(0, 50, n)
    cost = rng.integers(0, 12, n) / 4.0  # many ties
    if by_left:  # the order best_per_left gives (the one-sort path)
        order = np.lexsort((ri, cost, li))
        li, ri, cost = li[order], ri[order], cost[order]
    np.testing.assert_array_equal(one_to_one_idx(li, ri, cost), _one_to_one_reference(li, ri, cost))


def test_first_of_each_marks_first_occurrences() -> None:
    keys = np.array([3, 1, 3, 0, 1, 1, 4])
    np.testing.assert_array_equal(
        _first_of_each(keys, 5), [True, True, False, True, False, False, True]
    )


def test_count_below_is_the_sum_of_comparisons() -> None:
    rng = np.random.default_rng(2)
    values = np.sort(rng.random((9, 300)).astype(np.float32), axis=0)
    bound = rng.random((4, 300)).astype(np.float32)
    np.testing.assert_array_equal(
        _count_below(values, bound), (values[None, :, :] < bound[:, None, :]).sum(axis=1)
    )


def test_grid_index_finds_each_cell_or_the_sentinel() -> None:
    cells = np.array([10, 20, 30, 45], np.uint64)
    grid = Grid(6, cells, np.zeros((5, 1), np.int64), np.zeros(1, np.int64), np.zeros(4))
    query = np.array([20, 5, 45, 46, 10, 30, 31], np.uint64)
    np.testing.assert_array_equal(grid.index(query), [1, 4, 3, 4, 0, 2, 4])
    empty = dataclasses.replace(grid, cells=np.zeros(0, np.uint64))
    np.testing.assert_array_equal(empty.index(query[:2]), [0, 0])


def test_shared_evidence_sources_give_the_same_field(
    scenario: tuple[AssessmentInputs, dict[str, Any]],
) -> None:
    params = Params()
    prep = prepare(scenario[0], params, None, Messages())
    sources = evidence_sources(prep, params)
    assert sum(s.precision.size for s in sources) > 0
    for floor in (1_500.0, 6_000.0):
        alt = dataclasses.replace(params, presence_floor_m=floor)
        fresh = control_field(prep, alt)
        shared = control_field(prep, alt, activity=fresh.activity, sources=sources)
        np.testing.assert_array_equal(shared.p, fresh.p)
        np.testing.assert_array_equal(shared.evidence, fresh.evidence)
        assert shared.scale == fresh.scale
