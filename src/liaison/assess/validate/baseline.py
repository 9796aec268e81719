"""Untuned rules a newsroom or an analyst would use, for comparison with the method.

Both read the inputs only (never the truth); the group of interest is named, as a
user would name it.

* ``newsroom_share``: a strike counts for the group when any event the group
  initiated, or any sighting of it, lies within 25 km and ±4 weeks (issue 7).
* ``evidence_rule_shares``: the group with the most graded evidence (events it
  initiated, presence reports, its logistics observations; weight = reliability ×
  credibility, ungraded 0.5)
  within 8 km and ±3 weeks wins the strike; none when there is no evidence.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy.spatial import cKDTree

from ..inputs import AssessmentInputs

__all__ = ["evidence_rule_shares", "newsroom_share"]

_EARTH_KM = 6371.0088
_WEEK_MS = 7 * 86_400_000
_GRADE = {"A": 1.0, "B": 0.8, "C": 0.6, "D": 0.4, "E": 0.2, "F": 0.5}
_CRED = {1: 1.0, 2: 0.8, 3: 0.6, 4: 0.4, 5: 0.2, 6: 0.5}


def _xyz(lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _evidence(inputs: AssessmentInputs, groups: list[str], logistics: bool = True) -> pl.DataFrame:
    ev = inputs.events.filter(pl.col("initiator").is_in(groups)).select(
        pl.col("initiator").alias("group"), "t_start_ms", "lat", "lon", "reliability", "credibility"
    )
    pr = inputs.presence.filter(pl.col("group").is_in(groups)).select(
        "group", "t_start_ms", "lat", "lon", "reliability", "credibility"
    )
    lg = inputs.logistics.filter(pl.col("group").is_in(groups)).select(
        "group", "t_start_ms", "lat", "lon", "reliability", "credibility"
    )
    both = pl.concat([ev, pr, lg] if logistics else [ev, pr]).drop_nulls(
        ["lat", "lon", "t_start_ms"]
    )
    weight = (
        pl.col("reliability").replace_strict(_GRADE, default=0.5, return_dtype=pl.Float64)
        * pl.col("credibility").replace_strict(_CRED, default=0.5, return_dtype=pl.Float64)
    ).fill_null(0.5)
    return both.with_columns(weight.alias("w"))


def _party_strikes(inputs: AssessmentInputs, party: str) -> pl.DataFrame:
    return inputs.strikes.filter(pl.col("party") == party).drop_nulls(["lat", "lon", "t_start_ms"])


def _near_weights(
    strikes: pl.DataFrame,
    ev: pl.DataFrame,
    codes: npt.NDArray[np.int64],
    n_groups: int,
    km: float,
    weeks: int,
) -> npt.NDArray[np.float64]:
    """strikes × groups: summed evidence weight within ``km`` and ±``weeks`` of each strike.

    One pair search per strike week (evidence of the weeks around it), in C.
    """
    out = np.zeros((strikes.height, n_groups))
    if ev.height == 0:
        return out
    xs = _xyz(strikes["lat"].to_numpy(), strikes["lon"].to_numpy())
    xe = _xyz(ev["lat"].to_numpy(), ev["lon"].to_numpy())
    ws, we = strikes["t_start_ms"].to_numpy() // _WEEK_MS, ev["t_start_ms"].to_numpy() // _WEEK_MS
    w_ev = ev["w"].to_numpy()
    for week in np.unique(ws):
        si = np.flatnonzero(ws == week)
        ei = np.flatnonzero(np.abs(we - week) <= weeks)
        if ei.size == 0:
            continue
        pairs = cKDTree(xs[si]).sparse_distance_matrix(
            cKDTree(xe[ei]), km / _EARTH_KM, output_type="ndarray"
        )
        if pairs.size == 0:
            continue
        rows, cols = si[pairs["i"]], ei[pairs["j"]]
        np.add.at(out, (rows, codes[cols]), w_ev[cols])
    return out


def newsroom_share(
    inputs: AssessmentInputs, party: str, group: str, km: float = 25.0, weeks: int = 4
) -> float | None:
    """Share of ``party``'s strikes (weighted) near any evidence of ``group``."""
    strikes = _party_strikes(inputs, party)
    if strikes.height == 0:
        return None
    ev = _evidence(inputs, [group], logistics=False)
    weight = strikes["strikes"].fill_null(1).to_numpy().astype(np.float64)
    hit = np.zeros(strikes.height, dtype=bool)
    if ev.height:
        xs = _xyz(strikes["lat"].to_numpy(), strikes["lon"].to_numpy())
        xe = _xyz(ev["lat"].to_numpy(), ev["lon"].to_numpy())
        ws = strikes["t_start_ms"].to_numpy() // _WEEK_MS
        we = ev["t_start_ms"].to_numpy() // _WEEK_MS
        for week in np.unique(ws):
            si = np.flatnonzero(ws == week)
            ei = np.flatnonzero(np.abs(we - week) <= weeks)
            if ei.size:
                n = cKDTree(xe[ei]).query_ball_point(xs[si], km / _EARTH_KM, return_length=True)
                hit[si] = np.asarray(n) > 0
    return float(weight[hit].sum() / weight.sum())


def evidence_rule_shares(
    inputs: AssessmentInputs, party: str, km: float = 8.0, weeks: int = 3
) -> dict[str, float] | None:
    """Share of ``party``'s strikes won by each group (and ``none``) under the rule."""
    strikes = _party_strikes(inputs, party)
    if strikes.height == 0:
        return None
    groups = inputs.groups["id"].to_list()
    ev = _evidence(inputs, groups)
    weight = strikes["strikes"].fill_null(1).to_numpy().astype(np.float64)
    code = {g: i for i, g in enumerate(groups)}
    codes = np.array([code[g] for g in ev["group"].to_list()], dtype=np.int64)
    near = _near_weights(strikes, ev, codes, len(groups), km, weeks)
    winner = np.where(near.max(axis=1) > 0, np.argmax(near, axis=1), -1)
    total = weight.sum()
    out = {g: float(weight[winner == k].sum() / total) for g, k in code.items()}
    out["none"] = float(weight[winner < 0].sum() / total)
    return out
