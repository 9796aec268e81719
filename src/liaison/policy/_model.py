"""The compiled form of release policies: partners, rules, areas (all immutable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ._geo import distance_m, in_cells

__all__ = ["DESIGNATION_VALUES", "Area", "PartnerPolicy", "Policies", "Rule"]

#: Values of the ``designation`` selector: a designation status, or ``none`` for a
#: group this node has not designated.
DESIGNATION_VALUES: tuple[str, ...] = (
    "terrorist",
    "armed-opposition",
    "state-force",
    "other",
    "none",
)


@dataclass(frozen=True, slots=True)
class Area:
    """An area selector: exactly one of a bounding box, a disc, or a set of H3 cells.

    ``bbox`` is ``(lat_min, lon_min, lat_max, lon_max)``; a box whose ``lon_min`` is
    greater than ``lon_max`` crosses the antimeridian. ``near`` is
    ``(lat, lon, km)``. ``cells`` groups the H3 cells (strings) by resolution.
    """

    bbox: tuple[float, float, float, float] | None = None
    near: tuple[float, float, float] | None = None
    cells: Mapping[int, frozenset[str]] | None = None

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point ``(lat, lon)`` is in the area."""
        if self.bbox is not None:
            lat_min, lon_min, lat_max, lon_max = self.bbox
            if not lat_min <= lat <= lat_max:
                return False
            if lon_min <= lon_max:
                return lon_min <= lon <= lon_max
            return lon >= lon_min or lon <= lon_max
        if self.near is not None:
            c_lat, c_lon, km = self.near
            return distance_m(lat, lon, c_lat, c_lon) <= km * 1000.0
        if self.cells is not None:
            return in_cells(lat, lon, self.cells)
        return False

    def __str__(self) -> str:
        if self.bbox is not None:
            return "bbox [{}, {}, {}, {}]".format(*self.bbox)
        if self.near is not None:
            return "within {2} km of ({0}, {1})".format(*self.near)
        count = sum(len(g) for g in (self.cells or {}).values())
        return f"{count} H3 cell(s)"


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule: selectors (``None`` = not constrained) and transformations.

    ``until_ms`` is inclusive. ``resolution`` is the H3 resolution ``coarsen_m``
    snaps to. ``index`` is the rule's position in its partner's list.
    """

    index: int
    name: str | None = None
    kinds: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    designation: frozenset[str] | None = None
    area: Area | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    markings: frozenset[str] | None = None
    coarsen_m: float | None = None
    resolution: int | None = None
    delay_ms: int = 0
    drop_fields: frozenset[str] = frozenset()
    strip_sources: bool = False
    allow_onward: bool = False

    @property
    def label(self) -> str:
        """The rule's name, or ``rules[i]`` when it has none."""
        return self.name if self.name is not None else f"rules[{self.index}]"

    @property
    def transforms(self) -> bool:
        """Whether the rule changes the object (beyond removing a signature)."""
        return bool(
            self.coarsen_m is not None
            or self.drop_fields
            or self.strip_sources
            or self.allow_onward
        )


@dataclass(frozen=True, slots=True)
class PartnerPolicy:
    """A partner's rules, in the order they are tried."""

    name: str
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, slots=True)
class Policies:
    """Every partner's policy, as loaded from ``source``. A partner not listed gets nothing."""

    partners: Mapping[str, PartnerPolicy] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "liaison.toml"

    def get(self, partner: str) -> PartnerPolicy | None:
        """The policy of ``partner``, or ``None`` when there is none (deny everything)."""
        return self.partners.get(partner)
