"""``python -m liaison.assess.validate``: every family, every criterion, the sensitivity table.

One task per (family, seed): build the scenario, assess it at default ``Params()`` (and,
for the first few seeds, at each sensitivity variant), score it against its truth.
Tasks run in a process pool (``--jobs``); progress goes to stderr, tables to stdout.
Exit status 1 when a criterion fails.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from ..engine import run
from ..params import Params
from ..worlds import FAMILIES, PRE_TREND_FAMILIES, scenario
from .criteria import Criterion, baseline_rows, summarise, table
from .score import ScenarioScore, score
from .sensitivity import DEFAULT, HEADER, sensitivity_rows, variants

__all__ = ["Task", "main", "run_task"]


@dataclasses.dataclass(frozen=True)
class Task:
    """One scenario to assess: at the defaults, and at the listed sensitivity variants."""

    family: str
    seed: int
    pre_trend: bool = False
    sensitivity: bool = False


def run_task(task: Task) -> tuple[Task, dict[str, ScenarioScore], float]:
    """Build, assess and score one scenario; the truth only reaches the scorer."""
    started = time.perf_counter()
    inputs, truth = scenario(task.family, task.seed, pre_trend=task.pre_trend)
    out = {DEFAULT: score(inputs, truth, run(inputs, Params()).data)}
    if task.sensitivity:
        for label, params in variants(Params())[0].items():
            out[label] = score(inputs, truth, run(inputs, params).data, baselines=False)
    return task, out, time.perf_counter() - started


def _tasks(families: list[str], n: int, n_sens: int, n_pre: int) -> list[Task]:
    tasks = [
        Task(f, seed, sensitivity=seed <= n_sens) for f in families for seed in range(1, n + 1)
    ]
    tasks += [
        Task(f, 1000 + seed, pre_trend=True)
        for f in families
        if f in PRE_TREND_FAMILIES
        for seed in range(1, n_pre + 1)
    ]
    return tasks


def _run_all(tasks: list[Task], jobs: int) -> list[tuple[Task, dict[str, ScenarioScore], float]]:
    done = []
    total = len(tasks)

    def report(result: tuple[Task, dict[str, ScenarioScore], float]) -> None:
        task, _, secs = result
        done.append(result)
        what = " (pre-trend)" if task.pre_trend else " (+ sensitivity)" if task.sensitivity else ""
        print(f"[{len(done)}/{total}] {task.family} seed {task.seed}{what}: {secs:.1f} s",
              file=sys.stderr, flush=True)  # fmt: skip

    if jobs <= 1:
        for t in tasks:
            report(run_task(t))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(run_task, tasks):
                report(result)
    return done


def _mark(c: Criterion) -> str:
    return "–" if c.passed is None else "yes" if c.passed else "NO"


def main(argv: list[str] | None = None) -> int:
    """Run the validation; print the tables; 0 when every criterion passes."""
    ap = argparse.ArgumentParser(prog="python -m liaison.assess.validate", description=__doc__)
    ap.add_argument("--family", action="append", choices=sorted(FAMILIES),
                    help="a scenario family (repeatable; default: all)")  # fmt: skip
    ap.add_argument("--scenarios", type=int, default=20, help="scenarios per family")
    ap.add_argument("--sensitivity-scenarios", type=int, default=3,
                    help="scenarios per family for the sensitivity table (0: none)")  # fmt: skip
    ap.add_argument("--pre-trend-scenarios", type=int, default=5)
    ap.add_argument("--quick", action="store_true",
                    help="3 scenarios, 1 for sensitivity and pre-trend: a smoke run")  # fmt: skip
    ap.add_argument("--json", type=Path, help="write every scenario's scores here")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = ap.parse_args(argv)
    if args.scenarios < 1 or args.jobs < 1:
        ap.error("--scenarios and --jobs must be ≥ 1")
    families = args.family or list(FAMILIES)
    n, n_sens, n_pre = args.scenarios, args.sensitivity_scenarios, args.pre_trend_scenarios
    if args.quick:
        n, n_sens, n_pre = 3, min(n_sens, 1), min(n_pre, 1)
    _, notes = variants(Params())
    started = time.perf_counter()
    results = _run_all(_tasks(families, n, min(n_sens, n), n_pre), args.jobs)
    by_family: dict[str, dict[str, list[ScenarioScore]]] = {f: {} for f in families}
    for task, labelled, _ in sorted(
        results, key=lambda r: (r[0].family, r[0].pre_trend, r[0].seed)
    ):
        for label, s in labelled.items():
            if label == DEFAULT or not task.pre_trend:
                by_family[task.family].setdefault(label, []).append(s)
    failed: list[str] = []
    for family in families:
        scores = by_family[family].get(DEFAULT, [])
        rows = summarise(scores, 20)
        failed += [f"{family}: {c.name}" for c in rows if c.passed is False]
        print(f"\n### Family {family}\n")
        print(table(("criterion", "result", "target", "pass"),
                    [(c.name, c.value, c.target, _mark(c)) for c in rows]))  # fmt: skip
        print("\nTargeting share on the Islamic State — absolute error, mean / max (pp):\n")
        print(table(("party", "true share (mean)", "method", "newsroom heuristic",
                     "evidence rule"), baseline_rows(scores)))  # fmt: skip
    if n_sens:
        print("\n### Sensitivity (one default varied at a time; sensitivity scenarios only)\n")
        limited = {
            f: {k: v[: min(n_sens, n)] if k == DEFAULT else v for k, v in by.items()}
            for f, by in by_family.items()
        }
        print(table(HEADER, sensitivity_rows(limited)))
        for note in notes:
            print(f"\n* {note}")
    print(f"\n{n} scenarios per family, {time.perf_counter() - started:.0f} s")
    if failed:
        print("\nFailed: " + "; ".join(failed))
    if args.json:
        dump: dict[str, Any] = {
            f: {k: [dataclasses.asdict(s) for s in v] for k, v in by.items()}
            for f, by in by_family.items()
        }
        args.json.write_bytes(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS))
    return 1 if failed else 0
