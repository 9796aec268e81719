"""A node's linkage settings per partner, from ``liaison.toml``::

    [linkage.partners.ru]
    oprf_budget = 50000          # token evaluations ru may ask of this node per window
    oprf_window = "24h"
    disclose = ["names", "date_of_birth", "nationalities"]   # default: nothing

The disclosure list is this node's policy for person records matched by that
partner: what an approved request releases (default deny: nothing). It lives
apart from the release rules, so no release rule can ever name a person record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from liaison.linkage._errors import LinkageError
from liaison.policy import parse_duration

if TYPE_CHECKING:
    from liaison.node import Node

DEFAULT_BUDGET: Final = 50_000
DEFAULT_WINDOW_MS: Final = 24 * 3600 * 1000
#: Person fields a disclosure may carry (the rest never leave).
DISCLOSABLE: Final = (
    "names",
    "aliases",
    "date_of_birth",
    "sex",
    "nationalities",
    "place_of_birth",
    "affiliation_ref",
    "last_known_country",
    "last_known_place",
    "last_known_date",
    "status",
)


@dataclass(frozen=True, slots=True)
class PartnerSettings:
    budget: int = DEFAULT_BUDGET
    window_ms: int = DEFAULT_WINDOW_MS
    disclose: tuple[str, ...] = ()


def settings(node: Node, partner: str) -> PartnerSettings:
    """The linkage settings for ``partner`` (defaults when none are written)."""
    from liaison.node import CONFIG_NAME, read_config

    where = f"{node.root / CONFIG_NAME}: [linkage.partners.{partner}]"
    raw = read_config(node.root).raw.get("linkage", {})
    section = raw.get("partners", {}).get(partner, {}) if isinstance(raw, dict) else {}
    if not isinstance(section, dict):
        raise LinkageError(f"{where} must be a table")
    extra = sorted(set(section) - {"oprf_budget", "oprf_window", "disclose"})
    if extra:
        raise LinkageError(f"{where}: unknown key {extra[0]!r}")
    budget = section.get("oprf_budget", DEFAULT_BUDGET)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 0:
        raise LinkageError(f"{where}: oprf_budget must be a whole number ≥ 0")
    window = section.get("oprf_window")
    try:
        window_ms = DEFAULT_WINDOW_MS if window is None else parse_duration(str(window))
    except ValueError as exc:
        raise LinkageError(f"{where}: oprf_window: {exc}") from exc
    disclose = section.get("disclose", [])
    if not isinstance(disclose, list) or not all(isinstance(f, str) for f in disclose):
        raise LinkageError(f"{where}: disclose must be a list of field names")
    bad = [f for f in disclose if f not in DISCLOSABLE]
    if bad:
        raise LinkageError(
            f"{where}: disclose: {bad[0]!r} is not a person field ({', '.join(DISCLOSABLE)})"
        )
    return PartnerSettings(budget, window_ms, tuple(disclose))
