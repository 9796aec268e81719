"""Release materialisation: every partner's table brought to what the node's state
allows, exactly once.

``materialise_releases(node)``, in order:

1. **Delays that ended**: the delayed versions due now are decided again.
2. **Re-decision**: a partner whose fingerprint (its policy section, and this
   node's designations when its rules select on them) differs from the one its
   table was decided under has every stored version decided again — every served
   version of every record, not only the latest: what is no longer allowed is
   withdrawn, what is allowed in another form is re-rendered (audited as
   ``policy-change`` with what was released and withdrawn).
3. **New versions**: the versions stored since the last run, for every partner.

Each chunk is settled in one store transaction that also reads what it settles
(the watermark, the chunk, the partner's rows): the store's write lock (SQLite
``BEGIN IMMEDIATE``, PostgreSQL's advisory lock) serialises materialisers of one
node, and a chunk another one has settled is found settled. Nothing is released
twice, whoever runs (``serve``'s ticker, an ingest, a sync) and however often.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from liaison.audit import journal
from liaison.release._settle import ReleaseReport, settle
from liaison.release._state import ReleaseState, fingerprints, release_state
from liaison.store import Query, StoredVersion

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = ["BATCH", "ReleaseReport", "materialise_releases"]

BATCH = 5000
_WATERMARK = "release_rid"


def materialise_releases(
    node: Node, *, full: bool = False, batch_size: int = BATCH
) -> ReleaseReport:
    """Bring every partner's release table up to date (see the module doc); with
    ``full``, decide every partner's whole table again."""
    store = node.store
    report = ReleaseReport()
    state = release_state(node)
    names = [p.name for p in store.exchange.partners()]
    wanted = fingerprints(state, names)
    stored = store.exchange.fingerprints()
    stale = [n for n in names if full or stored.get(n) != wanted[n]]
    report.policy_changed = any(n in stored and stored[n] != wanted[n] for n in names)
    if set(stored) - set(names):
        with store.transaction():
            store.exchange.forget_partners(names)
    _release_due(node, state, names, report)
    if stale:
        _redecide(node, state, stale, batch_size, report)
        _record(node, stale, wanted, stored, report)
    _new_versions(node, state, names, batch_size, report)
    return report


def _versions(node: Node, after_rid: int, limit: int) -> list[StoredVersion]:
    """The next stored versions (every version, revoked ones included) by ``rid``."""
    query = Query(latest_only=False, include_revoked=True, after_rid=after_rid, limit=limit)
    return list(node.store.query(query))


def _new_versions(
    node: Node, state: ReleaseState, names: Sequence[str], size: int, report: ReleaseReport
) -> None:
    store = node.store
    while True:
        with store.transaction() as tx:
            mark = int(store.get_meta(_WATERMARK) or 0)  # read under the write lock
            chunk = _versions(node, mark, size)
            if not chunk:
                return
            settle(node, tx, state, names, chunk, report)
            tx.set_meta(_WATERMARK, str(chunk[-1].rid))
        report.scanned += len(chunk)
        if len(chunk) < size:
            return


def _redecide(
    node: Node, state: ReleaseState, stale: Sequence[str], size: int, report: ReleaseReport
) -> None:
    """Decide every stored version up to the watermark again for ``stale`` partners
    (what comes after it is new to every partner: `_new_versions`)."""
    store = node.store
    mark = int(store.get_meta(_WATERMARK) or 0)
    after = 0
    while after < mark:
        with store.transaction() as tx:
            chunk = [v for v in _versions(node, after, size) if v.rid <= mark]
            if not chunk:
                return
            settle(node, tx, state, stale, chunk, report)
        report.scanned += len(chunk)
        after = chunk[-1].rid


def _release_due(
    node: Node, state: ReleaseState, names: Sequence[str], report: ReleaseReport
) -> None:
    """Decide again the delayed versions whose time has come."""
    store = node.store
    known = set(names)
    while True:
        with store.transaction() as tx:
            due = store.exchange.due_pending(state.now_ms)
            if not due:
                return
            by_partner: dict[str, list[tuple[str, str]]] = {}
            for partner, record_id, modified in due:
                by_partner.setdefault(partner, []).append((record_id, modified))
            for partner, keys in by_partner.items():
                store.exchange.drop_pending(partner, keys)
                if partner not in known:
                    continue
                wanted = set(keys)
                ids = tuple(sorted({i for i, _ in keys}))
                found = store.query(Query(ids=ids, latest_only=False))
                chunk = [v for v in found if (v.index.id, v.index.modified) in wanted]
                settle(node, tx, state, [partner], chunk, report)


def _record(
    node: Node,
    stale: Sequence[str],
    wanted: dict[str, str],
    stored: dict[str, str],
    report: ReleaseReport,
) -> None:
    """Record the fingerprints the stale partners' tables are now decided under;
    audit a change of policy (not a partner's first decision)."""
    store = node.store
    changed = sorted(n for n in stale if n in stored and stored[n] != wanted[n])
    with store.transaction() as tx:
        for name in stale:
            store.exchange.set_fingerprint(name, wanted[name])
        if changed:
            detail: dict[str, Any] = {
                "partners": changed,
                "previous": {n: stored[n] for n in changed},
                "fingerprint": {n: wanted[n] for n in changed},
                "released": dict(report.released),
                "withdrawn": dict(report.withdrawn_by_partner),
                "delayed": report.delayed,
            }
            journal.append(store, tx, node.key, [("policy-change", "policies", detail)],
                           node.now())  # fmt: skip
