"""Release decisions read back: why one version does or does not reach a partner
(``explain_release``), and what the node keeps from a partner, counted by kind and
reason (``withheld``). Both call `decide_version`, as the table does, so the three
never disagree."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from liaison.policy import Explanation
from liaison.release._decide import decide_version, explain_version
from liaison.release._state import release_state
from liaison.store import Query, ReleaseRow, StoredVersion

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = ["ReleaseExplanation", "Withheld", "explain_release", "withheld"]


@dataclass(frozen=True, slots=True)
class Withheld:
    """``count`` records of ``kind`` not released to a partner, for ``reason``."""

    kind: str
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class ReleaseExplanation:
    """Why a version is (or is not) released to a partner, and the partner's row
    for that version (``None``: not in its table)."""

    explanation: Explanation
    served: ReleaseRow | None


def explain_release(node: Node, version: StoredVersion, partner: str) -> ReleaseExplanation:
    """The rule that releases ``version`` to ``partner`` (and the object as released),
    or why none does; and the partner's row for that version, if any."""
    earlier = [(v, orjson.loads(v.body)) for v in node.store.versions(version.index.id)]
    result = explain_version(
        release_state(node), partner, version, orjson.loads(version.body), earlier
    )
    row = node.store.exchange.release_row(partner, version.index.id, version.index.modified)
    return ReleaseExplanation(result, row)


def withheld(node: Node, partner: str) -> list[Withheld]:
    """Every current record this node does not release to ``partner``, grouped by
    kind and reason (delayed records count as withheld until their time comes;
    revoked records, and records that came from ``partner`` itself, are left out)."""
    state = release_state(node)
    counts: Counter[tuple[str, str]] = Counter()
    for v in node.store.query(Query(include_revoked=False)):
        if v.received_from == partner:
            continue  # the partner's own records: it has them
        decision = decide_version(state, partner, v, orjson.loads(v.body))
        if not decision.released:
            counts[(v.index.kind, decision.reason)] += 1
    return [Withheld(k, r, n) for (k, r), n in sorted(counts.items())]
