"""The audit journal of a node's store: chained entries written in the caller's
transaction, and a head checkpoint signed by the node key (detects a truncated log).

This is the I/O edge of the audit package; ``liaison.audit`` itself stays pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from liaison.audit.chain import AuditEntry, AuditReport, ChainHead, extend_chain, verify_chain
from liaison.audit.checkpoint import sign_head, verify_head
from liaison.crypto import NodeKey, PublicKey, canonical_json
from liaison.store import AuditRow, Store, Writer

_HEAD_KEY = "audit_head"


def append(
    store: Store,
    tx: Writer,
    key: NodeKey,
    items: Sequence[tuple[str, str, Mapping[str, Any]]],
    now: str,
) -> list[AuditEntry]:
    """Chain ``items`` after the current head and write them inside ``tx``."""
    last = store.last_audit_row()
    head = None if last is None else ChainHead(last.seq, last.hash)
    entries = extend_chain(head, items, now)
    tx.append_audit([_row(e) for e in entries])
    if entries:
        tx.set_meta(_HEAD_KEY, _signed_head(key, entries[-1].head))
    return entries


def verify(store: Store, public_key: PublicKey) -> AuditReport:
    """Verify the whole chain against the node's signed head checkpoint."""
    head = _trusted_head(store, public_key)
    if isinstance(head, AuditReport):
        return head
    return verify_chain(_entries(store), head)


def entries(store: Store) -> Iterator[AuditEntry]:
    """Every audit entry, in order."""
    return _entries(store)


def _entries(store: Store) -> Iterator[AuditEntry]:
    for r in store.audit_rows():
        try:
            detail = orjson.loads(r.detail)
        except orjson.JSONDecodeError:
            detail = {"unreadable": r.detail}
        yield AuditEntry(r.seq, r.at, r.action, r.subject, detail, r.prev, r.hash)


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(
        e.seq, e.at, e.action, e.subject, canonical_json(e.detail).decode(), e.prev, e.hash
    )


def _signed_head(key: NodeKey, head: ChainHead) -> str:
    signature = sign_head(key, head)
    return orjson.dumps({"seq": head.seq, "hash": head.hash, "signature": signature}).decode()


def _trusted_head(store: Store, public_key: PublicKey) -> ChainHead | AuditReport | None:
    raw = store.get_meta(_HEAD_KEY)
    if raw is None:
        if store.last_audit_row() is None:
            return None
        return AuditReport(False, 0, 1, "the signed head checkpoint is missing")
    try:
        data = orjson.loads(raw)
        head = ChainHead(int(data["seq"]), str(data["hash"]))
        signature = str(data["signature"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return AuditReport(False, 0, 1, "the signed head checkpoint is unreadable")
    if not verify_head(public_key, head, signature):
        return AuditReport(False, 0, 1, "the head checkpoint's signature does not verify")
    return head
