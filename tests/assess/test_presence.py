"""Presence stays a probability, whatever the evidence."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.assess import AssessmentInputs, Params
from liaison.assess.errors import Messages
from liaison.assess.prepare import prepare
from liaison.assess.presence import presence, presence_from_evidence

finite = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False)


@given(st.lists(finite, min_size=1, max_size=50), st.floats(min_value=1e-3, max_value=1e3))
def test_presence_from_evidence_in_unit_interval(values: list[float], scale: float) -> None:
    p = presence_from_evidence(np.asarray(values, np.float32), scale)
    assert np.all((p >= 0.0) & (p <= 1.0))


report = st.tuples(
    st.floats(min_value=34.0, max_value=35.0),
    st.floats(min_value=38.0, max_value=39.0),
    st.floats(min_value=1.0, max_value=49_000.0),
    st.sampled_from(["control", "sighting", "movement", "rumour"]),
    st.sampled_from(["A", "C", "F", None]),
    st.integers(min_value=0, max_value=40),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(report, min_size=1, max_size=30))
def test_presence_map_bounded(
    reports: list[tuple[float, float, float, str, str | None, int]],
) -> None:
    week = 7 * 86_400_000
    df = pl.DataFrame(
        {
            "id": [f"sighting--{i}" for i in range(len(reports))],
            "group": ["threat-actor--g"] * len(reports),
            "lat": [r[0] for r in reports],
            "lon": [r[1] for r in reports],
            "precision_m": [r[2] for r in reports],
            "presence_kind": [r[3] for r in reports],
            "reliability": [r[4] for r in reports],
            "t_start_ms": [2400 * week + r[5] * 86_400_000 for r in reports],
            "t_end_ms": [2400 * week + r[5] * 86_400_000 * 2 for r in reports],
        }
    )
    inputs = AssessmentInputs.from_frames({"presence": df})
    params = Params()
    prep = prepare(inputs, params, None, Messages())
    p = presence(prep, params)
    assert p.shape[2] == 1
    assert np.all((p >= 0.0) & (p <= 1.0))
    assert np.all(p[-1] == 0.0)  # the sentinel cell holds nothing
