"""Settling one chunk of stored versions against partners' tables.

For each partner and each version the chunk holds, `decide_version` says what the
partner may have now; the partner's table is brought to exactly that: a version
allowed and not served is added, one served in another form is re-rendered in
place (same position: nothing is served twice), one no longer allowed — denied,
or now held back by a delay — is withdrawn, and delayed versions are remembered.
All of it for one chunk happens in the caller's transaction, reading the table
in that transaction: settling is idempotent, whoever runs it and however often.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from liaison.audit import journal
from liaison.crypto import EXT_SIGNATURE, sign_objects, strip_signature
from liaison.release._decide import decide_version
from liaison.release._state import ReleaseState
from liaison.store import NewRelease, Query, ReleaseChanges, ServedVersion, StoredVersion, Writer

if TYPE_CHECKING:
    from liaison.node import Node

Earlier = dict[str, list[tuple[StoredVersion, dict[str, Any]]]]


@dataclass
class ReleaseReport:
    """What one materialisation did."""

    released: dict[str, int] = field(default_factory=dict)
    revoked: int = 0
    delayed: int = 0
    withdrawn: int = 0
    rerendered: int = 0
    scanned: int = 0
    policy_changed: bool = False
    withdrawn_by_partner: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.released.values())


@dataclass
class _Plan:
    add: list[tuple[dict[str, Any], str, bool]] = field(default_factory=list)
    replace: list[tuple[dict[str, Any], str, bool]] = field(default_factory=list)
    withdraw: list[tuple[str, str]] = field(default_factory=list)
    delay: list[tuple[str, str, int]] = field(default_factory=list)
    undelay: list[tuple[str, str]] = field(default_factory=list)


def earlier_versions(node: Node, chunk: Sequence[StoredVersion]) -> Earlier:
    """Every stored version of the chunk's revoked records, oldest first (one query)."""
    ids = tuple(sorted({v.index.id for v in chunk if v.index.revoked}))
    out: Earlier = {}
    if not ids:
        return out
    for v in node.store.query(Query(ids=ids, latest_only=False)):
        out.setdefault(v.index.id, []).append((v, orjson.loads(v.body)))
    for versions in out.values():
        versions.sort(key=lambda item: item[0].index.modified)
    return out


def settle(
    node: Node,
    tx: Writer,
    state: ReleaseState,
    partners: Sequence[str],
    chunk: Sequence[StoredVersion],
    report: ReleaseReport,
) -> None:
    """Bring each partner's table to what ``state`` allows of the chunk's versions
    (inside ``tx``: the caller's transaction, which holds the store's write lock)."""
    if not chunk or not partners:
        return
    objs = [orjson.loads(v.body) for v in chunk]
    earlier = earlier_versions(node, chunk)
    ids = [v.index.id for v in chunk]
    audit: list[tuple[str, str, dict[str, Any]]] = []
    for name in partners:
        existing = node.store.exchange.served_versions(name, ids)
        pending = node.store.exchange.pending_of(name, ids)
        plan = _plan(state, name, chunk, objs, earlier, existing, pending)
        audit += _write(node, name, plan, existing, report)
    if audit:
        journal.append(node.store, tx, node.key, audit, node.now())


def _plan(
    state: ReleaseState,
    partner: str,
    chunk: Sequence[StoredVersion],
    objs: Sequence[dict[str, Any]],
    earlier: Earlier,
    existing: Mapping[tuple[str, str], ServedVersion],
    pending: Mapping[tuple[str, str], int],
) -> _Plan:
    plan = _Plan()
    for v, obj in zip(chunk, objs, strict=True):
        ix = v.index
        key = (ix.id, ix.modified)
        d = decide_version(state, partner, v, obj, earlier.get(ix.id, ()))
        served = existing.get(key)
        at = None if d.released else d.release_at_ms
        if d.released and d.obj is not None:
            if served is None:
                plan.add.append((d.obj, d.rule or "", ix.revoked))
            elif strip_signature(orjson.loads(served.body)) != d.obj:
                plan.replace.append((d.obj, d.rule or "", ix.revoked))
        elif served is not None:
            plan.withdraw.append(key)
        was = pending.get(key)
        if was is not None and was != at:
            plan.undelay.append(key)
        if at is not None and was != at:
            plan.delay.append((ix.id, ix.modified, at))
    return plan


def _write(
    node: Node,
    partner: str,
    plan: _Plan,
    existing: dict[tuple[str, str], ServedVersion],
    report: ReleaseReport,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Sign and store one partner's plan; the audit entries it makes."""
    store = node.store
    store.exchange.drop_pending(partner, plan.undelay)
    store.exchange.put_pending(partner, plan.delay)
    report.delayed += len(plan.delay)
    items = [*plan.add, *plan.replace]
    signed = sign_objects(node.key, [o for o, _, _ in items]) if items else []
    news = [
        NewRelease(s["id"], s["modified"], s["type"], revoked, rule, orjson.dumps(s))
        for s, (_, rule, revoked) in zip(signed, items, strict=True)
    ]
    added, replaced = news[: len(plan.add)], news[len(plan.add) :]
    if not news and not plan.withdraw:
        return []
    changes = ReleaseChanges(existing, add=added, replace=replaced, withdraw=plan.withdraw)
    first, last, _ = store.exchange.write_releases(partner, changes, node.clock.now_ms() * 1000)
    audit: list[tuple[str, str, dict[str, Any]]] = []
    if news:
        seal = signed[0]["extensions"][EXT_SIGNATURE]
        detail: dict[str, Any] = {
            "count": len(news),
            "root": seal["root"],
            "first": news[0].id,
            "last": news[-1].id,
        }
        if added:
            detail["seq"] = [first, last]
        if replaced:
            detail["rerendered"] = len(replaced)
        revocations = sum(1 for r in added if r.revoked)
        if revocations:
            detail["revocations"] = revocations
        audit.append(("release", partner, detail))
        report.released[partner] = report.released.get(partner, 0) + len(added)
        report.revoked += revocations
        report.rerendered += len(replaced)
    if plan.withdraw:
        gone = sorted(plan.withdraw)
        audit.append(("withdraw", partner, {"count": len(gone), "first": gone[0][0],
                                            "last": gone[-1][0]}))  # fmt: skip
        report.withdrawn += len(gone)
        by = report.withdrawn_by_partner
        by[partner] = by.get(partner, 0) + len(gone)
    return audit
