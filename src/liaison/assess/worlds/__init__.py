"""Validation worlds: scenario families with known ground truth, for ``validate``.

Each family maps a seed to ``(AssessmentInputs, truth)``; the truth shares one schema
(``targeting_share``, ``effects``, ``effect_weeks``, ``claims``, ``islamic_state_group``,
``pre_trend``, …) so that one scorer judges every family:

* ``grid`` — the method's own simulator (``liaison.assess.simulate``);
* ``towns`` — ~250 real Syrian towns, precise and "near X" reports (``towns.py``);
* ``front`` — control moving along a road graph, convoys on routes (``front.py``).

``pre_trend=True`` builds a scenario whose treated places were already trending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..inputs import AssessmentInputs
from ..simulate import SimConfig, simulate_inputs
from .front import FrontConfig, FrontWorld, front, front_world
from .towns import TownsConfig, TownsWorld, towns, towns_world

__all__ = [
    "FAMILIES",
    "PRE_TREND_FAMILIES",
    "Family",
    "FrontConfig",
    "FrontWorld",
    "TownsConfig",
    "TownsWorld",
    "front",
    "front_world",
    "grid",
    "scenario",
    "towns",
    "towns_world",
]

Family = Callable[..., tuple[AssessmentInputs, dict[str, Any]]]


def grid(seed: int, *, pre_trend: bool = False) -> tuple[AssessmentInputs, dict[str, Any]]:
    """The method's own simulator (family "grid"); it has no pre-trend variant."""
    if pre_trend:
        raise ValueError("the grid family has no pre-trend scenario")
    inputs, truth, _ = simulate_inputs(SimConfig(seed=seed))
    by_party = {pid: truth["effects"] for pid in truth["targeting_share"]}
    return inputs, {**truth, "family": "grid", "pre_trend": None, "effects_by_party": by_party}


FAMILIES: dict[str, Family] = {"grid": grid, "towns": towns, "front": front}
#: Families that can build a scenario with a pre-existing trend in treated places.
PRE_TREND_FAMILIES = ("towns", "front")


def scenario(
    family: str, seed: int, *, pre_trend: bool = False
) -> tuple[AssessmentInputs, dict[str, Any]]:
    """Scenario ``seed`` of ``family`` (one of ``FAMILIES``)."""
    try:
        build = FAMILIES[family]
    except KeyError:
        known = ", ".join(FAMILIES)
        raise ValueError(f"unknown scenario family {family!r} (known: {known})") from None
    return build(seed, pre_trend=pre_trend)
