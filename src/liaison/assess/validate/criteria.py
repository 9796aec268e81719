"""The acceptance criteria of issue 7, computed over one family's scenario scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .score import ScenarioScore

__all__ = ["Criterion", "baseline_rows", "summarise", "table"]

_BIG = 0.2


@dataclass(frozen=True)
class Criterion:
    """One line of a validation table; ``passed`` None for an informative line."""

    name: str
    value: str
    target: str
    passed: bool | None


def _rate(xs: Sequence[Any]) -> float:
    return float(np.mean(xs)) if len(xs) else float("nan")


def _pct(xs: Sequence[Any]) -> str:
    return f"{_rate(xs):.1%} of {len(xs)}" if len(xs) else "– (no case)"


def _targeting(tg: list[dict[str, Any]]) -> list[Criterion]:
    done = [t for t in tg if t["estimate"] is not None]
    err = [abs(t["estimate"] - t["truth"]) * 100 for t in done]
    within = [e <= 3.0 for e in err] + [False] * (len(tg) - len(done))
    main = [abs(t["estimate"] - t["truth"]) * 100 for t in done if t["is_main"]]
    struck = [t["covered"] for t in tg if t["truth"] > 0]
    cov_main = [t["covered"] for t in tg if t["is_main"]]
    largest = f"largest error {max(err):.2f} pp" if err else "no estimate"
    return [
        Criterion(
            "targeting share within ±3 pp (every party ≥ 1,000 strikes × group, and none)",
            f"{_pct(within)}; {largest}",
            "100 %",
            bool(tg) and all(within),
        ),
        Criterion(
            "targeting share, Islamic State: largest error",
            f"{max(main):.2f} pp ({len(main)} rows)" if main else "–",
            "≤ 3 pp",
            bool(main) and max(main) <= 3.0,
        ),
        Criterion(
            "95 % interval covers the truth (truth > 0)",
            _pct(struck),
            "≥ 90 %",
            bool(struck) and _rate(struck) >= 0.9,
        ),
        Criterion(
            "95 % interval covers the truth, Islamic State",
            _pct(cov_main),
            "≥ 90 %",
            bool(cov_main) and _rate(cov_main) >= 0.9,
        ),
    ]


def _effects(eff: list[dict[str, Any]]) -> list[Criterion]:
    big = [e for e in eff if abs(e["truth"]) >= _BIG]
    got = [e for e in big if e["estimate"] is not None]
    sign = [np.sign(e["estimate"]) == np.sign(e["truth"]) for e in got]
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in got:
        cells.setdefault((e["category"], e["outcome"]), []).append(e)
    means = {
        k: (float(np.mean([e["estimate"] for e in es])), es[0]["truth"]) for k, es in cells.items()
    }
    mean_ok = [abs(m - t) <= 0.25 * abs(t) for m, t in means.values()]
    detail = ", ".join(f"{c}/{o} {m:+.2f} vs {t:+.2f}" for (c, o), (m, t) in sorted(means.items()))
    zero = [bool(e["significant"]) for e in eff if e["truth"] == 0.0 and e["estimate"] is not None]
    missing = sorted({f"{e['category']}/{e['outcome']}" for e in big if e["estimate"] is None})
    n_cells = len({(e["category"], e["outcome"]) for e in big})
    return [
        Criterion(
            "effects ≥ 20 %: estimated",
            _pct([e["estimate"] is not None for e in big])
            + (f" (missing: {', '.join(missing)})" if missing else ""),
            "≥ 90 %",
            bool(big) and _rate([e["estimate"] is not None for e in big]) >= 0.9,
        ),
        Criterion(
            "effects ≥ 20 %: sign right", _pct(sign), "≥ 95 %", bool(sign) and _rate(sign) >= 0.95
        ),
        Criterion(
            "effects ≥ 20 %: mean estimate within ±25 % (category × outcome)",
            f"{sum(mean_ok)} of {n_cells}" + (f": {detail}" if detail else ""),
            "all",
            bool(mean_ok)
            and all(mean_ok)
            and len(mean_ok) == len({(e["category"], e["outcome"]) for e in big}),
        ),
        Criterion(
            "zero effects flagged significant",
            _pct(zero),
            "≤ 10 %",
            bool(zero) and _rate(zero) <= 0.10,
        ),
    ]


def _placebo(scores: list[ScenarioScore]) -> list[Criterion]:
    pre = [p for s in scores if s.pre_trend for p in s.placebo]
    if not any(s.pre_trend for s in scores):
        return [Criterion("placebo check fails on the pre-trend scenario", "– (no pre-trend "
                          "scenario in this family)", "fails", None)]  # fmt: skip
    failed = [p["placebo_failed"] is True for p in pre]
    normal = [
        e["placebo_failed"] is True
        for s in scores
        if not s.pre_trend
        for e in s.effects
        if e["placebo_failed"] is not None
    ]
    return [
        Criterion(
            "placebo check fails on the pre-trend scenario",
            _pct(failed),
            "≥ 80 %",
            bool(failed) and _rate(failed) >= 0.8,
        ),
        Criterion(
            "placebo check fails elsewhere (false alarms, informative)", _pct(normal), "low", None
        ),
    ]


def _inflation(rows: list[dict[str, Any]]) -> list[Criterion]:
    got = [r for r in rows if r["estimate"] is not None]
    err = [abs(r["estimate"] - r["truth"]) for r in got]
    within = [e <= 5.0 for e in err] + [False] * (len(rows) - len(got))
    cov = [r["covered"] for r in rows]
    return [
        Criterion(
            "claim inflation within ±5 points",
            _pct(within) + (f"; largest error {max(err):.1f} points" if err else ""),
            "100 %",
            bool(rows) and all(within),
        ),
        Criterion(
            "claim inflation: interval covers the truth",
            _pct(cov),
            "≥ 90 %",
            bool(cov) and _rate(cov) >= 0.9,
        ),
    ]


def summarise(scores: list[ScenarioScore], min_scenarios: int = 20) -> list[Criterion]:
    """Every criterion of issue 7 over one family's scores (pre-trend ones apart)."""
    main = [s for s in scores if not s.pre_trend]
    n = len(main)
    return [
        Criterion("scenarios", str(n), f"≥ {min_scenarios}", n >= min_scenarios),
        *_targeting([t for s in main for t in s.targeting]),
        *_effects([e for s in main for e in s.effects]),
        *_placebo(scores),
        *_inflation([i for s in main for i in s.inflation]),
    ]


def baseline_rows(scores: list[ScenarioScore]) -> list[list[str]]:
    """Per party: Islamic State share — truth, the method's and the baselines' errors."""
    by_party: dict[str, dict[str, list[float]]] = {}
    for s in scores:
        if s.pre_trend:
            continue
        est = {t["party"]: t for t in s.targeting if t["is_main"]}
        for b in s.baselines:
            d = by_party.setdefault(
                s.party_keys.get(b["party"], b["party"]),
                {"truth": [], "method": [], "news": [], "rule": []},
            )
            d["truth"].append(b["truth"])
            m = est.get(b["party"], {}).get("estimate")
            for key, v in (("method", m), ("news", b["newsroom"]), ("rule", b["evidence_rule"])):
                d[key].append(np.nan if v is None else abs(v - b["truth"]) * 100)
    rows = []
    for party, d in sorted(by_party.items()):

        def fmt(xs: list[float]) -> str:
            a = np.array(xs, dtype=float)
            if np.isnan(a).all():
                return "–"
            return f"{np.nanmean(a):.1f} / {np.nanmax(a):.1f}"

        rows.append([
            party, f"{np.mean(d['truth']):.1%}",
            fmt(d["method"]), fmt(d["news"]), fmt(d["rule"]),
        ])  # fmt: skip
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
