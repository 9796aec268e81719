"""The method's parameters: one frozen value, every field explicit and serialisable."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["METHOD_VERSION", "Params"]

#: Version of the method; recorded in every assessment. Bump on any change of figures.
METHOD_VERSION = "liaison-assess/2.10.0"


@dataclass(frozen=True, slots=True)
class Params:
    """Every parameter of the method (see docs/method.md for the meaning of each).

    Grades index the admiralty code: ``reliability_weights`` are for A…F,
    ``credibility_weights`` for 1…6.
    """

    # space and time
    resolution: int = 6
    # presence
    presence_threshold: float = 0.5
    presence_half_life_weeks: float = 3.0
    presence_max_lag_weeks: int = 8
    presence_evidence_scale: float = 0.25
    presence_max_spread_rings: int = 4
    presence_floor_m: float = 1_500.0
    location_prior_floor: float = 0.01
    control_log_odds: float = 2.0
    control_switch_per_week: float = 0.05
    # presence (method 2.6.0): a place whose evidence names a third group is fought over
    control_contested_from: float = 0.05
    control_contested_span: float = 0.2
    control_contested_prior: float = 1.0
    # presence (method 2.8.0): a week's vote counts in proportion to its evidence, in
    # full from about this many times the median weekly evidence (0: every week in full)
    control_vote_saturation: float = 0.5
    weight_control: float = 1.0
    weight_sighting: float = 0.8
    weight_movement: float = 0.5
    weight_event: float = 0.6
    reliability_weights: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4, 0.2, 0.5)
    credibility_weights: tuple[float, ...] = (1.0, 0.8, 0.6, 0.4, 0.2, 0.5)
    ungraded_reliability_weight: float = 0.7
    ungraded_credibility_weight: float = 0.7
    max_precision_m: float = 50_000.0
    # presence (method 2.1.0): a group's convoys and traffic observed
    # on a road are evidence of the group there
    weight_logistics: float = 0.5
    # group state
    trend_window_weeks: int = 8
    # targeting share: sensitivity over the floor and the evidence scale
    targeting_max_tolerance_rings: int = 4
    sensitivity_tolerances_m: tuple[float, ...] = (1_500.0, 3_000.0, 6_000.0)
    sensitivity_scales: tuple[float, ...] = (0.5, 1.0, 2.0)
    # targeting (method 2.1.0): the field rebuilt without each of
    # this many groups of evidence records gives the share's evidence uncertainty
    evidence_jackknife_groups: int = 4
    # targeting (method 2.9.0): a strike where a group's P lies in [this, 1 − this) may
    # or may not have hit it; the interval spans both, with the bounds' own sampling
    # error (2.10.0) (0.5: each strike on its likeliest group)
    targeting_plausible: float = 0.1
    # strike effects
    effect_window_weeks: int = 4
    effect_bin_weeks: int = 4
    effect_horizon_weeks: int = 12
    effect_lead_weeks: int = 4
    effect_max_precision_m: float = 5_000.0
    effect_min_treated: int = 10
    effect_control_cells: int = 1_000
    effect_max_cells: int = 6_000
    # strike effects: strikes less precise than effect_max_precision_m
    # (up to max_precision_m) spread over their location posterior as fractional exposure
    effect_spread_imprecise: bool = False
    # method 2.3.0: a coarse report seen by another source is placed where it was seen
    effect_place_by_observation: bool = True
    # method 2.4.0: a place struck again in a category by another party is not struck
    # twice over: the weeks since the category's latest strike by any party, attributed
    # to the parties whose strikes it was
    effect_latest_any_party: bool = True
    # method 2.5.0: logistics are read where they were reported: a cell-week with no
    # logistics record is unobserved, not a count of zero traffic (the intensive margin)
    effect_logistics_reported_only: bool = True
    # … a cell-week within this many weeks of a logistics record there counts as watched
    effect_logistics_reported_within_weeks: int = 1
    # strike effects (method 2.2.0): the group holding the cell that week enters the
    # regression (one indicator per group), and the covariance is clustered on the
    # cells' H3 parents at this resolution (the grid's resolution or finer: each cell)
    effect_holder_covariates: bool = True
    effect_cluster_resolution: int = 5
    # strike effects (method 2.7.0): a cell-week where a strike that could not be placed
    # on a cell (its report too coarse, nobody saw it) may have landed — location
    # posterior mass ≥ effect_unplaced_mass over the last effect_unplaced_weeks weeks —
    # is neither struck nor a clean control: it is left out (0 weeks: kept)
    effect_unplaced_mass: float = 0.1
    effect_unplaced_weeks: int = 6
    # corroboration and harm
    corroboration_radius_m: float = 10_000.0
    corroboration_days: float = 7.0
    #: (party id, word, level) entries: how a party's claim words map to the levels
    claim_vocabularies: tuple[tuple[str, str, str], ...] = ()
    harm_radius_m: float = 10_000.0
    harm_days: float = 3.0
    # claims: observers weighed by their agreement (latent classes)
    #: pseudo-observations, × the observer's mean grading weight, that an observer is right
    claims_observer_prior: float = 100.0
    #: observers are weighed when two disagree beyond this z (else all count alike)
    claims_disagreement_z: float = 3.0
    # inference and output
    bootstrap_replicates: int = 400
    bootstrap_seed: int = 20151201
    confidence_level: float = 0.95
    float_digits: int = 6
    max_dense_size: int = 400_000_000

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError("invalid parameters: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every parameter (tuples as lists)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "claim_vocabularies":
                out[f.name] = [list(v) for v in value]
            else:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Params:
        """Parameters from a dict such as ``to_dict()`` wrote; unknown keys are refused."""
        names = {f.name: f for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(unknown)}")
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            default = getattr(cls(), key)
            if key == "claim_vocabularies":
                kwargs[key] = tuple(tuple(str(x) for x in v) for v in value)
            elif isinstance(default, tuple):
                kwargs[key] = tuple(float(v) for v in value)
            elif isinstance(default, bool):
                kwargs[key] = bool(value)
            elif isinstance(default, int):
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(f"parameter {key} must be an integer, got {value}")
                kwargs[key] = int(value)
            else:
                kwargs[key] = float(value)
        return cls(**kwargs)


def _problems(p: Params) -> list[str]:
    out: list[str] = []
    if not 0 <= p.resolution <= 15:
        out.append("resolution must be 0…15")
    if not 0 <= p.effect_cluster_resolution <= 15:
        out.append("effect_cluster_resolution must be 0…15")
    for name in ("presence_threshold", "confidence_level"):
        if not 0.0 < getattr(p, name) < 1.0:
            out.append(f"{name} must be in (0, 1)")
    levels = ("destroyed", "damaged", "struck", "missed")
    if any(len(v) != 3 or v[2] not in levels for v in p.claim_vocabularies):
        out.append(
            "claim_vocabularies entries are (party, word, level) with a level of "
            + ", ".join(levels)
        )
    if not 0.0 < p.control_switch_per_week < 1.0:
        out.append("control_switch_per_week must be in (0, 1)")
    if not 0.0 <= p.control_contested_from <= 1.0 or p.control_contested_prior < 0.0:
        out.append("control_contested_from must be in [0, 1], control_contested_prior ≥ 0")
    if not 0.0 < p.targeting_plausible <= 0.5:
        out.append("targeting_plausible must be in (0, 0.5] (0.5: no strike is ambiguous)")
    if not 0.0 <= p.control_vote_saturation <= 100.0:
        out.append("control_vote_saturation must be in [0, 100]")
    if any(t < 0 for t in p.sensitivity_tolerances_m) or p.presence_floor_m < 0:
        out.append("presence_floor_m and sensitivity_tolerances_m must be ≥ 0")
    if any(not s > 0 for s in p.sensitivity_scales):
        out.append("sensitivity_scales must be > 0")
    if len(p.reliability_weights) != 6 or len(p.credibility_weights) != 6:
        out.append("reliability_weights and credibility_weights need 6 values (A…F, 1…6)")
    weights = (
        *p.reliability_weights,
        *p.credibility_weights,
        p.weight_control,
        p.weight_sighting,
        p.weight_movement,
        p.weight_event,
        p.weight_logistics,
        p.ungraded_reliability_weight,
        p.ungraded_credibility_weight,
    )
    if any(not 0.0 <= w <= 1.0 for w in weights):
        out.append("weights must be in [0, 1]")
    positive = (
        "presence_half_life_weeks",
        "presence_evidence_scale",
        "control_log_odds",
        "control_contested_span",
        "location_prior_floor",
        "max_precision_m",
        "corroboration_radius_m",
        "corroboration_days",
        "harm_radius_m",
        "harm_days",
        "effect_max_precision_m",
        "effect_unplaced_mass",
        "claims_observer_prior",
        "claims_disagreement_z",
    )
    out.extend(f"{n} must be > 0" for n in positive if not getattr(p, n) > 0)
    at_least_one = (
        "trend_window_weeks",
        "effect_window_weeks",
        "effect_bin_weeks",
        "effect_horizon_weeks",
        "effect_lead_weeks",
        "effect_min_treated",
        "effect_control_cells",
        "effect_max_cells",
        "bootstrap_replicates",
        "float_digits",
    )
    out.extend(f"{n} must be ≥ 1" for n in at_least_one if getattr(p, n) < 1)
    if not 0 <= p.effect_unplaced_weeks <= 52:
        out.append("effect_unplaced_weeks must be 0…52")
    for n in (
        "presence_max_lag_weeks",
        "presence_max_spread_rings",
        "targeting_max_tolerance_rings",
        "evidence_jackknife_groups",
    ):
        if not 0 <= getattr(p, n) <= 10:
            out.append(f"{n} must be 0…10")
    return out
