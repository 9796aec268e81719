"""Rule selectors: does a rule select a record, and if not, why not."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from liaison.records import RecordIndex, format_timestamp

from ._model import Rule

__all__ = ["DesignationLookup", "mismatch"]

#: ``designation_of(group_id)``: this node's designation status of a group, or ``None``.
DesignationLookup = Callable[[str], str | None]


def _window(start: int | None, end: int | None) -> str:
    def fmt(ms: int | None) -> str:
        return "…" if ms is None else format_timestamp(ms)

    return f"{fmt(start)} – {fmt(end)}"


def mismatch(
    rule: Rule,
    obj: Mapping[str, Any],
    index: RecordIndex,
    designation_of: DesignationLookup,
) -> str | None:
    """``None`` when every selector of ``rule`` holds for the record, else the first that fails.

    Selectors are AND-ed; a selector on something the record does not have (a group,
    a point, a time window) does not hold.
    """
    if rule.kinds is not None and index.kind not in rule.kinds:
        return f"kind {index.kind!r} is not selected"
    group = index.group_ref
    if rule.groups is not None:
        if group is None:
            return "the record has no group (the rule selects groups)"
        if group not in rule.groups:
            return f"group {group} is not selected"
    if rule.designation is not None:
        if group is None:
            return "the record has no group (the rule selects designations)"
        status = designation_of(group) or "none"
        if status not in rule.designation:
            wanted = ", ".join(sorted(rule.designation))
            return f"group {group} is designated {status!r} here, not {wanted}"
    if rule.area is not None:
        lat, lon = index.latitude, index.longitude
        if lat is None or lon is None:
            return "the record has no point location (the rule selects an area)"
        if not rule.area.contains(lat, lon):
            return f"the point ({lat}, {lon}) is outside the area ({rule.area})"
    if rule.since_ms is not None or rule.until_ms is not None:
        start, end = index.time_start_ms, index.time_end_ms
        if start is None and end is None:
            return "the record has no time window (the rule selects a period)"
        low = start if start is not None else -(2**63)
        high = end if end is not None else 2**63
        if (rule.since_ms is not None and high < rule.since_ms) or (
            rule.until_ms is not None and low > rule.until_ms
        ):
            return (
                f"the record's time ({_window(start, end)}) is outside the period "
                f"({_window(rule.since_ms, rule.until_ms)})"
            )
    if rule.markings is not None:
        refs = obj.get("object_marking_refs") or ()
        if not any(ref in rule.markings for ref in refs):
            return "the record carries none of the selected markings"
    return None
