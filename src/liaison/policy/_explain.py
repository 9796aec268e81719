"""``explain``: which rule released a record to a partner, or why none did."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from liaison.records import LOCAL_ONLY_KINDS, RecordIndex

from ._decide import Decision, decide
from ._model import Policies
from ._select import DesignationLookup, mismatch

__all__ = ["Explanation", "explain"]


@dataclass(frozen=True, slots=True)
class Explanation:
    """The decision for one record and partner, with the verdict of each rule tried."""

    partner: str
    object_id: str
    decision: Decision
    trace: tuple[tuple[str, str], ...]

    @property
    def released(self) -> bool:
        """Whether the partner receives the record now."""
        return self.decision.released

    def __str__(self) -> str:
        d = self.decision
        lines = [f"{self.object_id} to {self.partner}: {d.reason}"]
        lines += [f"  {label}: {verdict}" for label, verdict in self.trace]
        if d.obj is not None:
            lines.append("as released:")
            lines.append(json.dumps(d.obj, indent=2, sort_keys=True, ensure_ascii=False))
        return "\n".join(lines)


def explain(
    policies: Policies,
    partner: str,
    obj: Mapping[str, Any],
    index: RecordIndex,
    *,
    now_ms: int,
    originator_is_self: bool,
    designation_of: DesignationLookup,
) -> Explanation:
    """``decide``, plus each rule's verdict up to the one that decided."""
    decision = decide(
        policies,
        partner,
        obj,
        index,
        now_ms=now_ms,
        originator_is_self=originator_is_self,
        designation_of=designation_of,
    )
    trace: list[tuple[str, str]] = []
    policy = policies.get(partner)
    if policy is not None and index.kind not in LOCAL_ONLY_KINDS:
        for rule in policy.rules:
            why = mismatch(rule, obj, index, designation_of)
            trace.append((f"rule {rule.label!r}", why or "matches"))
            if why is None:
                break
    return Explanation(
        partner=partner, object_id=str(obj.get("id")), decision=decision, trace=tuple(trace)
    )
