"""What a node keeps from a partner, and why: the same decisions as the release
table, counted by record kind and reason (for `liaison release withheld` and the demo)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from liaison.exchange._policy import designations, node_policies
from liaison.policy import decide
from liaison.store import Query

if TYPE_CHECKING:
    from liaison.node import Node


@dataclass(frozen=True, slots=True)
class Withheld:
    """``count`` records of ``kind`` not released to a partner, for ``reason``."""

    kind: str
    reason: str
    count: int


def withheld(node: Node, partner: str) -> list[Withheld]:
    """Every current record this node does not release to ``partner``, grouped by
    kind and reason (delayed records count as withheld until their time comes;
    records that came from ``partner`` itself are left out)."""
    policies = node_policies(node)
    designation_of = designations(node)
    now_ms = node.clock.now_ms()
    counts: Counter[tuple[str, str]] = Counter()
    for v in node.store.query(Query(include_revoked=False)):
        if v.index.id == node.party_id or v.received_from == partner:
            continue  # own identity: always sent; the partner's own records: it has them
        decision = decide(
            policies,
            partner,
            orjson.loads(v.body),
            v.index,
            now_ms=now_ms,
            originator_is_self=v.received_from is None,
            designation_of=designation_of,
        )
        if not decision.released:
            counts[(v.index.kind, decision.reason)] += 1
    return [Withheld(k, r, n) for (k, r), n in sorted(counts.items())]
