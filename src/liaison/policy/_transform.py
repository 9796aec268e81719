"""Transformations a rule applies to the STIX object it releases (pure; new dicts).

The released object is a view of the same version: ``id``, ``created`` and
``modified`` are kept; the input is never modified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from liaison.records import EXT_SIGNATURE, kind_of

from ._fields import FIELDS_OF_KIND, PROTECTED_FIELDS
from ._geo import resolution_for, snap, snap_route
from ._marking import ONWARD_RELEASE_MARKING_ID
from ._model import Rule

__all__ = ["coarsen_point", "transform"]

_MAX_EXACT = 2**53


def coarsen_point(
    lat: float, lon: float, precision: float | None, metres: float, resolution: int | None = None
) -> tuple[float, float, int | float]:
    """A point moved to its H3 cell centre, and its honest precision in metres.

    The cell is at ``resolution`` (default: ``resolution_for(metres)``), or coarser
    if its radius were below ``metres``. The true place was within ``precision``
    of the point, and the point is within the cell's radius of the centre, so the
    precision released is ``ceil(precision + radius)``, and never below ``metres``.
    """
    res = resolution_for(metres) if resolution is None else resolution
    c_lat, c_lon, radius = snap(lat, lon, res, metres)
    total = max((precision or 0) + radius, metres)
    return c_lat, c_lon, (math.ceil(total) if total < _MAX_EXACT else total)


def _coarsen(out: dict[str, Any], entry: dict[str, Any] | None, kind: str, rule: Rule) -> None:
    layout = FIELDS_OF_KIND[kind]
    metres = rule.coarsen_m
    if metres is None or not layout.has_point:
        return
    target = entry if layout.point_in_ext else out
    if target is None or "latitude" not in target or "longitude" not in target:
        return
    target["latitude"], target["longitude"], target["precision"] = coarsen_point(
        target["latitude"], target["longitude"], target.get("precision"), metres, rule.resolution
    )
    for name in layout.place_fields:
        target.pop(name, None)
    route = out.get("route")
    if route is not None:
        res = rule.resolution if rule.resolution is not None else resolution_for(metres)
        snapped = snap_route(route, res, metres)
        if snapped is None:
            del out["route"]
        else:
            out["route"] = snapped


def transform(obj: Mapping[str, Any], rule: Rule, kind: str | None = None) -> dict[str, Any]:
    """``obj`` as ``rule`` releases it.

    In order: the signature extension is removed (the releasing node signs the
    result); ``drop_fields`` are removed (top level or in the kind's property
    extension); ``strip_sources`` removes the source fields; ``coarsen_m`` snaps
    the point location (and a logistics ``route``) and drops place names;
    ``allow_onward`` adds the onward-release marking. Required and protected
    fields are never removed, so the result stays a valid record.
    """
    kind = kind or kind_of(dict(obj))
    layout = FIELDS_OF_KIND[kind]
    out = dict(obj)
    entry: dict[str, Any] | None = None
    extensions = out.get("extensions")
    if extensions is not None:
        extensions = dict(extensions)
        extensions.pop(EXT_SIGNATURE, None)
        if layout.ext_id is not None and layout.ext_id in extensions:
            entry = dict(extensions[layout.ext_id])
            extensions[layout.ext_id] = entry
        if extensions:
            out["extensions"] = extensions
        else:
            del out["extensions"]
    for name in rule.drop_fields:
        if name in PROTECTED_FIELDS or layout.required(name):
            continue
        out.pop(name, None)
        if entry is not None:
            entry.pop(name, None)
    if rule.strip_sources:
        for name in layout.source_fields:
            out.pop(name, None)
        if entry is not None:
            for name in layout.ext_source_fields:
                entry.pop(name, None)
    _coarsen(out, entry, kind, rule)
    if rule.allow_onward:
        refs = list(out.get("object_marking_refs") or ())
        if ONWARD_RELEASE_MARKING_ID not in refs:
            out["object_marking_refs"] = [*refs, ONWARD_RELEASE_MARKING_ID]
    return out
