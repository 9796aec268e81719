"""Assessment results as ``liaison-assessment`` STIX objects (docs/records.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .extensions import extension_id
from .result import AssessmentResult

__all__ = ["SECTIONS", "assessment_objects"]

#: assessment_type → result sections it carries
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("group-state", ("group_state",)),
    ("targeting-share", ("targeting",)),
    ("strike-effect", ("effects",)),
    ("corroboration", ("corroboration", "harm")),
    ("designations", ("designations",)),
)


def _ms_stamp(ms: int) -> str:
    from datetime import UTC, datetime

    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def _subjects(data: dict[str, Any], assessment_type: str) -> list[str]:
    groups = [g["id"] for g in data["groups"]]
    parties = [p["id"] for p in data["parties"]]
    if assessment_type == "group-state":
        refs = [s["group"] for s in data["group_state"]]
    elif assessment_type == "designations":
        refs = [*data["designations"]["parties"], *groups]
    else:
        key = "targeting" if assessment_type == "targeting-share" else "corroboration"
        refs = [r["party"] for r in data[key]] if assessment_type != "strike-effect" else parties
        if assessment_type == "targeting-share":
            refs += groups
    return list(dict.fromkeys(refs))


def assessment_objects(
    result: AssessmentResult,
    created_by_ref: str,
    *,
    id_factory: Callable[[str], str],
    now: str | int,
) -> list[dict[str, Any]]:
    """One ``liaison-assessment`` object per part of the method.

    ``id_factory(stix_type)`` returns a new id ``TYPE--UUID``; ``now`` is the
    ``created``/``modified`` time (STIX timestamp, or epoch milliseconds).
    """
    stamp = _ms_stamp(now) if isinstance(now, int) else now
    data = result.data
    out = []
    for assessment_type, sections in SECTIONS:
        results = {name: data[name] for name in sections}
        results["messages"] = data["messages"]
        results["period"] = data["period"]
        obj: dict[str, Any] = {
            "type": "liaison-assessment",
            "spec_version": "2.1",
            "id": id_factory("liaison-assessment"),
            "created": stamp,
            "modified": stamp,
            "created_by_ref": created_by_ref,
            "assessment_type": assessment_type,
            "period_start": _ms_stamp(int(data["period"]["start"])),
            "period_end": _ms_stamp(int(data["period"]["end"])),
            "method_version": data["method_version"],
            "parameters": data["parameters"],
            "results": results,
            "inputs_digest": data["inputs_digest"],
            "extensions": {extension_id("assessment"): {"extension_type": "new-sdo"}},
        }
        subjects = _subjects(data, assessment_type)
        if subjects:
            obj["subject_refs"] = subjects
        out.append(obj)
    return out
