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
import numpy.typing as npt
import polars as pl
import polars_h3 as plh3

from .errors import Messages
from .grid import DAY_MS, spacing_m
from .params import Params
from .prepare import Prepared
from .targeting import party_seed

__all__ = ["corroboration", "harm_links", "nearest_within"]

F = npt.NDArray[np.float64]
_SUCCESS = ("destroyed", "damaged")
_EARTH_M = 6_371_000.0


def _match_resolution(radius_m: float) -> int:
    """The finest H3 resolution whose cell spacing is at least ``radius_m`` (≥ 0)."""
    for res in range(15, -1, -1):
        if spacing_m(res) >= radius_m:
            return res
    return 0


def _haversine(lat1: F, lon1: F, lat2: F, lon2: F) -> F:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return np.asarray(2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), np.float64)


def _cells(df: pl.DataFrame, res: int) -> npt.NDArray[np.uint64]:
    out = df.select(plh3.latlng_to_cell("lat", "lon", res).alias("c"))["c"].to_numpy()
    return np.asarray(out, np.uint64)


def nearest_within(
    left: pl.DataFrame,
    right: pl.DataFrame,
    by: list[str],
    radius_m: float,
    window_ms: int,
) -> pl.DataFrame:
    """For each ``left`` row (``lid``, ``lat``, ``lon``, ``t``, *by*), the nearest ``right`` row
    (``rid``, ``lat``, ``lon``, ``t``, *by*) within ``radius_m`` and ``window_ms``.

    Candidates are, in each cell of the left point's disk (H3 cells at least
    ``radius_m`` across, one ring), the two right rows nearest in time on each side;
    the nearest of them in distance wins. Returns lid, rid, distance_m, dt_ms.
    """
    empty = pl.DataFrame(schema={"lid": pl.String, "rid": pl.String, "distance_m": pl.Float64,
                                 "dt_ms": pl.Int64})  # fmt: skip
    if left.height == 0 or right.height == 0:
        return empty
    res = _match_resolution(radius_m)
    groups = pl.concat([left.select(by), right.select(by)]).unique(maintain_order=False)
    groups = groups.sort(by).with_row_index("g") if by else pl.DataFrame({"g": [0]})
    lg = left.join(groups, on=by, how="left")["g"].to_numpy() if by else np.zeros(left.height)
    rg = right.join(groups, on=by, how="left")["g"].to_numpy() if by else np.zeros(right.height)
    r_cells = _cells(right, res)
    uniq = np.unique(r_cells)
    t0 = int(min(left["t"].to_numpy().min(), right["t"].to_numpy().min()))
    r_key = ((rg.astype(np.int64) * uniq.size + np.searchsorted(uniq, r_cells)) << 42) | (
        right["t"].to_numpy() - t0
    )
    order = np.argsort(r_key, kind="stable")
    r_key = r_key[order]
    r_lat, r_lon = right["lat"].to_numpy()[order], right["lon"].to_numpy()[order]
    r_t, r_id = right["t"].to_numpy()[order], right["rid"].to_numpy()[order]
    l_cells = _cells(left, res)
    l_uniq, l_inv = np.unique(l_cells, return_inverse=True)
    disk = pl.DataFrame({"c": l_uniq}).select(plh3.grid_disk("c", 1).alias("d"))["d"]
    # one row per distinct left cell (a few thousand): pad pentagons' 6-cell disks
    disk_cells = np.stack(
        [np.pad(np.asarray(v, np.uint64), (0, 7 - len(v)), mode="edge") for v in disk.to_list()]
    )
    pos_in = np.searchsorted(uniq, disk_cells).clip(0, max(uniq.size - 1, 0))
    disk_idx = np.where(uniq[pos_in] == disk_cells, pos_in, -1)
    out = []
    step = 200_000
    for start in range(0, left.height, step):
        sl = slice(start, start + step)
        cells = disk_idx[l_inv[sl]]  # [n, 7]
        t = left["t"].to_numpy()[sl] - t0
        prefix = (lg[sl].astype(np.int64)[:, None] * uniq.size + cells) << 42
        q = prefix | t[:, None]
        pos = np.searchsorted(r_key, q)
        cand = np.concatenate([pos - 2, pos - 1, pos, pos + 1], axis=1).clip(0, r_key.size - 1)
        ok = (r_key[cand] >> 42 == np.tile(prefix >> 42, 4)) & np.tile(cells >= 0, 4)
        dt = np.abs(r_t[cand] - left["t"].to_numpy()[sl][:, None])
        lat, lon = left["lat"].to_numpy()[sl][:, None], left["lon"].to_numpy()[sl][:, None]
        dist = _haversine(lat, lon, r_lat[cand], r_lon[cand])
        score = np.where(ok & (dt <= window_ms) & (dist <= radius_m), dist, np.inf)
        best = np.argmin(score, axis=1)
        rows = np.arange(best.size)
        found = np.isfinite(score[rows, best])
        pick = cand[rows, best][found]
        out.append(
            pl.DataFrame(
                {
                    "lid": left["lid"].to_numpy()[sl][found],
                    "rid": r_id[pick],
                    "distance_m": score[rows, best][found],
                    "dt_ms": dt[rows, best][found],
                }
            )
        )
    return pl.concat([empty, *out], how="vertical_relaxed")


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
        claims, obs.drop("seen", "observer"), ["party"], params.corroboration_radius_m, window
    )
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
        # resampling matched strikes = multinomial over the claimed − seen values −1, 0, 1
        counts = np.array([np.sum(claimed - seen == v) for v in (-1.0, 0.0, 1.0)])
        draws = rng.multinomial(hit.height, counts / hit.height, params.bootstrap_replicates)
        reps = 100.0 * (draws @ np.array([-1.0, 0.0, 1.0])) / hit.height
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
    args = (params.harm_radius_m, window)
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
