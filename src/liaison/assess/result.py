"""The assessment result and its canonical JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

__all__ = ["AssessmentResult", "canonical"]


def canonical(value: Any, digits: int) -> Any:
    """``value`` with numpy types made plain, floats rounded, NaN and infinities as null."""
    if isinstance(value, dict):
        return {str(k): canonical(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v, digits) for v in value]
    if isinstance(value, np.ndarray):
        return [canonical(v, digits) for v in value.tolist()]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            return None
        r = round(f, digits)
        return 0.0 if r == 0 else r
    return value


@dataclass(frozen=True)
class AssessmentResult:
    """An assessment: ``data`` follows the schema of docs/method.md (plain JSON values)."""

    data: dict[str, Any]

    def to_json_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, rounded floats; same inputs and parameters, same bytes."""
        return orjson.dumps(self.data, option=orjson.OPT_SORT_KEYS) + b"\n"

    @property
    def messages(self) -> list[dict[str, str]]:
        """Warnings and notes of the run."""
        return list(self.data["messages"])

    def targeting_share(self, party: str, group: str) -> dict[str, Any]:
        """The targeting row of ``party`` for ``group`` (ids)."""
        for row in self.data["targeting"]:
            if row["party"] == party:
                for g in row.get("groups", []):
                    if g["group"] == group:
                        return dict(g)
        raise KeyError(f"no targeting share for {party} × {group}")

    def effect(self, party: str, category: str, outcome: str) -> dict[str, Any]:
        """The strike-effect row of ``party`` × ``category`` on ``outcome``."""
        for row in self.data["effects"]:
            key = (row["party"], row["target_category"], row["outcome"])
            if key == (party, category, outcome):
                return dict(row)
        raise KeyError(f"no strike effect for {party} × {category} on {outcome}")

    def corroboration(self, party: str) -> dict[str, Any]:
        """The corroboration row of ``party``."""
        for row in self.data["corroboration"]:
            if row["party"] == party:
                return dict(row)
        raise KeyError(f"no corroboration for {party}")
