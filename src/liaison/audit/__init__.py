"""The append-only, hash-chained audit log.

``chain`` and ``checkpoint`` are pure (no I/O, no clock); ``liaison.audit.journal``
is the edge that writes and verifies a node's log in its store.
"""

from liaison.audit.chain import (
    ACTIONS,
    GENESIS,
    AuditEntry,
    AuditReport,
    ChainHead,
    Witness,
    batch_detail,
    entry_hash,
    extend_chain,
    verify_chain,
)
from liaison.audit.checkpoint import SignedHead, head_message, sign_head, verify_head

__all__ = [
    "ACTIONS",
    "GENESIS",
    "AuditEntry",
    "AuditReport",
    "ChainHead",
    "SignedHead",
    "Witness",
    "batch_detail",
    "entry_hash",
    "extend_chain",
    "head_message",
    "sign_head",
    "verify_chain",
    "verify_head",
]
