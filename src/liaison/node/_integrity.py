"""Verify a stored record on its own: body hash, inclusion proof, batch signature."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from liaison.audit import AuditReport, journal
from liaison.audit.anchor import ANCHOR_NAME
from liaison.audit.witness import Receipt
from liaison.crypto import PublicKey, RootCache, verify_digest
from liaison.store import StoredVersion, StoreError

if TYPE_CHECKING:
    from liaison.node import Node


@dataclass(frozen=True, slots=True)
class RecordCheck:
    """Outcome of verifying one stored version."""

    ok: bool
    reason: str

    def __str__(self) -> str:
        return f"valid ({self.reason})" if self.ok else f"INVALID: {self.reason}"


def verify_record(
    node: Node, version: StoredVersion, *, cache: RootCache | None = None
) -> RecordCheck:
    """Check that ``version`` is exactly what this node sealed."""
    return verify_version(node.store, node.public_key, version, cache=cache)


def verify_version(
    store: object, public_key: PublicKey, version: StoredVersion, *, cache: RootCache | None = None
) -> RecordCheck:
    """Check a stored version against a node public key (store: any liaison Store)."""
    if hashlib.sha256(version.body).digest() != version.digest:
        return RecordCheck(False, "body does not match its digest (altered)")
    try:
        seal = store.seal(version.batch_id)  # type: ignore[attr-defined]
    except StoreError as exc:
        return RecordCheck(False, str(exc))
    if seal.key_id != public_key.key_id:
        return RecordCheck(False, f"sealed by key {seal.key_id}, not this node's key")
    good = verify_digest(
        version.digest,
        version.proof,
        seal.root,
        seal.signature,
        public_key,
        version.leaf_index,
        cache=cache,
    )
    if not good:
        return RecordCheck(False, "inclusion proof or batch signature does not verify")
    return RecordCheck(True, f"sealed in batch {version.batch_id} by key {seal.key_id}")


def audit_report(node: Node, receipts: Sequence[Receipt] = ()) -> AuditReport:
    """Verify the node's whole audit log against its signed head, its anchor file and
    the partners' ``receipts`` (heads they saw)."""
    return journal.verify(
        node.store, node.public_key, anchor=node.root / ANCHOR_NAME, receipts=receipts
    )
