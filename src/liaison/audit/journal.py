"""The audit journal of a node's store: chained entries written in the caller's
transaction, a head checkpoint signed by the node key (kept in the store, in the
anchor file outside it, and by partners), verification against all of them, and
reading the log back (`log_entries`).

This is the I/O edge of the audit package; ``liaison.audit`` itself stays pure.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from liaison.audit.anchor import AnchorError, advance_anchor, read_anchor
from liaison.audit.chain import (
    AuditEntry,
    AuditReport,
    ChainHead,
    Witness,
    extend_chain,
    verify_chain,
)
from liaison.audit.checkpoint import SignedHead
from liaison.audit.witness import Receipt, parse_head
from liaison.crypto import NodeKey, PublicKey, canonical_json
from liaison.store import AuditRow, Store, Writer

_HEAD_KEY = "audit_head"
_FIRST_ACTION = "key-create"


def append(
    store: Store,
    tx: Writer,
    key: NodeKey,
    items: Sequence[tuple[str, str, Mapping[str, Any]]],
    now: str,
) -> list[AuditEntry]:
    """Chain ``items`` after the current head and write them inside ``tx``.

    The store's writers are serialised, so the head read here is the last one
    committed: the log stays one chain. Once the transaction commits, the
    node's anchor file (if the store has one) moves to the new signed head.
    """
    last = store.last_audit_row()
    head = None if last is None else ChainHead(last.seq, last.hash)
    entries = extend_chain(head, items, now)
    tx.append_audit([_row(e) for e in entries])
    if entries:
        signed = SignedHead.create(key, entries[-1].head, now)
        tx.set_meta(_HEAD_KEY, orjson.dumps(signed.to_dict()).decode())
        if store.audit_anchor is not None:
            store.after_commit(
                "audit-anchor", functools.partial(advance_anchor, store.audit_anchor, signed, store)
            )
    return entries


def signed_head(store: Store, public_key: PublicKey) -> SignedHead | None:
    """The store's copy of the signed head (None if there is none; ValueError if
    it is malformed)."""
    raw = store.get_meta(_HEAD_KEY)
    return None if raw is None else parse_head(raw, default_key_id=public_key.key_id)


def verify(
    store: Store,
    public_key: PublicKey,
    *,
    anchor: Path | None = None,
    receipts: Sequence[Receipt] = (),
) -> AuditReport:
    """Verify the whole chain of a node's log.

    The log must start with the node's ``key-create`` entry (an empty log is
    refused), chain without a break, and reach and agree with every trusted
    head: the store's signed head, the ``anchor`` file (required when given)
    and each partner ``receipt``. Each head's signature must verify under
    ``public_key``. The anchor is read before the store, so a writer appending
    meanwhile only makes the log longer than it.
    """
    witnesses: list[Witness] = []
    for head in (_anchored(anchor, public_key), *(_receipted(r, public_key) for r in receipts)):
        if isinstance(head, AuditReport):
            return head
        if head is not None:
            witnesses.append(head)
    stored = _stored_head(store, public_key)
    if isinstance(stored, AuditReport):
        return stored
    if stored is not None:
        witnesses.insert(0, stored)
    first = next(iter(store.audit_rows(batch=1)), None)
    if first is None:
        return AuditReport(
            False, 0, 1, "the audit log is empty: a node's log always starts with its "
            "key-create entry (every entry was deleted)",
        )  # fmt: skip
    if first.seq == 1 and (first.action != _FIRST_ACTION or first.subject != public_key.key_id):
        return AuditReport(
            False, 0, 1, f"entry 1 is not this node's key-create entry (it is "
            f"{first.action!r} for {first.subject!r}): the log was replaced",
        )  # fmt: skip
    return verify_chain(_entries(store), witnesses=witnesses)


def _anchored(anchor: Path | None, public_key: PublicKey) -> Witness | AuditReport | None:
    if anchor is None:
        return None
    name = f"the anchor {anchor.name}"
    try:
        signed = read_anchor(anchor)
    except AnchorError as exc:
        return AuditReport(False, 0, 1, str(exc))
    if signed is None:
        return AuditReport(
            False, 0, 1, f"the audit head anchor {anchor} is missing (it is rewritten with "
            "every audit entry; a node made before anchors gets one at its next entry)",
        )  # fmt: skip
    if not signed.verify(public_key):
        return AuditReport(False, 0, 1, f"{name}: its signature does not verify")
    return Witness(signed.head, name)


def _receipted(receipt: Receipt, public_key: PublicKey) -> Witness | AuditReport:
    name = f"{receipt.witness}'s receipt ({receipt.source}, seen {receipt.seen})"
    if receipt.head.key_id != public_key.key_id:
        return AuditReport(
            False, 0, 1, f"{name} is for key {receipt.head.key_id}, not this node's key "
            f"{public_key.key_id}",
        )  # fmt: skip
    if not receipt.head.verify(public_key):
        return AuditReport(False, 0, 1, f"{name}: its signature does not verify")
    return Witness(receipt.head.head, name)


def _stored_head(store: Store, public_key: PublicKey) -> Witness | AuditReport | None:
    try:
        signed = signed_head(store, public_key)
    except ValueError:
        return AuditReport(False, 0, 1, "the signed head checkpoint is unreadable")
    if signed is None:
        if store.last_audit_row() is None:
            return None
        return AuditReport(False, 0, 1, "the signed head checkpoint is missing")
    if not signed.verify(public_key):
        return AuditReport(False, 0, 1, "the head checkpoint's signature does not verify")
    return Witness(signed.head, "the signed head")


def entries(store: Store) -> Iterator[AuditEntry]:
    """Every audit entry, in order."""
    return _entries(store)


def log_entries(
    store: Store,
    *,
    actions: Sequence[str] = (),
    since: str | None = None,
    page: int = 1000,
) -> Iterator[AuditEntry]:
    """Audit entries in time order (``at``, then ``seq``), optionally only the given
    ``actions`` and those at or after ``since`` (a STIX timestamp as the node
    writes them, ``YYYY-MM-DDTHH:MM:SS.sssZ``). Streamed in pages; every page is
    one range scan of an index (by time, or by action and time)."""
    if not actions:
        rows: Iterator[AuditRow] = store.audit_by_time(None, since, page)
    else:
        runs = [store.audit_by_time(a, since, page) for a in sorted(set(actions))]
        rows = runs[0] if len(runs) == 1 else _merged(runs)
    return (_entry(r) for r in rows)


def _merged(runs: list[Iterator[AuditRow]]) -> Iterator[AuditRow]:
    return heapq.merge(*runs, key=lambda r: (r.at, r.seq))


def _entries(store: Store) -> Iterator[AuditEntry]:
    return (_entry(r) for r in store.audit_rows())


def _entry(r: AuditRow) -> AuditEntry:
    try:
        detail = orjson.loads(r.detail)
    except orjson.JSONDecodeError:
        detail = {"unreadable": r.detail}
    return AuditEntry(r.seq, r.at, r.action, r.subject, detail, r.prev, r.hash)


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(
        e.seq, e.at, e.action, e.subject, canonical_json(e.detail).decode(), e.prev, e.hash
    )
