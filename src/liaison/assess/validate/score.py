"""Scoring one assessed scenario against its ground truth, row by row.

The scorer reads the method's public output (``run(inputs, params).data``) and the
family's truth; the truth is never passed to the method. It tolerates missing rows
(a row the method does not give is a case it did not estimate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..inputs import AssessmentInputs
from .baseline import evidence_rule_shares, newsroom_share

__all__ = ["MIN_CATEGORY_REPORTS", "MIN_PARTY_STRIKES", "ScenarioScore", "placebo_failed", "score"]

#: Parties with fewer strike reports are not held to the targeting criterion.
MIN_PARTY_STRIKES = 1000
#: A party × category with fewer reports is not a case for the effect criteria.
MIN_CATEGORY_REPORTS = 40


@dataclass(frozen=True)
class ScenarioScore:
    """What one scenario's assessment got right (plain rows, JSON-ready)."""

    family: str
    seed: int
    pre_trend: bool
    targeting: list[dict[str, Any]]  # party, group, is_main, truth, estimate, ci, covered
    effects: list[dict[str, Any]]  # party, category, outcome, truth, estimate, significant
    inflation: list[dict[str, Any]]  # party, truth, estimate, covered
    placebo: list[dict[str, Any]] = field(default_factory=list)  # pre-trend rows
    baselines: list[dict[str, Any]] = field(default_factory=list)  # party, truth, newsroom, rule
    party_keys: dict[str, str] = field(default_factory=dict)  # party id → key (for tables)


def _interval(row: dict[str, Any], low: str = "ci_low", high: str = "ci_high") -> tuple[Any, Any]:
    return row.get(low), row.get(high)


def _covers(lo: Any, hi: Any, t: float, tol: float = 1e-9) -> bool:
    return lo is not None and hi is not None and lo - tol <= t <= hi + tol


def _significant(row: dict[str, Any]) -> bool:
    if row.get("significant") is not None:
        return bool(row["significant"])
    lo, hi = _interval(row)
    return lo is not None and hi is not None and (lo > 0 or hi < 0)


def placebo_failed(row: dict[str, Any]) -> bool | None:
    """Whether the method's pre-trend / placebo check rejects parallel trends on ``row``.

    Reads, in order: ``placebo`` (a dict with ``passed`` or ``rejected``),
    ``pre_trend_passed``, ``pre_trend_significant``, then ``pre_trend_ci`` excluding 0.
    None when the row carries no such check (no estimate).
    """
    placebo = row.get("placebo")
    if isinstance(placebo, dict):
        if placebo.get("passed") is not None:
            return not bool(placebo["passed"])
        if placebo.get("rejected") is not None:
            return bool(placebo["rejected"])
    if row.get("pre_trend_passed") is not None:
        return not bool(row["pre_trend_passed"])
    if row.get("pre_trend_significant") is not None:
        return bool(row["pre_trend_significant"])
    ci = row.get("pre_trend_ci")
    if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci:
        return bool(ci[0] > 0 or ci[1] < 0)
    return None


def _targeting(data: dict[str, Any], truth: dict[str, Any], counts: dict[str, int]) -> list[Any]:
    rows = {r["party"]: r for r in data.get("targeting", [])}
    main = truth["islamic_state_group"]
    out = []
    for party, shares in truth["targeting_share"].items():
        if counts.get(party, 0) < MIN_PARTY_STRIKES:
            continue
        got = rows.get(party, {})
        by_group = {g["group"]: g for g in got.get("groups", [])}
        for group, t in shares.items():
            est = got.get("no_known_group") if group == "none" else by_group.get(group)
            estimate = None if not est or est.get("share") is None else float(est["share"])
            lo, hi = _interval(est or {})
            out.append({
                "party": party, "group": group, "is_main": group == main, "truth": t,
                "estimate": estimate, "ci_low": lo, "ci_high": hi, "covered": _covers(lo, hi, t),
            })  # fmt: skip
    return out


def _effects(
    data: dict[str, Any], truth: dict[str, Any], inputs: AssessmentInputs
) -> list[dict[str, Any]]:
    made = inputs.strikes.group_by(["party", "target_category"]).len()
    cases = {
        (p, c): n
        for p, c, n in made.iter_rows()
        if p in truth["targeting_share"] and c in truth["effects"] and n >= MIN_CATEGORY_REPORTS
    }
    got = {(r["party"], r["target_category"], r["outcome"]): r for r in data.get("effects", [])}
    out = []
    for (party, cat), n in sorted(cases.items()):
        true = truth.get("effects_by_party", {}).get(party, truth["effects"])
        for outcome, t in sorted(true[cat].items()):
            row = got.get((party, cat, outcome), {})
            est = row.get("effect")
            out.append({
                "party": party, "category": cat, "outcome": outcome, "truth": float(t),
                "reports": n, "estimate": None if est is None else float(est),
                "significant": _significant(row) if est is not None else None,
                "ci_low": row.get("ci_low"), "ci_high": row.get("ci_high"),
                "placebo_failed": placebo_failed(row) if est is not None else None,
                "message": row.get("message"),
            })  # fmt: skip
    return out


def _inflation(data: dict[str, Any], truth: dict[str, Any]) -> list[dict[str, Any]]:
    got = {r["party"]: r for r in data.get("corroboration", [])}
    out = []
    for party, claims in truth["claims"].items():
        row = got.get(party, {})
        est = row.get("inflation_points")
        ci = row.get("inflation_ci") or [None, None]
        t = float(claims["inflation_points"])
        out.append({
            "party": party, "truth": t, "estimate": None if est is None else float(est),
            "ci_low": ci[0], "ci_high": ci[1], "covered": _covers(ci[0], ci[1], t, 1e-6),
        })  # fmt: skip
    return out


def _baselines(
    inputs: AssessmentInputs, truth: dict[str, Any], counts: dict[str, int]
) -> list[Any]:
    main = truth["islamic_state_group"]
    out = []
    for party, shares in truth["targeting_share"].items():
        if counts.get(party, 0) < MIN_PARTY_STRIKES:
            continue
        rule = evidence_rule_shares(inputs, party) or {}
        out.append({
            "party": party, "truth": shares.get(main, 0.0),
            "newsroom": newsroom_share(inputs, party, main), "evidence_rule": rule.get(main),
            "evidence_rule_all": rule,
        })  # fmt: skip
    return out


def score(
    inputs: AssessmentInputs,
    truth: dict[str, Any],
    data: dict[str, Any],
    *,
    baselines: bool = True,
) -> ScenarioScore:
    """Compare one assessment (``data``) with the truth of the scenario it assessed."""
    counts = dict(inputs.strikes.group_by("party").agg(pl.len()).iter_rows())
    effects = _effects(data, truth, inputs)
    cue = truth.get("pre_trend")
    placebo = []
    if cue:
        placebo = [
            e for e in effects
            if (e["party"], e["category"], e["outcome"]) == (cue["party"], cue["category"],
                                                             cue["outcome"])
        ]  # fmt: skip
        effects = [e for e in effects if e not in placebo]
    return ScenarioScore(
        family=str(truth.get("family", "grid")),
        seed=int(truth["seed"]),
        pre_trend=bool(cue),
        targeting=_targeting(data, truth, counts),
        effects=effects,
        inflation=_inflation(data, truth),
        placebo=placebo,
        baselines=_baselines(inputs, truth, counts) if baselines else [],
        party_keys={pid: str(p.get("key", pid)) for pid, p in truth.get("parties", {}).items()},
    )
