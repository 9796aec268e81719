"""Presence stays a probability, whatever the evidence."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.assess import AssessmentInputs, Params
from liaison.assess.errors import Messages
from liaison.assess.prepare import prepare
from liaison.assess.presence import (
    control_field,
    evidence_scale,
    presence,
    presence_from_evidence,
    vote_weight,
)

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


def test_logistics_observations_are_presence_evidence() -> None:
    """A group's convoys counted on a road put the group there (nothing else reported)."""
    week = 7 * 86_400_000
    t0 = 2400 * week
    logistics = pl.DataFrame(
        {
            "id": [f"liaison-logistics--{i}" for i in range(6)],
            "group": ["threat-actor--g"] * 6,
            "logistics_kind": ["convoy"] * 6,
            "lat": [34.5] * 6,
            "lon": [38.5] * 6,
            "precision_m": [1000.0] * 6,
            "count": [12] * 6,
            "t_start_ms": [t0 + i * week for i in range(6)],
            "t_end_ms": [t0 + i * week + 86_400_000 for i in range(6)],
        }
    )
    far = pl.DataFrame(
        {
            "id": ["sighting--far"],
            "group": ["threat-actor--h"],
            "presence_kind": ["sighting"],
            "lat": [36.0],
            "lon": [40.0],
            "precision_m": [1000.0],
            "t_start_ms": [t0],
            "t_end_ms": [t0 + 86_400_000],
        }
    )
    inputs = AssessmentInputs.from_frames({"logistics": logistics, "presence": far})
    prep = prepare(inputs, Params(), None, Messages())
    cell = int(prep.frames["logistics"]["cell"][0])
    week_i = int(prep.frames["logistics"]["week"][2])
    g = prep.groups.index("threat-actor--g")
    assert presence(prep, Params())[cell, week_i, g] > 0.5
    assert presence(prep, Params(weight_logistics=0.0))[cell, week_i, g] == 0.0


def _events(place_groups: list[tuple[float, float, list[str]]], weeks: int) -> pl.DataFrame:
    """One event per listed group per week at each place (lat, lon, groups)."""
    week, rows = 7 * 86_400_000, []
    for lat, lon, groups in place_groups:
        for w in range(weeks):
            for g in groups:
                rows.append((lat, lon, g, 2400 * week + w * week + 86_400_000))
    return pl.DataFrame(
        {
            "id": [f"liaison-event--{i}" for i in range(len(rows))],
            "initiator": [r[2] for r in rows],
            "lat": [r[0] for r in rows],
            "lon": [r[1] for r in rows],
            "precision_m": [1000.0] * len(rows),
            "t_start_ms": [r[3] for r in rows],
            "t_end_ms": [r[3] + 3_600_000 for r in rows],
        }
    )


def test_a_place_fought_over_by_several_groups_is_held_by_none() -> None:
    """Four groups acting in one town every week: nobody holds it (no known group); a
    front where two groups meet, and a town one group holds, stay held."""
    fought = (34.5, 38.5, ["threat-actor--a", "threat-actor--b", "threat-actor--c",
                           "threat-actor--d"])  # fmt: skip
    front = (35.5, 39.5, ["threat-actor--a", "threat-actor--b"])
    held = (34.0, 40.0, ["threat-actor--c"])
    inputs = AssessmentInputs.from_frames({"events": _events([fought, front, held], 10)})
    prep = prepare(inputs, Params(), None, Messages())
    ev = prep.frames["events"]
    cell_of = {
        (lat, lon): int(c) for lat, lon, c in ev.select("lat", "lon", "cell").unique().iter_rows()
    }
    wk = int(ev["week"].max()) - 3
    held_share = {
        name: presence(prep, Params())[cell_of[place[:2]], wk].sum()
        for name, place in (("fought", fought), ("front", front), ("held", held))
    }
    assert held_share["fought"] < 0.2
    assert held_share["front"] > 0.9 and held_share["held"] > 0.9
    # the reading switched off: the fought-over town is read as held by someone
    off = presence(prep, Params(control_contested_from=1.0))
    assert off[cell_of[fought[:2]], wk].sum() > 0.9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(min_value=0.0, max_value=50.0), min_size=3 * 4, max_size=3 * 4),
    st.integers(min_value=1, max_value=4),
)
def test_contested_share_is_a_share_and_zero_with_two_groups(
    values: list[float], n_groups: int
) -> None:
    from liaison.assess.presence import contested_share

    weekly = np.asarray(values, np.float32).reshape(1, 3, 4)
    weekly[:, :, n_groups:] = 0.0
    r = contested_share(weekly, Params())
    assert r.shape == (1, 3)
    assert np.all((r >= 0.0) & (r < 1.0))
    if n_groups <= 2:
        assert np.all(r == 0.0)


def test_a_neighbours_faint_kernel_tail_does_not_take_over_an_unreported_town() -> None:
    """A town group a held (reported for 6 weeks), then not reported for 10, while group
    b is reported every week in the next cell: the faint tail of b's kernels over the
    town (a few thousandths of a report) must not vote like reports and hand it to b.
    Before 2.8.0 (``control_vote_saturation=0``) it did."""
    week = 7 * 86_400_000
    town, next_cell = (34.5, 38.5), (34.5, 38.57)  # about 6.4 km apart: adjacent cells
    rows = [(*town, "threat-actor--a", w) for w in range(6)]
    rows += [(*next_cell, "threat-actor--b", w) for w in range(6, 16)]
    events = pl.DataFrame(
        {
            "id": [f"liaison-event--{i}" for i in range(len(rows))],
            "initiator": [r[2] for r in rows],
            "lat": [r[0] for r in rows],
            "lon": [r[1] for r in rows],
            "precision_m": [1000.0] * len(rows),
            "t_start_ms": [2400 * week + r[3] * week + 86_400_000 for r in rows],
            "t_end_ms": [2400 * week + r[3] * week + 90_000_000 for r in rows],
        }
    )
    prep = prepare(AssessmentInputs.from_frames({"events": events}), Params(), None, Messages())
    ev = prep.frames["events"]
    town_cell = int(ev.filter(pl.col("lon") == town[1])["cell"][0])
    b_cell = int(ev.filter(pl.col("lon") == next_cell[1])["cell"][0])
    assert town_cell != b_cell and b_cell in prep.grid.neighbours[town_cell].tolist()
    a, b = prep.groups.index("threat-actor--a"), prep.groups.index("threat-actor--b")
    late = int(ev["week"].max()) - 1  # nine weeks after the town's last report
    field = control_field(prep, Params())
    assert 0.0 < field.weekly_total[town_cell, late] < 0.05 * field.weekly_total[b_cell, late]
    assert field.who[town_cell, late, a] > field.who[town_cell, late, b]
    assert field.who[b_cell, late, b] > 0.9  # b's own cell is b's
    old = control_field(prep, Params(control_vote_saturation=0.0))
    assert old.who[town_cell, late, b] > 0.9


def test_vote_weight_rises_with_evidence_from_zero_to_one() -> None:
    """The vote weight is 0 without evidence, below 0.03 for a hundredth of the median
    week's evidence, 1 − e⁻² at the median (saturation 0.5), and never above 1; the
    median is that of the period's cell-weeks with any evidence."""
    events = _events([(34.5, 38.5, ["threat-actor--a"])], 4)
    prep = prepare(AssessmentInputs.from_frames({"events": events}), Params(), None, Messages())
    weekly = control_field(prep, Params()).weekly_total
    m = evidence_scale(weekly, prep)
    assert m == pytest.approx(float(weekly.max()), rel=1e-6)  # one place, one event a week
    total = np.array([[0.0, 0.01 * m, m, 1e6 * m]], np.float32)
    w = vote_weight(total, m, 0.5)
    assert w[0, 0] == 0.0 and w[0, 1] < 0.03 and abs(w[0, 2] - (1 - np.exp(-2))) < 1e-5
    assert np.all(np.diff(w[0]) > 0) and w[0, 3] <= 1.0
