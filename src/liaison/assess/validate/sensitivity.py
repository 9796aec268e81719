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
#: The defaults varied: θ, the spatial tolerance, the half-life, the contested reading,
#: the unplaced strikes' weeks left out, the weeks' vote on control, the ambiguous
#: strikes' bounds, the grading weights.
#: A concept names candidate parameters (the first ``Params`` has is used); values are
#: absolute, or factors of the default (``×0.5``) when given as strings; the last tuple
#: holds the values used when the default is 0.
_CONCEPTS: tuple[tuple[tuple[str, ...], tuple[float | str, ...], tuple[float, ...]], ...] = (
    (("presence_threshold",), (0.3, 0.7), ()),
    (("targeting_tolerance_m", "presence_floor_m"), ("×0.5", "×2"), (2000.0, 5000.0)),
    (("presence_half_life_weeks",), ("×0.5", "×2"), ()),
    # the contested reading (2.6.0): stricter, and off (1: no place is fought over)
    (("control_contested_from",), ("×2", 1.0), ()),
    # unplaced strikes' cell-weeks (2.7.0): left out twice as long, and kept (0 weeks)
    (("effect_unplaced_weeks",), ("×2", 0.0), ()),
    # the weeks' votes on control by their evidence (2.8.0): saturating later, and off
    (("control_vote_saturation",), ("×2", 0.0), ()),
    # the ambiguous strikes' bounds on the targeting interval (2.9.0): narrower, and
    # none (0.5: each strike on its likeliest group)
    (("targeting_plausible",), ("×2", 0.5), ()),
)


def _values(
    default: float, values: tuple[float | str, ...], at_zero: tuple[float, ...]
) -> list[float]:
    if default == 0.0 and at_zero:
        return list(at_zero)
    return [default * float(v.lstrip("×")) if isinstance(v, str) else float(v) for v in values]


def variants(base: Params) -> tuple[dict[str, Params], list[str]]:
    """Label → parameters of each variant, and notes on the ones ``Params`` lacks."""
    names = {f.name for f in dataclasses.fields(Params)}
    out: dict[str, Params] = {}
    notes = []
    for candidates, values, at_zero in _CONCEPTS:
        param = next((c for c in candidates if c in names), None)
        if param is None:
            notes.append(f"{' / '.join(candidates)}: skipped, Params has none of them")
            continue
        default = float(getattr(base, param))
        for x in _values(default, values, at_zero):
            if x != default:
                integer = isinstance(getattr(base, param), int)
                overrides: dict[str, Any] = {param: int(x) if integer else x}
                out[f"{param}={x:g}"] = dataclasses.replace(base, **overrides)
    if {"reliability_weights", "credibility_weights"} <= names:
        for label, w in (("flat", _FLAT), ("steep", _STEEP)):
            out[f"grading weights={label}"] = dataclasses.replace(
                base, reliability_weights=w, credibility_weights=w
            )
    else:
        notes.append("grading weights: skipped, Params has no reliability/credibility weights")
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
