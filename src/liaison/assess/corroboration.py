"""Corroboration of claimed strike effects, and harm allegations linked to strikes.

An observation of a party's strike is an event whose ``initiator`` is that party,
reported by another source (another party, an open dataset). Each strike report is
matched to the observation nearest in time among those in cells within reach of
``corroboration_radius_m``, kept if within the radius and ``corroboration_days``.
The observed effect is a success when the observation reports ≥ 1 fatality.
Claim inflation = claimed success rate − observed success rate over matched strikes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import polars_h3 as plh3  # type: ignore[import-untyped]

from .errors import Messages
from .grid import DAY_MS
from .params import Params
from .prepare import Prepared
from .targeting import party_seed

__all__ = ["corroboration", "harm_links", "nearest_within"]

_SUCCESS = ("destroyed", "damaged")
_EARTH_M = 6_371_000.0


def _distance_m(lat1: str, lon1: str, lat2: str, lon2: str) -> pl.Expr:
    p1, p2 = pl.col(lat1).radians(), pl.col(lat2).radians()
    dlat = p2 - p1
    dlon = (pl.col(lon2) - pl.col(lon1)).radians()
    a = (dlat / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlon / 2).sin() ** 2
    return 2 * _EARTH_M * a.sqrt().arcsin()


def nearest_within(
    left: pl.DataFrame,
    right: pl.DataFrame,
    by: list[str],
    radius_m: float,
    window_ms: int,
    spacing_m: float,
    resolution: int,
) -> pl.DataFrame:
    """For each ``left`` row (columns ``lid``, ``lat``, ``lon``, ``t``, *by*), the ``right``
    row (``rid``, ``lat``, ``lon``, ``t``, *by*) nearest in time among those in cells within
    reach, if within ``radius_m`` and ``window_ms``. Returns lid, rid, distance_m, dt_ms.
    """
    rings = int(np.ceil(radius_m / spacing_m))
    cell = plh3.latlng_to_cell("lat", "lon", resolution)
    disk = left.with_columns(plh3.grid_disk(cell, rings).alias("cell")).explode("cell")
    right = right.with_columns(cell.alias("cell")).rename(
        {"lat": "r_lat", "lon": "r_lon", "t": "r_t"}
    )
    joined = disk.sort("t").join_asof(
        right.sort("r_t"),
        left_on="t",
        right_on="r_t",
        by=[*by, "cell"],
        strategy="nearest",
        tolerance=window_ms,
        check_sortedness=False,
    )
    found = joined.filter(pl.col("rid").is_not_null()).with_columns(
        _distance_m("lat", "lon", "r_lat", "r_lon").alias("distance_m"),
        (pl.col("r_t") - pl.col("t")).abs().alias("dt_ms"),
    )
    return (
        found.filter(pl.col("distance_m") <= radius_m)
        .sort("lid", "distance_m", "dt_ms", "rid")
        .unique("lid", keep="first", maintain_order=True)
        .select("lid", "rid", "distance_m", "dt_ms")
    )


def corroboration(
    prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Per party: share of claims observed by others, agreement, and claim inflation."""
    s = prep.frames["strikes"]
    s = s.filter((pl.col("week") >= prep.first) & (pl.col("week") <= prep.last))
    claims = s.filter(pl.col("claimed_effect") != "unknown").select(
        pl.col("id").alias("lid"), "party", "lat", "lon", pl.col("t_start_ms").alias("t"),
        pl.col("claimed_effect").is_in(_SUCCESS).alias("claimed_success"),
    )  # fmt: skip
    ev = prep.frames["events"]
    obs = ev.filter(
        pl.col("initiator").is_in(list(prep.parties))
        & (pl.col("source").fill_null("") != pl.col("initiator"))
    ).select(
        pl.col("id").alias("rid"), pl.col("initiator").alias("party"), "lat", "lon",
        pl.col("t_start_ms").alias("t"), (pl.col("fatalities_best").fill_null(0) > 0).alias("seen"),
        pl.col("source").fill_null("unknown").alias("observer"),
    )  # fmt: skip
    if obs.height == 0:
        msgs.warn(
            "no-observations",
            "no observation of any party's strikes by another source: nothing to corroborate",
        )
    window = int(params.corroboration_days * DAY_MS)
    matches = nearest_within(
        claims, obs.drop("seen", "observer"), ["party"], params.corroboration_radius_m,
        window, prep.spacing_m, prep.grid.resolution,
    )  # fmt: skip
    matched = matches.join(claims, on="lid").join(obs.select("rid", "seen", "observer"), on="rid")
    out = []
    for party in parties:
        mine = claims.filter(pl.col("party") == party)
        hit = matched.filter(pl.col("party") == party)
        row: dict[str, Any] = {"party": party, "claims": mine.height, "observed": hit.height}
        if mine.height == 0:
            row["message"] = "no strike report with a claimed effect in the period"
            out.append(row)
            continue
        row["corroboration_rate"] = hit.height / mine.height
        row["claimed_success_rate"] = float(mine["claimed_success"].mean())  # type: ignore[arg-type]
        row["observers"] = dict(sorted(hit["observer"].value_counts().iter_rows()))
        if hit.height == 0:
            row["message"] = "no claim of this party was observed by another source"
            out.append(row)
            continue
        claimed = hit["claimed_success"].to_numpy().astype(np.float64)
        seen = hit["seen"].to_numpy().astype(np.float64)
        rng = party_seed(params, "corroboration", party)
        boot = rng.poisson(1.0, (params.bootstrap_replicates, hit.height)).astype(np.float64)
        reps = 100.0 * (boot @ (claimed - seen)) / np.maximum(boot.sum(axis=1), 1.0)
        a = (1.0 - params.confidence_level) / 2.0
        row.update(
            claimed_success_rate_observed=claimed.mean(),
            observed_success_rate=seen.mean(),
            agreement_rate=float((claimed == seen).mean()),
            success_claims_corroborated=float(seen[claimed == 1].mean()) if claimed.any() else None,
            inflation_points=100.0 * float((claimed - seen).mean()),
            inflation_ci=[float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))],
        )
        out.append(row)
    return out


def harm_links(prep: Prepared, params: Params, parties: list[str]) -> dict[str, Any]:
    """Harm allegations linked to the nearest strike (of the alleged party when named)."""
    harm = prep.frames["harm"].filter(
        (pl.col("week") >= prep.first) & (pl.col("week") <= prep.last)
    )
    s = prep.frames["strikes"].select(
        pl.col("id").alias("rid"), "party", "lat", "lon", pl.col("t_start_ms").alias("t")
    )
    left = harm.select(
        pl.col("id").alias("lid"), pl.col("alleged_party").alias("party"), "lat", "lon",
        pl.col("t_start_ms").alias("t"),
    )  # fmt: skip
    window = int(params.harm_days * DAY_MS)
    args = (params.harm_radius_m, window, prep.spacing_m, prep.grid.resolution)
    named = nearest_within(left.filter(pl.col("party").is_not_null()), s, ["party"], *args)
    anon = nearest_within(left.filter(pl.col("party").is_null()).drop("party"), s, [], *args)
    links = pl.concat([named, anon]).join(
        s.select("rid", pl.col("party").alias("struck_by")), on="rid"
    )
    linked = harm.join(links, left_on="id", right_on="lid", how="left")
    per_party = []
    for party in parties:
        mine = linked.filter(pl.col("struck_by") == party)
        per_party.append(
            {
                "party": party,
                "linked": mine.height,
                "named_not_linked": linked.filter(
                    (pl.col("alleged_party") == party) & pl.col("struck_by").is_null()
                ).height,
                "by_grading": dict(sorted(mine["grading"].value_counts().iter_rows())),
                "civilian_casualties_low": int(mine["casualties_low"].fill_null(0).sum()),
                "civilian_casualties_high": int(mine["casualties_high"].fill_null(0).sum()),
            }
        )
    return {
        "allegations": harm.height,
        "unlinked": linked.filter(pl.col("struck_by").is_null()).height,
        "parties": per_party,
    }
