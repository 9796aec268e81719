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
Each observer (source) is matched to the claims one to one on its own, so a claim may
have several observations; observers are weighed by their agreement (``observers``:
a latent-class estimate of each observer's sensitivity and specificity, the party's
claim one more rater with its own rates). Claim inflation = claimed success rate −
estimated true success rate over observed claims; its bootstrap re-estimates the
observers' rates in every replicate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from .errors import Messages
from .grid import DAY_MS
from .matching import best_per_left, match_resolution, near, one_to_one_idx
from .observers import LatentFit, latent_class
from .params import Params
from .prepare import Prepared
from .presence import grade_weights

__all__ = [
    "LEVELS",
    "corroboration",
    "harm_links",
    "nearest_within",
    "one_to_one",
    "vocabulary",
]

F = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


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
    empty = pl.DataFrame(schema={"lid": left.schema["lid"], "rid": right.schema["rid"],
                                 "distance_m": pl.Float64, "dt_ms": pl.Int64})  # fmt: skip
    if left.height == 0 or right.height == 0:
        return empty
    if by:
        groups = pl.concat([left.select(by), right.select(by)]).unique().sort(by)
        groups = groups.with_row_index("g")
        lg = left.select(by).join(groups, on=by, how="left", maintain_order="left")["g"]
        rg = right.select(by).join(groups, on=by, how="left", maintain_order="left")["g"]
        l_g, r_g = lg.to_numpy().astype(np.int64), rg.to_numpy().astype(np.int64)
    else:
        l_g, r_g = np.zeros(left.height, np.int64), np.zeros(right.height, np.int64)

    def side(df: pl.DataFrame, g: npt.NDArray[np.int64]) -> tuple[F, F, Any, Any]:
        lat = df["lat"].to_numpy().astype(np.float64)
        return lat, df["lon"].to_numpy().astype(np.float64), df["t"].to_numpy(), g

    li, ri, dist, dt = near(side(left, l_g), side(right, r_g), radius_m, window_ms)
    if not all_candidates:
        pick = best_per_left(li, dist, ri, 1)
        li, ri, dist, dt = li[pick], ri[pick], dist[pick], dt[pick]
    return pl.DataFrame(
        {"lid": left["lid"].gather(li), "rid": right["rid"].gather(ri), "distance_m": dist,
         "dt_ms": dt}
    ).cast(empty.schema)  # fmt: skip


#: Ordered effect levels of a claim; a claim at ``damaged`` or above is a claimed success.
LEVELS = {"missed": 0, "struck": 1, "damaged": 2, "destroyed": 3}
_SUCCESS_LEVEL = 2
_AGREE = ("agree", "strongly-agree")
_DISAGREE = ("disagree", "strongly-disagree")
_MAX_CANDIDATES = 8
#: Observers with their own rates in the latent-class fit; the others share one.
_MAX_OBSERVERS = 12
_OTHER = "other observers"
_SEEN = pl.Schema({"lid": pl.Int64, "observer": pl.String, "seen": pl.Boolean, "grade": pl.Float64})


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
    if pairs.height == 0:
        return pairs
    lid = pairs["lid"].rank("dense").to_numpy().astype(np.int64)
    rid = pairs["rid"].rank("dense").to_numpy().astype(np.int64)
    kept = one_to_one_idx(lid, rid, pairs["cost"].to_numpy().astype(np.float64))
    return pairs[kept]


def _opinions(prep: Prepared, claims: pl.DataFrame) -> pl.DataFrame:
    """Per claim and other source with a corroboration record: observed success."""
    schema = _SEEN
    op = prep.frames.get("corroborations")
    if op is None or op.height == 0:
        return pl.DataFrame(schema=schema)
    joined = (
        op.filter(pl.col("opinion").is_in([*_AGREE, *_DISAGREE]))
        .join(claims.select("id", "lid", "party", "claimed_success"), left_on="strike_ref",
              right_on="id")
        .filter(pl.col("source").fill_null("") != pl.col("party"))
        .with_columns(pl.col("source").fill_null("unknown"))
        .sort("modified", "id", descending=True)
        .unique(["strike_ref", "source"], keep="first")
    )  # fmt: skip
    agree = pl.col("opinion").is_in(list(_AGREE))
    return joined.select(
        "lid", pl.col("source").alias("observer"),
        pl.when(agree).then(pl.col("claimed_success")).otherwise(~pl.col("claimed_success"))
        .alias("seen"), pl.lit(None, pl.Float64).alias("grade"),
    ).cast(schema)  # fmt: skip


def _claims(prep: Prepared, params: Params, parties: list[str]) -> tuple[pl.DataFrame, Any]:
    s = prep.frames["strikes"]
    s = s.filter((pl.col("week") >= prep.first) & (pl.col("week") <= prep.last))
    words = s.filter(pl.col("claimed_effect").is_in(list(LEVELS)))
    vocabs = {
        p: vocabulary(words.filter(pl.col("party") == p)["claimed_effect"].to_list(), p, params)
        for p in parties
    }
    table = pl.DataFrame(
        [(p, w, lv) for p, v in vocabs.items() for w, lv in v.items()],
        schema={"party": pl.String, "claimed_effect": pl.String, "level": pl.Int64},
        orient="row",
    )
    claims = (
        words.filter(pl.col("party").is_in(parties))
        .join(table, on=["party", "claimed_effect"], how="left", maintain_order="left")
        .select(
            "id", "party", "lat", "lon", pl.col("t_start_ms").alias("t"), "claimed_effect",
            (pl.col("level").fill_null(-1) >= _SUCCESS_LEVEL).alias("claimed_success"),
            pl.col("precision_m").fill_null(0.0).clip(params.corroboration_radius_m,
                                                      params.max_precision_m).alias("radius"),
        )
        .with_row_index("lid")
        .with_columns(pl.col("lid").cast(pl.Int64))
    )  # fmt: skip
    return claims, vocabs


def _observations(prep: Prepared, params: Params) -> pl.DataFrame:
    """Events initiated by a party and reported by another source, minus those a
    corroboration record cites."""
    cited = prep.frames.get("corroborations", pl.DataFrame({"evidence_refs": []}))
    referenced = (
        cited["evidence_refs"].cast(pl.String).drop_nulls().str.split(" ").explode().unique()
    )
    ev = prep.frames["events"].filter(
        pl.col("initiator").is_in(list(prep.parties))
        & (pl.col("source").fill_null("") != pl.col("initiator"))
    )
    if referenced.len():
        ev = ev.filter(~pl.col("id").is_in(referenced.implode()))
    return ev.select(
        pl.col("initiator").alias("party"), "lat", "lon", pl.col("t_start_ms").alias("t"),
        (pl.col("fatalities_best").fill_null(0) > 0).alias("seen"),
        pl.col("source").fill_null("unknown").alias("observer"),
        pl.Series("grade", grade_weights(ev, params)),
        "cell", pl.col("precision_m").fill_null(0.0).alias("precision"),
    ).with_row_index("rid").with_columns(pl.col("rid").cast(pl.Int64))  # fmt: skip


def _matched(
    claims: pl.DataFrame, obs: pl.DataFrame, params: Params, with_place: bool = False
) -> pl.DataFrame:
    """Each claim's observation by each observer: one to one per observer, candidates
    within the claim's radius (``corroboration_radius_m``, or its stated precision up
    to ``max_precision_m``) and ``corroboration_days``; ``with_place`` (placing strikes)
    ranks candidates by time only and adds the observation's cell, precision and the
    match's cost."""
    schema = _SEEN
    window = int(params.corroboration_days * DAY_MS)
    streams = obs.select("party", "observer").unique().sort("party", "observer")
    streams = streams.with_row_index("g").with_columns(pl.col("g").cast(pl.Int64))
    # one left row per claim × observer that reports on the claim's party
    left = claims.join(streams, on="party", maintain_order="left").with_row_index("k")
    right = obs.join(streams, on=["party", "observer"], maintain_order="left")
    if left.height == 0 or right.height == 0:
        return pl.DataFrame(schema=schema)
    r_side = (right["lat"].to_numpy(), right["lon"].to_numpy(), right["t"].to_numpy(),
              right["g"].to_numpy())  # fmt: skip
    radius = left["radius"].to_numpy()
    res = np.array([match_resolution(r) for r in np.unique(radius)])
    l_res = res[np.searchsorted(np.unique(radius), radius)]
    found: list[tuple[Any, ...]] = []
    for r in np.unique(l_res):  # one search per cell size (usually one)
        sel = np.flatnonzero(l_res == r)
        sub = left[sel]
        li, ri, dist, dt = near(
            (sub["lat"].to_numpy(), sub["lon"].to_numpy(), sub["t"].to_numpy(),
             sub["g"].to_numpy()), r_side, float(radius[sel].max()), window,
        )  # fmt: skip
        ok = dist <= radius[sel][li]
        li, ri = sel[li[ok]], ri[ok]
        # placing a coarse report: where within its radius the named place lies says
        # nothing ("near X" is 10-25 km off), so only the time ranks (distance: ties)
        w_dist = 1e-3 if with_place else 1.0
        found.append((li, ri, w_dist * dist[ok] / radius[li] + dt[ok] / max(window, 1)))
    li = np.concatenate([f[0] for f in found])
    ri = np.concatenate([f[1] for f in found])
    cost = np.concatenate([f[2] for f in found])
    top = best_per_left(li, cost, ri, _MAX_CANDIDATES)
    kept = top[one_to_one_idx(li[top], ri[top], cost[top])]
    out = pl.DataFrame(
        {"lid": left["lid"].gather(li[kept]), "observer": left["observer"].gather(li[kept]),
         "seen": right["seen"].gather(ri[kept]), "grade": right["grade"].gather(ri[kept])}
    ).cast(schema)  # fmt: skip
    if not with_place:
        return out
    return out.with_columns(
        right["cell"].gather(ri[kept]).alias("cell"),
        right["precision"].gather(ri[kept]).alias("precision"),
        pl.Series("cost", cost[kept]),
    )


def observed_cells(prep: Prepared, params: Params, rows: npt.NDArray[np.int64]) -> tuple[I64, F]:
    """The cell and precision where another source saw each of the strike reports
    ``rows`` (rows of ``prep.frames["strikes"]``), or −1 and NaN: the most precise of
    its one-to-one matched observations (section 5's matching, ranked by time), if
    that observation is located within ``effect_max_precision_m``. A report "near X"
    seen by a monitor at a village is placed at the village."""
    out = np.full(rows.size, -1, np.int64)
    out_p = np.full(rows.size, np.nan)
    if rows.size == 0:
        return out, out_p
    obs = _observations(prep, params)
    if obs.height == 0:
        return out, out_p
    s = prep.frames["strikes"][rows]
    claims = s.select(
        "id", "party", "lat", "lon", pl.col("t_start_ms").alias("t"),
        pl.col("precision_m").fill_null(0.0).clip(params.corroboration_radius_m,
                                                  params.max_precision_m).alias("radius"),
    ).with_columns(pl.Series("lid", np.arange(rows.size, dtype=np.int64)))  # fmt: skip
    obs = obs.filter(pl.col("precision") <= params.effect_max_precision_m)
    if obs.height == 0:
        return out, out_p
    seen = (
        _matched(claims, obs, params, with_place=True)
        .sort("lid", "precision", "cost")
        .unique("lid", keep="first", maintain_order=True)
    )
    out[seen["lid"].to_numpy()] = seen["cell"].to_numpy()
    out_p[seen["lid"].to_numpy()] = seen["precision"].to_numpy()
    return out, out_p


def corroboration(
    prep: Prepared, params: Params, parties: list[str], msgs: Messages
) -> list[dict[str, Any]]:
    """Per party: share of claims observed by others, agreement, and claim inflation."""
    claims, vocabs = _claims(prep, params, parties)
    opinions = _opinions(prep, claims).with_columns(pl.lit("opinion").alias("via"))
    obs = _observations(prep, params)
    if obs.height == 0 and opinions.height == 0:
        msgs.warn(
            "no-observations",
            "no observation of any party's strikes by another source: nothing to corroborate",
        )
    by_event = _matched(claims, obs, params).with_columns(pl.lit("event").alias("via"))
    # a source's corroboration record on a claim stands for that source's observation
    seen = pl.concat([opinions, by_event]).unique(["lid", "observer"], keep="first",
                                                  maintain_order=True)  # fmt: skip
    fit, items, observers = _fit(claims, seen, parties, params)
    return [
        _party_row(i, party, claims, items, seen, fit, observers, vocabs[party], params)
        for i, party in enumerate(parties)
    ]


def _fit(
    claims: pl.DataFrame, seen: pl.DataFrame, parties: list[str], params: Params
) -> tuple[LatentFit | None, pl.DataFrame, list[str]]:
    """The latent-class fit over every observed claim (observers pooled over parties)."""
    counts = seen.group_by("observer").agg(pl.len(), pl.col("grade").mean())
    counts = counts.sort("len", "observer", descending=[True, False])
    observers = counts["observer"].to_list()
    # the most frequent observers keep their own rates; the rest share one column
    columns = observers[:_MAX_OBSERVERS] + ([_OTHER] if len(observers) > _MAX_OBSERVERS else [])
    items = (
        claims.select("lid", "party", "claimed_success")
        .join(seen.select("lid").unique(), on="lid")
        .sort("lid")
        .with_columns(pl.col("party").replace_strict(parties, list(range(len(parties))),
                                                     return_dtype=pl.Int64).alias("p"))
        .with_row_index("item")
    )  # fmt: skip
    if items.height == 0:
        return None, items, columns
    rank = {o: min(i, _MAX_OBSERVERS) for i, o in enumerate(observers)}
    at = (
        seen.join(items.select("lid", "item"), on="lid")
        .with_columns(pl.col("observer").replace_strict(rank, return_dtype=pl.Int64).alias("j"))
        .sort("item", "j", "observer")
        .unique(["item", "j"], keep="first")
    )
    matrix = np.full((items.height, len(columns)), -1, np.int8)
    matrix[at["item"].to_numpy(), at["j"].to_numpy()] = at["seen"].to_numpy().astype(np.int8)
    neutral = params.ungraded_reliability_weight * params.ungraded_credibility_weight
    by_col = (
        counts.with_columns(
            pl.col("observer").replace_strict(rank, return_dtype=pl.Int64).alias("j"),
            pl.col("grade").fill_null(neutral),
        )
        .group_by("j")
        .agg((pl.col("grade") * pl.col("len")).sum() / pl.col("len").sum())
    )
    grade = by_col.sort("j")["grade"].to_numpy()
    rng = np.random.default_rng([params.bootstrap_seed, 11])
    fit = latent_class(
        items["p"].to_numpy(), items["claimed_success"].to_numpy(), matrix,
        params.claims_observer_prior * np.asarray(grade, np.float64),
        params.bootstrap_replicates, rng, disagreement_z=params.claims_disagreement_z,
    )  # fmt: skip
    return fit, items, columns


def _party_row(
    index: int,
    party: str,
    claims: pl.DataFrame,
    items: pl.DataFrame,
    seen: pl.DataFrame,
    fit: LatentFit | None,
    observers: list[str],
    vocab: dict[str, int],
    params: Params,
) -> dict[str, Any]:
    mine = claims.filter(pl.col("party") == party)
    hit = items.filter(pl.col("party") == party)
    row: dict[str, Any] = {"party": party, "claims": mine.height, "observed": hit.height}
    if mine.height == 0:
        row["message"] = "no strike report with a claimed effect in the period"
        return row
    names = {v: k for k, v in LEVELS.items()}
    used = set(mine["claimed_effect"].unique().to_list())
    row["vocabulary"] = {w: names[lv] for w, lv in sorted(vocab.items()) if w in used}
    row["corroboration_rate"] = hit.height / mine.height
    row["claimed_success_rate"] = float(mine["claimed_success"].mean())  # type: ignore[arg-type]
    obs = seen.join(mine.select("lid", "claimed_success"), on="lid")
    row["observers"] = dict(sorted(obs["observer"].value_counts().iter_rows()))
    row["observed_via"] = dict(sorted(obs["via"].value_counts().iter_rows()))
    if hit.height == 0 or fit is None:
        row["message"] = "no claim of this party was observed by another source"
        return row
    post = fit.posterior[fit.pattern_of[hit["item"].to_numpy()]]
    words = hit.join(mine.select("lid", "claimed_effect"), on="lid").with_columns(
        pl.Series("post", post)
    )
    row["by_claimed_word"] = {
        w: {"matched": n, "observed_success_rate": r}
        for w, n, r in words.group_by("claimed_effect")
        .agg(pl.len(), pl.col("post").mean())
        .sort("claimed_effect")
        .iter_rows()
    }
    claimed_rate, true_rate = fit.claimed[:, index], fit.true_rate[:, index]
    reps = 100.0 * (claimed_rate[1:] - true_rate[1:])
    a = (1.0 - params.confidence_level) / 2.0
    claimed = hit["claimed_success"].to_numpy()
    row.update(
        claimed_success_rate_observed=float(claimed_rate[0]),
        observed_success_rate=float(true_rate[0]),
        agreement_rate=float((obs["claimed_success"] == obs["seen"]).mean()),  # type: ignore[arg-type]
        success_claims_corroborated=float(post[claimed].mean()) if claimed.any() else None,
        inflation_points=100.0 * float(claimed_rate[0] - true_rate[0]),
        inflation_ci=[float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))],
        observers_weighed="by agreement" if fit.weighed else "alike",
        observer_disagreement_z=fit.disagreement_z,
    )  # fmt: skip
    if fit.weighed:
        row["observer_rates"] = {
            o: {"sensitivity": float(fit.sensitivity[0, j]),
                "specificity": float(fit.specificity[0, j])}
            for j, o in enumerate(observers) if o in row["observers"] or o == _OTHER
        }  # fmt: skip
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
