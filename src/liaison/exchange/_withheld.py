"""Release decisions read back: why one record does or does not reach a partner
(``explain_release``), and what a node keeps from a partner, counted by kind and
reason (``withheld``). Both take the same decisions as the release table."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from liaison.exchange._policy import designations, node_policies
from liaison.policy import Explanation, decide, explain
from liaison.store import Query, StoredVersion
from liaison.store.exchange import ReleaseRow, latest_release

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


@dataclass(frozen=True, slots=True)
class ReleaseExplanation:
    """Why a record is (or is not) released to a partner, and what its table holds."""

    explanation: Explanation
    served: ReleaseRow | None


def explain_release(node: Node, version: StoredVersion, partner: str) -> ReleaseExplanation:
    """The rule that releases ``version`` to ``partner`` (and the object as released),
    or why none does; and the partner's current row for the record, if any."""
    result = explain(
        node_policies(node),
        partner,
        orjson.loads(version.body),
        version.index,
        now_ms=node.clock.now_ms(),
        originator_is_self=version.received_from is None,
        designation_of=designations(node),
    )
    return ReleaseExplanation(result, latest_release(node.store, partner, version.index.id))
