"""Corroboration of claimed strike effects, and harm allegations linked to strikes.

An observation of a party's strike is a corroboration record (STIX ``opinion``) on the
strike report by another source, or an event whose ``initiator`` is that party,
reported by another source (another party, an open dataset). Claims are read on the
ordered levels destroyed > damaged > struck > missed in the party's vocabulary
(``vocabulary``); a claim at ``damaged`` or above is a claimed success. A strike with a
corroboration record takes its verdict (agree: as claimed; disagree: the opposite), and
the events the record cites leave the pool; the other strikes are matched one to one
(``one_to_one``) to events within ``corroboration_radius_m`` and ``corroboration_days``.
An event is an observed success when it reports ≥ 1 fatality.
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

__all__ = [
    "LEVELS",
    "candidate_pairs",
    "corroboration",
    "harm_links",
    "nearest_within",
    "one_to_one",
    "vocabulary",
]

F = npt.NDArray[np.float64]
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
    all_candidates: bool = False,
) -> pl.DataFrame:
    """For each ``left`` row (``lid``, ``lat``, ``lon``, ``t``, *by*), the nearest ``right`` row
    (``rid``, ``lat``, ``lon``, ``t``, *by*) within ``radius_m`` and ``window_ms``
    (``all_candidates``: every candidate within reach, with its distance).

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
        if all_candidates:
            r_i, c_i = np.nonzero(np.isfinite(score))
            out.append(
                pl.DataFrame(
                    {
                        "lid": left["lid"].to_numpy()[sl][r_i],
                        "rid": r_id[cand[r_i, c_i]],
                        "distance_m": score[r_i, c_i],
                        "dt_ms": dt[r_i, c_i],
                    }
                )
            )
            continue
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


#: Ordered effect levels of a claim; a claim at ``damaged`` or above is a claimed success.
LEVELS = {"missed": 0, "struck": 1, "damaged": 2, "destroyed": 3}
_SUCCESS_LEVEL = 2
_AGREE = ("agree", "strongly-agree")
_DISAGREE = ("disagree", "strongly-disagree")
_MAX_CANDIDATES = 8


def vocabulary(words: list[str], party: str, params: Params) -> dict[str, int]:
    """The effect level of each word a party uses (docs/method.md "Claims").

    Standard words keep their level; a party whose claims use only ``destroyed`` and
    ``damaged`` speaks a two-word vocabulary in which ``damaged`` means "not destroyed"
    (level ``struck``); ``claim_vocabularies`` entries ``(party, word, level)`` override.
    """
    used = {w for w in words if w in LEVELS}
    vocab = dict(LEVELS)
    if used and used <= {"destroyed", "damaged"} and "damaged" in used and len(words) >= 20:
        vocab["damaged"] = LEVELS["struck"]
    for who, word, level in params.claim_vocabularies:
        if who == party and level in LEVELS:
            vocab[word] = LEVELS[level]
    return vocab


def one_to_one(pairs: pl.DataFrame) -> pl.DataFrame:
    """Greedy one-to-one matching of ``pairs`` (lid, rid, cost): mutual best pairs are
    kept round after round (the lowest-cost pair always is), until none is left."""
    kept = []
    rest = pairs
    while rest.height:
        best_l = rest.sort("cost", "lid", "rid").unique("lid", keep="first")
        mutual = best_l.sort("cost", "lid", "rid").unique("rid", keep="first")
        kept.append(mutual)
        rest = rest.join(mutual.select("lid"), on="lid", how="anti").join(
            mutual.select("rid"), on="rid", how="anti"
        )
    if not kept:
        return pairs.head(0)
    return pl.concat(kept)


def candidate_pairs(
    claims: pl.DataFrame, obs: pl.DataFrame, radius_m: float, window_ms: int
) -> pl.DataFrame:
    """Claim–observation pairs of the same party within ``radius_m`` and ``window_ms``,
    with cost = distance / radius + |Δt| / window: in each cell of the claim's disk, the
    two observations nearest in time on each side (``nearest_within``), at most
    ``_MAX_CANDIDATES`` per claim."""
    found = nearest_within(
        claims.select("lid", "party", "lat", "lon", "t"),
        obs.select("rid", "party", "lat", "lon", "t"),
        ["party"],
        radius_m,
        window_ms,
        all_candidates=True,
    )
    pairs = found.unique(["lid", "rid"]).select(
        "lid",
        "rid",
        (pl.col("distance_m") / radius_m + pl.col("dt_ms") / max(window_ms, 1)).alias("cost"),
    )
    return (
        pairs.sort("cost", "lid", "rid").group_by("lid", maintain_order=True).head(_MAX_CANDIDATES)
    )


def _opinions(prep: Prepared, claims: pl.DataFrame) -> pl.DataFrame:
    """Per claim with a corroboration record by another source: observed success."""
    op = prep.frames.get("corroborations")
    if op is None or op.height == 0:
        return pl.DataFrame(schema={"lid": pl.String, "seen": pl.Boolean, "observer": pl.String})
    joined = (
        op.filter(pl.col("opinion").is_in([*_AGREE, *_DISAGREE]))
        .join(
            claims.select("lid", "party", "claimed_success"), left_on="strike_ref", right_on="lid"
        )
        .filter(pl.col("source").fill_null("") != pl.col("party"))
        .sort("modified", descending=True)
        .unique("strike_ref", keep="first")
    )
    agree = pl.col("opinion").is_in(list(_AGREE))
    return joined.select(
        pl.col("strike_ref").alias("lid"),
        pl.when(agree).then(pl.col("claimed_success")).otherwise(~pl.col("claimed_success"))
        .alias("seen"),
        pl.col("source").fill_null("unknown").alias("observer"),
    )  # fmt: skip


def corroboration(
    prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Per party: share of claims observed by others, agreement, and claim inflation."""
    s = prep.frames["strikes"]
    s = s.filter((pl.col("week") >= prep.first) & (pl.col("week") <= prep.last))
    words = s.filter(pl.col("claimed_effect").is_in(list(LEVELS)))
    vocabs = {
        p: vocabulary(words.filter(pl.col("party") == p)["claimed_effect"].to_list(), p, params)
        for p in parties
    }
    level = pl.struct("party", "claimed_effect").map_elements(
        lambda r: vocabs.get(r["party"], LEVELS).get(r["claimed_effect"], -1),
        return_dtype=pl.Int64,
    )
    claims = words.filter(pl.col("party").is_in(parties)).select(
        pl.col("id").alias("lid"), "party", "lat", "lon", pl.col("t_start_ms").alias("t"),
        "claimed_effect", (level >= _SUCCESS_LEVEL).alias("claimed_success"),
    )  # fmt: skip
    opinions = _opinions(prep, claims)
    referenced = (
        prep.frames.get("corroborations", pl.DataFrame({"evidence_refs": []}))["evidence_refs"]
        .cast(pl.String).drop_nulls().str.split(" ").explode().unique()
    )  # fmt: skip
    ev = prep.frames["events"]
    obs = ev.filter(
        pl.col("initiator").is_in(list(prep.parties))
        & (pl.col("source").fill_null("") != pl.col("initiator"))
        & ~pl.col("id").is_in(referenced.to_list())
    ).select(
        pl.col("id").alias("rid"), pl.col("initiator").alias("party"), "lat", "lon",
        pl.col("t_start_ms").alias("t"), (pl.col("fatalities_best").fill_null(0) > 0).alias("seen"),
        pl.col("source").fill_null("unknown").alias("observer"),
    )  # fmt: skip
    if obs.height == 0 and opinions.height == 0:
        msgs.warn(
            "no-observations",
            "no observation of any party's strikes by another source: nothing to corroborate",
        )
    window = int(params.corroboration_days * DAY_MS)
    pool = claims.join(opinions.select("lid"), on="lid", how="anti")
    pairs = candidate_pairs(pool, obs, params.corroboration_radius_m, window)
    by_event = one_to_one(pairs).join(obs.select("rid", "seen", "observer"), on="rid")
    matched = pl.concat(
        [
            by_event.select("lid", "seen", "observer", pl.lit("event").alias("via")),
            opinions.with_columns(pl.lit("opinion").alias("via")),
        ]
    ).join(claims, on="lid")
    return [_party_row(party, claims, matched, vocabs[party], params) for party in parties]


def _party_row(
    party: str, claims: pl.DataFrame, matched: pl.DataFrame, vocab: dict[str, int], params: Params
) -> dict[str, Any]:
    mine = claims.filter(pl.col("party") == party)
    hit = matched.filter(pl.col("party") == party)
    row: dict[str, Any] = {"party": party, "claims": mine.height, "observed": hit.height}
    if mine.height == 0:
        row["message"] = "no strike report with a claimed effect in the period"
        return row
    names = {v: k for k, v in LEVELS.items()}
    row["vocabulary"] = {
        w: names[lv] for w, lv in sorted(vocab.items()) if w in set(mine["claimed_effect"])
    }
    row["corroboration_rate"] = hit.height / mine.height
    row["claimed_success_rate"] = float(mine["claimed_success"].mean())  # type: ignore[arg-type]
    row["observers"] = dict(sorted(hit["observer"].value_counts().iter_rows()))
    row["observed_via"] = dict(sorted(hit["via"].value_counts().iter_rows()))
    if hit.height == 0:
        row["message"] = "no claim of this party was observed by another source"
        return row
    row["by_claimed_word"] = {
        w: {"matched": n, "observed_success_rate": r}
        for w, n, r in hit.group_by("claimed_effect")
        .agg(pl.len(), pl.col("seen").mean())
        .sort("claimed_effect")
        .iter_rows()
    }
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
    if hit.height < 30:
        row["message"] = f"only {hit.height} observed claim(s): the interval is wide"
    return row


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
