"""Validation of the method on simulated conflicts with known ground truth.

``python -m liaison.assess.validate [--scenarios 20] [--quick] [--json FILE]`` runs
the scenarios (seeds 1…N), prints the table of docs/method.md and exits 1 when a
criterion fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from .engine import run
from .params import Params
from .simulate import SimConfig, simulate_inputs

__all__ = ["Criterion", "ScenarioScore", "main", "score_scenario", "summarise"]


@dataclass(frozen=True)
class ScenarioScore:
    """What one scenario's assessment got right, row by row."""

    seed: int
    targeting: list[dict[str, Any]]  # party, group, is_main, truth, estimate, covered
    effects: list[dict[str, Any]]  # party, category, outcome, truth, estimate, significant
    inflation: list[dict[str, Any]]  # party, truth, estimate


@dataclass(frozen=True)
class Criterion:
    """One line of the validation table."""

    name: str
    value: str
    target: str
    passed: bool


def score_scenario(seed: int, params: Params, strikes_per_party: int = 1500) -> ScenarioScore:
    """Simulate scenario ``seed``, assess it and compare with its ground truth."""
    inputs, truth, _ = simulate_inputs(SimConfig(seed=seed, strikes_per_party=strikes_per_party))
    data = run(inputs, params).data
    main_group = truth["islamic_state_group"]
    targeting = []
    for row in data["targeting"]:
        true_row = truth["targeting_share"][row["party"]]
        for g in row.get("groups", []):
            t = true_row.get(g["group"], 0.0)
            targeting.append(
                {
                    "party": row["party"],
                    "group": g["group"],
                    "is_main": g["group"] == main_group,
                    "truth": t,
                    "estimate": g["share"],
                    "covered": g["ci_low"] <= t <= g["ci_high"],
                }
            )
    effects = [
        {
            "party": r["party"],
            "category": r["target_category"],
            "outcome": r["outcome"],
            "truth": truth["effects"][r["target_category"]][r["outcome"]],
            "estimate": r["effect"],
            "significant": r["significant"],
        }
        for r in data["effects"]
        if r.get("effect") is not None and r["target_category"] in truth["effects"]
    ]
    inflation = [
        {
            "party": r["party"],
            "truth": truth["claims"][r["party"]]["inflation_points"],
            "estimate": r["inflation_points"],
        }
        for r in data["corroboration"]
        if r.get("inflation_points") is not None
    ]
    return ScenarioScore(seed, targeting, effects, inflation)


def summarise(scores: list[ScenarioScore]) -> list[Criterion]:
    """The validation table from scenario scores."""
    tg = [t for s in scores for t in s.targeting]
    main = [t for t in tg if t["is_main"]]
    err_main = np.array([abs(t["estimate"] - t["truth"]) * 100 for t in main])
    err_all = np.array([abs(t["estimate"] - t["truth"]) * 100 for t in tg])
    cov_main = float(np.mean([t["covered"] for t in main])) if main else 0.0
    struck = [t for t in tg if t["truth"] > 0]
    cov_all = float(np.mean([t["covered"] for t in struck])) if struck else 0.0
    never = [t["estimate"] * 100 for t in tg if t["truth"] == 0]
    eff = [e for s in scores for e in s.effects]
    big = [e for e in eff if abs(e["truth"]) >= 0.2]
    ok = [
        np.sign(e["estimate"]) == np.sign(e["truth"])
        and abs(e["estimate"] - e["truth"]) <= 0.25 * abs(e["truth"])
        for e in big
    ]
    signs = [np.sign(e["estimate"]) == np.sign(e["truth"]) for e in big]
    # True effects are set per category and outcome (the same for every party).
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in big:
        cells.setdefault((e["category"], e["outcome"]), []).append(e)
    mean_ok = [
        abs(float(np.mean([e["estimate"] for e in es])) - es[0]["truth"])
        <= 0.25 * abs(es[0]["truth"])
        for es in cells.values()
    ]
    zero = [e["significant"] for e in eff if e["truth"] == 0.0]
    infl = np.array([abs(i["estimate"] - i["truth"]) for s in scores for i in s.inflation])
    n = len(scores)

    def rate(xs: list[Any]) -> float:
        return float(np.mean(xs)) if xs else float("nan")

    return [
        Criterion("scenarios", str(n), "≥ 20", n >= 20),
        Criterion(
            "targeting share, IS-like group: largest error",
            f"{err_main.max():.2f} pp ({len(main)} party×scenario)" if main.__len__() else "–",
            "≤ 3 pp",
            bool(main) and float(err_main.max()) <= 3.0,
        ),
        Criterion(
            "targeting share, all groups: largest error",
            f"{err_all.max():.2f} pp ({len(tg)} rows)" if tg else "–",
            "≤ 3 pp",
            bool(tg) and float(err_all.max()) <= 3.0,
        ),
        Criterion(
            "95 % CI covers truth, IS-like group", f"{cov_main:.1%}", "≥ 90 %", cov_main >= 0.9
        ),
        Criterion(
            "95 % CI covers truth, every group the party struck",
            f"{cov_all:.1%} of {len(struck)}",
            "≥ 90 %",
            cov_all >= 0.9,
        ),
        Criterion(
            "share estimated for groups never struck: max",
            f"{max(never):.2f} pp ({len(never)} rows)" if never else "–",
            "≤ 3 pp",
            not never or max(never) <= 3.0,
        ),
        Criterion(
            "effects ≥ 20 %: sign right",
            f"{rate(signs):.1%} of {len(big)}",
            "100 %",
            bool(big) and all(signs),
        ),
        Criterion(
            "effects ≥ 20 %: sign right and within ±25 %",
            f"{rate(ok):.1%} of {len(big)}",
            "≥ 90 %",
            bool(big) and rate(ok) >= 0.9,
        ),
        Criterion(
            "effects ≥ 20 %: mean estimate within ±25 % (category × outcome, all runs)",
            f"{rate(mean_ok):.1%} of {len(mean_ok)}",
            "100 %",
            bool(mean_ok) and all(mean_ok),
        ),
        Criterion(
            "zero-effect categories flagged significant",
            f"{rate(zero):.1%} of {len(zero)}",
            "≤ 10 %",
            bool(zero) and rate(zero) <= 0.10,
        ),
        Criterion(
            "claim inflation: largest error",
            f"{infl.max():.2f} points ({infl.size} rows)" if infl.size else "–",
            "≤ 5 points",
            bool(infl.size) and float(infl.max()) <= 5.0,
        ),
    ]


def _table(rows: list[Criterion]) -> str:
    lines = ["| criterion | result | target | pass |", "|---|---|---|---|"]
    lines += [
        f"| {c.name} | {c.value} | {c.target} | {'yes' if c.passed else 'NO'} |" for c in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the validation; print the table; 0 when every criterion passes."""
    ap = argparse.ArgumentParser(prog="python -m liaison.assess.validate")
    ap.add_argument("--scenarios", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="3 scenarios, for a smoke run")
    ap.add_argument("--strikes", type=int, default=1500, help="strikes per party")
    ap.add_argument("--json", type=Path, help="write every scenario's scores here")
    args = ap.parse_args(argv)
    n = 3 if args.quick else args.scenarios
    params = Params()
    started = time.perf_counter()
    scores = [score_scenario(seed, params, args.strikes) for seed in range(1, n + 1)]
    rows = summarise(scores)
    print(_table(rows))
    print(
        f"\n{n} scenarios, {args.strikes} strikes per party, {time.perf_counter() - started:.0f} s"
    )
    if args.json:
        args.json.write_bytes(
            orjson.dumps([s.__dict__ for s in scores], option=orjson.OPT_SORT_KEYS)
        )
    return 0 if all(c.passed for c in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
