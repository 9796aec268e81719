"""Selection and indexing: the period, the week axis, the grid, group and party indices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .errors import AssessmentError, Messages
from .grid import Grid, build_grid, cells_of, spacing_m, week_of
from .inputs import AssessmentInputs
from .params import Params

__all__ = ["Prepared", "prepare"]

_POINT_KINDS = ("strikes", "presence", "logistics", "events", "harm")


@dataclass(frozen=True)
class Prepared:
    """Inputs with dense ``cell`` (grid index) and ``week`` (axis index) columns added.

    The week axis runs from ``week0`` for ``n_weeks`` weeks; the assessed period is
    axis weeks ``first`` … ``last`` (inclusive); the rest is margin for lags.
    """

    frames: dict[str, pl.DataFrame]
    grid: Grid
    week0: int
    n_weeks: int
    first: int
    last: int
    groups: tuple[str, ...]
    group_names: tuple[str, ...]
    parties: tuple[str, ...]
    party_names: tuple[str, ...]
    spacing_m: float


def _with_weeks(df: pl.DataFrame) -> pl.DataFrame:
    exprs = [week_of(pl.col("t_start_ms")).alias("abs_week")]
    if "t_end_ms" in df.columns:
        end = pl.max_horizontal(pl.col("t_end_ms").fill_null(pl.col("t_start_ms")), "t_start_ms")
        exprs.append(week_of(end).alias("abs_week_end"))
    return df.with_columns(exprs)


def _period(frames: dict[str, pl.DataFrame], period: tuple[int, int] | None) -> tuple[int, int]:
    if period is not None:
        start, end = period
        if end < start:
            raise AssessmentError(f"the period ends ({end}) before it starts ({start})")
        return (start - 4 * 86_400_000) // (7 * 86_400_000), (end - 4 * 86_400_000) // (
            7 * 86_400_000
        )
    lo, hi = None, None
    for kind in ("strikes", "events", "presence", "logistics"):
        weeks = frames[kind]["abs_week"]
        if weeks.len():
            wmin, wmax = int(weeks.min()), int(weeks.max())  # type: ignore[arg-type]
            lo = wmin if lo is None else min(lo, wmin)
            hi = wmax if hi is None else max(hi, wmax)
    if lo is None or hi is None:
        raise AssessmentError(
            "nothing to assess: the selection holds no strike, event, presence or logistics record"
        )
    return lo, hi


def _ids(*series: pl.Series, prefix: str) -> list[str]:
    values = pl.concat([s.cast(pl.String) for s in series]).drop_nulls().unique()
    return sorted(v for v in values.to_list() if v.startswith(prefix))


def prepare(
    inputs: AssessmentInputs, params: Params, period: tuple[int, int] | None, msgs: Messages
) -> Prepared:
    """Select the records of the period and index them on the grid and week axis."""
    frames = {k: inputs.frame(k) for k in ("strikes", "presence", "logistics", "events", "harm")}
    for kind in _POINT_KINDS:
        df = frames[kind].filter(pl.col("t_start_ms").is_not_null() & pl.col("lat").is_not_null())
        vague = df.filter(pl.col("precision_m").fill_null(0.0) > params.max_precision_m)
        if vague.height:
            msgs.warn(
                "imprecise-location",
                f"{vague.height} {kind} record(s) with location uncertainty above "
                f"{params.max_precision_m:.0f} m left out",
            )
        frames[kind] = _with_weeks(
            df.filter(pl.col("precision_m").fill_null(0.0) <= params.max_precision_m)
        )
    first_abs, last_abs = _period(frames, period)
    margin = max(
        params.effect_horizon_weeks, params.presence_max_lag_weeks, params.trend_window_weeks
    )
    week0 = first_abs - margin
    n_weeks = last_abs - first_abs + 1 + 2 * margin
    for kind in _POINT_KINDS:
        df = frames[kind].with_columns((pl.col("abs_week") - week0).alias("week"))
        frames[kind] = df.filter((pl.col("week") >= 0) & (pl.col("week") < n_weeks))
    lat = pl.concat([frames[k]["lat"] for k in _POINT_KINDS])
    lon = pl.concat([frames[k]["lon"] for k in _POINT_KINDS])
    base = pl.DataFrame({"lat": lat, "lon": lon}).select(
        cells_of(pl.col("lat"), pl.col("lon"), params.resolution).alias("c")
    )["c"]
    rings = max(params.presence_max_spread_rings, params.targeting_max_tolerance_rings)
    grid = build_grid(base.to_numpy().astype(np.uint64), params.resolution, rings)
    offset = 0
    for kind in _POINT_KINDS:
        n = frames[kind].height
        idx = grid.index(base.slice(offset, n).to_numpy().astype(np.uint64))
        frames[kind] = frames[kind].with_columns(pl.Series("cell", idx))
        offset += n
    groups = _ids(
        inputs.groups["id"],
        frames["presence"]["group"],
        frames["events"]["initiator"],
        frames["logistics"]["group"],
        frames["strikes"]["target_group"],
        inputs.designations["group"],
        prefix="threat-actor--",
    )
    parties = _ids(frames["strikes"]["party"], inputs.designations["party"], prefix="identity--")
    size = (grid.n_cells + 1) * n_weeks * max(len(groups), 1)
    if size > params.max_dense_size:
        raise AssessmentError(
            f"the selection is too large for one assessment ({grid.n_cells} cells × {n_weeks} "
            f"weeks × {len(groups)} groups); narrow the period, the group or the resolution"
        )
    frames.update(designations=inputs.designations, corroborations=inputs.corroborations)
    return Prepared(
        frames=frames,
        grid=grid,
        week0=week0,
        n_weeks=n_weeks,
        first=first_abs - week0,
        last=last_abs - week0,
        groups=tuple(groups),
        group_names=_names(inputs.groups, groups),
        parties=tuple(parties),
        party_names=_names(inputs.parties, parties),
        spacing_m=spacing_m(params.resolution),
    )


def _names(frame: pl.DataFrame, ids: list[str]) -> tuple[str, ...]:
    known = dict(zip(frame["id"].to_list(), frame["name"].to_list(), strict=True))
    return tuple(str(known.get(i) or i) for i in ids)
