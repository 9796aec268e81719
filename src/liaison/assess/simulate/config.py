"""Scenario configuration: groups, target categories, routes, party profiles."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "OUTCOMES",
    "ROUTES",
    "SimConfig",
    "default_inflation",
    "default_targeting",
]

#: (key, name, alias, seed latitude, seed longitude, activity factor)
GROUPS: tuple[tuple[str, str, str, float, float, float], ...] = (
    ("is", "Islamic State (simulated)", "Daesh (simulated)", 35.3, 39.6, 1.2),
    ("opp", "Free Opposition Front (simulated)", "FOF (simulated)", 36.2, 36.8, 1.0),
    ("nus", "Nusra Front (simulated)", "Al-Nusra (simulated)", 35.5, 36.4, 1.0),
    ("kur", "Kurdish Forces (simulated)", "KF (simulated)", 36.7, 40.9, 0.8),
    ("gov", "Government Forces (simulated)", "SAF (simulated)", 33.6, 36.5, 0.7),
)
#: (target category, true relative effect on activity, on logistics, aims at route cells)
CATEGORIES: tuple[tuple[str, float, float, bool], ...] = (
    ("fighting-position", -0.40, 0.0, False),
    ("headquarters", -0.50, 0.0, False),
    ("weapons-storage", -0.30, 0.0, False),
    ("building", 0.30, 0.0, False),
    ("vehicle", 0.0, 0.0, False),
    ("training-camp", 0.0, 0.0, False),
    ("oil-infrastructure", 0.0, -0.50, True),
    ("supply-route", 0.0, -0.35, True),
)
ROUTES = (  # (kind, waypoints (lat, lon))
    ("oil-trade", ((34.9, 40.6), (35.9, 39.1), (36.8, 38.3))),
    ("oil-trade", ((35.0, 40.9), (35.9, 40.2), (36.9, 40.0))),
    ("convoy", ((35.9, 39.0), (35.2, 38.0), (34.6, 36.9))),
    ("supply-route", ((36.6, 37.1), (36.0, 37.8), (35.9, 38.9))),
    ("convoy", ((33.6, 36.4), (34.7, 36.8), (35.1, 37.9))),
    ("oil-trade", ((34.4, 40.2), (35.1, 39.0), (34.9, 37.6))),
    ("supply-route", ((36.4, 38.4), (35.6, 38.6), (34.8, 38.9))),
    ("convoy", ((33.2, 37.0), (33.9, 38.3), (34.5, 39.6))),
)


@dataclass(frozen=True)
class SimConfig:
    """What varies between scenarios; everything else follows from ``seed``."""

    seed: int
    weeks: int = 52
    parties: tuple[str, ...] = ("A", "B")
    strikes_per_party: int = 1500
    start_ms: int = 1_443_398_400_000  # Monday 2015-09-28 00:00 UTC
    bbox: tuple[float, float, float, float] = (32.5, 36.0, 37.0, 41.5)
    district_deg: float = 0.25
    hot_share: float = 0.3
    effect_weeks: int = 8
    targeting: dict[str, dict[str, float]] = field(default_factory=dict)
    inflation: dict[str, float] = field(default_factory=dict)
    #: party key -> an existing identity id to report as (a node's own party);
    #: the bundles then carry no identity object for that party.
    identities: dict[str, str] = field(default_factory=dict)


#: true outcome of a strike and its probability; the first two count as success
OUTCOMES: tuple[tuple[str, float], ...] = (
    ("destroyed", 0.30),
    ("damaged", 0.25),
    ("struck", 0.30),
    ("missed", 0.15),
)


def default_targeting(parties: tuple[str, ...]) -> dict[str, dict[str, float]]:
    """Targeting propensities: the first party ~90 % on IS, the second ~15 %."""
    profiles = (
        {"is": 0.90, "nus": 0.05, "opp": 0.02, "none": 0.03},
        {"is": 0.15, "opp": 0.50, "nus": 0.25, "none": 0.10},
        {"is": 0.50, "nus": 0.30, "kur": 0.05, "none": 0.15},
    )
    return {p: profiles[min(i, len(profiles) - 1)] for i, p in enumerate(parties)}


def default_inflation(parties: tuple[str, ...]) -> dict[str, float]:
    """Claim inflation: the second party upgrades 40 % of its failed strikes to successes."""
    return {p: (0.4 if i == 1 else 0.0) for i, p in enumerate(parties)}
