"""Release materialisation: per-partner rows of signed, transformed objects.

``materialise_releases(node)`` brings every partner's release table up to date:
records stored since the last run, delayed releases now due, and — when the
policies or the partner registry changed — a full re-evaluation (audited as
``policy-change``; rows a partner may no longer read are withdrawn). Revoked
records propagate to every partner that had them. Each partner's batch is signed
once (a Merkle seal, each object carrying its proof), stored as the exact bytes
served, and audited as one ``release`` entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from liaison.audit import journal
from liaison.crypto import EXT_SIGNATURE, sign_objects
from liaison.exchange._policy import designations, node_policies, policies_fingerprint
from liaison.policy import DesignationLookup, Policies, decide, revocation
from liaison.store import Query, StoredVersion
from liaison.store import exchange as rows
from liaison.store.exchange import NewRelease, PartnerRow

if TYPE_CHECKING:
    from liaison.node import Node

BATCH = 5000
_WATERMARK = "release_rid"
_FINGERPRINT = "release_policy"
SELF_IDENTITY_RULE = "own-identity"


@dataclass
class ReleaseReport:
    """What one materialisation did."""

    released: dict[str, int] = field(default_factory=dict)
    revoked: int = 0
    delayed: int = 0
    withdrawn: int = 0
    scanned: int = 0
    policy_changed: bool = False

    @property
    def total(self) -> int:
        return sum(self.released.values())


@dataclass
class _Work:
    """Everything one chunk of records produces, written in one transaction."""

    out: dict[str, list[tuple[dict[str, Any], str, bool]]] = field(default_factory=dict)
    pending: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    undelay: list[tuple[str, str]] = field(default_factory=list)
    keep: dict[str, set[str]] = field(default_factory=dict)


def materialise_releases(
    node: Node,
    *,
    policies: Policies | None = None,
    full: bool = False,
    batch_size: int = BATCH,
) -> ReleaseReport:
    """Bring every partner's release table up to date (see the module doc)."""
    store = node.store
    report = ReleaseReport()
    partner_rows = rows.partners(store)
    policies = policies if policies is not None else node_policies(node)
    fingerprint = policies_fingerprint(node, partner_rows)
    previous = store.get_meta(_FINGERPRINT)
    report.policy_changed = previous is not None and previous != fingerprint
    rescan = full or previous != fingerprint
    targets = partner_rows
    designation_of = designations(node)
    now_ms = node.clock.now_ms()
    kept: dict[str, set[str]] = {p.name: set() for p in targets}
    if rescan:
        with store.transaction():
            rows.clear_pending(store)
    else:
        _release_due(node, targets, policies, designation_of, now_ms, report)
    start = 0 if rescan else int(store.get_meta(_WATERMARK) or 0)
    for chunk in _chunks(node, start, batch_size):
        report.scanned += len(chunk)
        work = _evaluate(
            node, targets, policies, designation_of, chunk, now_ms, report, skip_same=rescan
        )
        if rescan:
            for name, items in work.out.items():
                kept[name].update(o["id"] for o, _, _ in items)
            for name, pend in work.pending.items():
                kept[name].update(i for i, _, _ in pend)
            for name, ids in work.keep.items():
                kept[name].update(ids)
        _write(node, work, report, watermark=chunk[-1].rid)
    if rescan:
        _finish_rescan(node, targets, kept, fingerprint, previous, report)
    return report


def _chunks(node: Node, after_rid: int, size: int) -> Iterator[list[StoredVersion]]:
    while True:
        chunk = list(node.store.query(Query(latest_only=True, after_rid=after_rid, limit=size)))
        if not chunk:
            return
        yield chunk
        after_rid = chunk[-1].rid
        if len(chunk) < size:
            return


def _evaluate(
    node: Node,
    targets: list[PartnerRow],
    policies: Policies,
    designation_of: DesignationLookup,
    chunk: list[StoredVersion],
    now_ms: int,
    report: ReleaseReport,
    *,
    skip_same: bool = False,
) -> _Work:
    """Decide every (partner, record) of a chunk. With ``skip_same``, objects whose
    released form equals the partner's current row are kept, not released again."""
    work = _Work()
    objs = [orjson.loads(v.body) for v in chunk]
    revoked_ids = [v.index.id for v in chunk if v.index.revoked]
    all_ids = [v.index.id for v in chunk]
    for p in targets:
        out = work.out.setdefault(p.name, [])
        pend = work.pending.setdefault(p.name, [])
        keep = work.keep.setdefault(p.name, set())
        had = rows.released_ids(node.store, p.name, revoked_ids) if revoked_ids else {}
        compare = skip_same and rows.has_releases(node.store, p.name)
        current = rows.latest_bodies(node.store, p.name, all_ids) if compare else {}
        for v, obj in zip(chunk, objs, strict=True):
            ix = v.index
            if ix.revoked:
                work.undelay.append((p.name, ix.id))
                old = had.get(ix.id)
                if old is not None:
                    keep.add(ix.id)
                if old is not None and old < ix.modified:
                    prior = rows.latest_release(node.store, p.name, ix.id)
                    if prior is not None:
                        out.append((revocation(orjson.loads(prior.body), obj), "revocation", True))
                        report.revoked += 1
                continue
            if ix.id == node.party_id and ix.kind == "party":
                released: dict[str, Any] | None = _unsigned(obj)
                rule: str | None = SELF_IDENTITY_RULE
            else:
                d = decide(
                    policies,
                    p.name,
                    obj,
                    ix,
                    now_ms=now_ms,
                    originator_is_self=v.received_from is None,
                    designation_of=designation_of,
                )
                released, rule = (d.obj, d.rule) if d.released else (None, None)
                if not d.released and d.release_at_ms is not None:
                    pend.append((ix.id, ix.modified, d.release_at_ms))
                    report.delayed += 1
            if released is None:
                continue
            served = current.get(ix.id)
            if served is not None and _unsigned(orjson.loads(served)) == released:
                keep.add(ix.id)
                continue
            out.append((released, rule or "", False))
    return work


def _unsigned(obj: dict[str, Any]) -> dict[str, Any]:
    ext = obj.get("extensions")
    if isinstance(ext, dict) and EXT_SIGNATURE in ext:
        obj = dict(obj)
        rest = {k: v for k, v in ext.items() if k != EXT_SIGNATURE}
        if rest:
            obj["extensions"] = rest
        else:
            del obj["extensions"]
    return obj


def _write(node: Node, work: _Work, report: ReleaseReport, *, watermark: int | None) -> None:
    """Sign each partner's batch and store rows, pending delays, audit and watermark."""
    store = node.store
    now_us = node.clock.now_ms() * 1000
    audit: list[tuple[str, str, dict[str, Any]]] = []
    with store.transaction() as tx:
        rows.drop_pending(store, work.undelay)
        for name, pend in work.pending.items():
            rows.put_pending(store, name, pend)
        for name, items in work.out.items():
            if not items:
                continue
            signed = sign_objects(node.key, [o for o, _, _ in items])
            batch = [
                NewRelease(s["id"], s["modified"], s["type"], revoked, rule, orjson.dumps(s))
                for s, (_, rule, revoked) in zip(signed, items, strict=True)
            ]
            first, last, _ = rows.add_releases(store, name, batch, now_us)
            rows.drop_pending(store, [(name, r.id) for r in batch])
            seal = signed[0]["extensions"][EXT_SIGNATURE]
            detail: dict[str, Any] = {
                "count": len(batch),
                "root": seal["root"],
                "first": batch[0].id,
                "last": batch[-1].id,
                "seq": [first, last],
            }
            revocations = sum(1 for r in batch if r.revoked)
            if revocations:
                detail["revocations"] = revocations
            audit.append(("release", name, detail))
            report.released[name] = report.released.get(name, 0) + len(batch)
        if audit:
            journal.append(store, tx, node.key, audit, node.now())
        if watermark is not None:
            tx.set_meta(_WATERMARK, str(max(watermark, int(store.get_meta(_WATERMARK) or 0))))


def _release_due(
    node: Node,
    targets: list[PartnerRow],
    policies: Policies,
    designation_of: DesignationLookup,
    now_ms: int,
    report: ReleaseReport,
) -> None:
    """Decide again on delayed releases whose time has come."""
    names = {p.name: p for p in targets}
    while due := rows.due_pending(node.store, now_ms):
        work = _Work()
        by_partner: dict[str, list[str]] = {}
        for partner_name, record_id, _ in due:
            work.undelay.append((partner_name, record_id))
            if partner_name in names:
                by_partner.setdefault(partner_name, []).append(record_id)
        for partner_name, ids in by_partner.items():
            chunk = list(node.store.query(Query(ids=tuple(ids), latest_only=True)))
            sub = _evaluate(
                node, [names[partner_name]], policies, designation_of, chunk, now_ms, report
            )
            work.out.update(sub.out)
            work.pending.update(sub.pending)
        _write(node, work, report, watermark=None)


def _finish_rescan(
    node: Node,
    targets: list[PartnerRow],
    kept: dict[str, set[str]],
    fingerprint: str,
    previous: str | None,
    report: ReleaseReport,
) -> None:
    """Withdraw rows no longer allowed; record (and audit) the new policy fingerprint."""
    store = node.store
    withdrawn: dict[str, int] = {}
    with store.transaction() as tx:
        for p in targets:
            served = rows.served_ids(store, p.name)
            gone = sorted(served - kept[p.name])
            if gone:
                withdrawn[p.name] = rows.withdraw_releases(store, p.name, gone)
        report.withdrawn = sum(withdrawn.values())
        if previous != fingerprint:
            detail: dict[str, Any] = {
                "previous": previous,
                "fingerprint": fingerprint,
                "partners": sorted(p.name for p in targets),
                "released": report.released,
                "withdrawn": withdrawn,
                "delayed": report.delayed,
            }
            journal.append(store, tx, node.key, [("policy-change", "policies", detail)],
                            node.now())  # fmt: skip
            tx.set_meta(_FINGERPRINT, fingerprint)
