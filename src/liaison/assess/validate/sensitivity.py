"""The sensitivity table: the method's defaults varied one at a time, on every family."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..params import Params
from .criteria import summarise
from .score import ScenarioScore

__all__ = ["DEFAULT", "sensitivity_rows", "variants"]

DEFAULT = "default"
_FLAT = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
_STEEP = (1.0, 0.6, 0.35, 0.2, 0.1, 0.3)
#: (parameter label, value label, overrides): θ, tolerance, half-life, grading weights.
_GRID: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("presence_threshold", "0.3", {"presence_threshold": 0.3}),
    ("presence_threshold", "0.7", {"presence_threshold": 0.7}),
    ("targeting_tolerance_m", "2000", {"targeting_tolerance_m": 2000.0}),
    ("targeting_tolerance_m", "5000", {"targeting_tolerance_m": 5000.0}),
    ("presence_half_life_weeks", "2", {"presence_half_life_weeks": 2.0}),
    ("presence_half_life_weeks", "8", {"presence_half_life_weeks": 8.0}),
    ("grading weights", "flat", {"reliability_weights": _FLAT, "credibility_weights": _FLAT}),
    ("grading weights", "steep", {"reliability_weights": _STEEP, "credibility_weights": _STEEP}),
)


def variants(base: Params) -> tuple[dict[str, Params], list[str]]:
    """Label → parameters of each variant, and notes on the ones ``Params`` lacks."""
    names = {f.name for f in dataclasses.fields(Params)}
    out: dict[str, Params] = {}
    notes = []
    for param, value, overrides in _GRID:
        missing = sorted(set(overrides) - names)
        if missing:
            notes.append(f"{param} = {value}: skipped, Params has no {', '.join(missing)}")
            continue
        out[f"{param}={value}"] = dataclasses.replace(base, **overrides)
    return out, notes


def _default_value(param: str) -> str:
    p = Params()
    if param == "grading weights":
        return "admiralty A…F, 1…6: 1, 0.8, 0.6, 0.4, 0.2, 0.5"
    v = getattr(p, param, None)
    return "–" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def _metrics(scores: list[ScenarioScore]) -> list[str]:
    tg = [t for s in scores for t in s.targeting if t["is_main"] and t["estimate"] is not None]
    err = [abs(t["estimate"] - t["truth"]) * 100 for t in tg]
    cov = [t["covered"] for s in scores for t in s.targeting if t["truth"] > 0]
    big = [e for s in scores for e in s.effects if abs(e["truth"]) >= 0.2]
    got = [e for e in big if e["estimate"] is not None]
    sign = [np.sign(e["estimate"]) == np.sign(e["truth"]) for e in got]
    zero = [
        bool(e["significant"])
        for s in scores
        for e in s.effects
        if e["truth"] == 0.0 and e["estimate"] is not None
    ]
    infl = [
        abs(i["estimate"] - i["truth"])
        for s in scores
        for i in s.inflation
        if i["estimate"] is not None
    ]
    crit = [c for c in summarise(scores, 0) if c.passed is not None and c.name != "scenarios"]

    def pct(xs: list[Any]) -> str:
        return f"{np.mean(xs):.0%}" if xs else "–"

    return [
        f"{np.mean(err):.1f} / {np.max(err):.1f}" if err else "–",
        pct(cov),
        pct([e["estimate"] is not None for e in big]),
        pct(sign),
        pct(zero),
        f"{np.max(infl):.1f}" if infl else "–",
        f"{sum(bool(c.passed) for c in crit)}/{len(crit)}",
    ]


HEADER = (
    "family", "parameter", "value", "IS share error mean / max (pp)", "coverage",
    "effects ≥ 20 % estimated", "sign right", "zero effects significant",
    "inflation max error", "criteria passed",
)  # fmt: skip


def sensitivity_rows(by_family: dict[str, dict[str, list[ScenarioScore]]]) -> list[list[str]]:
    """Rows of the sensitivity table: family × (default and every variant)."""
    rows = []
    for family, by_label in by_family.items():
        for label, scores in by_label.items():
            if not scores:
                continue
            if label == DEFAULT:
                param, value = "(defaults)", "–"
            else:
                param, value = label.split("=", 1)
                value = f"{value} (default {_default_value(param)})"
            rows.append([family, param, value, *_metrics(scores)])
    return rows
