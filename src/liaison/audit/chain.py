"""The audit log as a hash chain: entries, appending, verification.

Every entry holds the hash of the one before it (``prev``) and its own hash
over all its other fields, so changing, removing, inserting or reordering any
entry breaks the chain at that point. Deleting entries from the end leaves a
valid but shorter chain; a signed head (see `liaison.audit.checkpoint`) catches
that. Nothing here does I/O or reads a clock: the caller passes the entries
and the time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from liaison.crypto.canonical import CanonicalizationError, canonical_json

__all__ = [
    "ACTIONS",
    "GENESIS",
    "AuditEntry",
    "AuditReport",
    "ChainHead",
    "Witness",
    "batch_detail",
    "entry_hash",
    "extend_chain",
    "verify_chain",
]

#: ``prev`` of the first entry.
GENESIS: Final = "0" * 64
#: Actions the node records (the set is open; names are lowercase-hyphenated).
ACTIONS: Final = (
    "ingest",
    "refuse",
    "export",
    "key-create",
    "release",
    "sync",
    "policy-change",
    "partner-change",
    "disclosure",
)
_ACTION: Final = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_STIX_TIME: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last entry of a chain: its sequence number and hash."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class Witness:
    """A trusted head kept outside the log (signed head, anchor file, a partner's
    receipt) and how messages name it."""

    head: ChainHead
    name: str = "the signed head"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the log. ``hash`` covers every other field."""

    seq: int
    at: str
    action: str
    subject: str
    detail: dict[str, Any]
    prev: str
    hash: str

    @property
    def head(self) -> ChainHead:
        """The chain head if this entry is the last one."""
        return ChainHead(self.seq, self.hash)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "seq": self.seq,
            "at": self.at,
            "action": self.action,
            "subject": self.subject,
            "detail": self.detail,
            "prev": self.prev,
            "hash": self.hash,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditEntry:
        """Inverse of `to_dict` (no verification: use `verify_chain`)."""
        return cls(
            seq=data["seq"],
            at=data["at"],
            action=data["action"],
            subject=data["subject"],
            detail=data["detail"],
            prev=data["prev"],
            hash=data["hash"],
        )


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Outcome of `verify_chain`."""

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head: ChainHead | None = field(default=None)
    #: The trusted heads the log was checked against ("the signed head (entry 7)", …).
    against: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.ok:
            text = f"audit log intact: {self.checked} entries checked"
            return text + (f", against {', '.join(self.against)}" if self.against else "")
        return f"audit log damaged: {self.reason} ({self.checked} entries verified before it)"


def entry_hash(
    seq: int, at: str, action: str, subject: str, detail: Mapping[str, Any], prev: str
) -> str:
    """Hex SHA-256 over the canonical JSON of an entry's fields (all but ``hash``)."""
    body = {
        "seq": seq,
        "at": at,
        "action": action,
        "subject": subject,
        "detail": detail,
        "prev": prev,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def batch_detail(
    count: int, *, root: str | None = None, first: str | None = None, last: str | None = None
) -> dict[str, Any]:
    """Detail for one entry summarising a batch (count, Merkle root, first/last id)."""
    detail: dict[str, Any] = {"count": count}
    if root is not None:
        detail["root"] = root
    if first is not None:
        detail["first"] = first
    if last is not None:
        detail["last"] = last
    return detail


def extend_chain(
    head: ChainHead | None, items: Sequence[tuple[str, str, Mapping[str, Any]]], now: str
) -> list[AuditEntry]:
    """New entries for *items* ``(action, subject, detail)``, appended after *head*.

    *head* is None for an empty log. *now* is the STIX timestamp
    (``YYYY-MM-DDTHH:MM:SS[.fff]Z``) given to every new entry. The new head is
    ``entries[-1].head``.
    """
    if _STIX_TIME.fullmatch(now) is None:
        raise ValueError(f"not a STIX timestamp: {now!r}")
    seq, prev = (head.seq, head.hash) if head is not None else (0, GENESIS)
    out: list[AuditEntry] = []
    for action, subject, detail in items:
        if not isinstance(action, str) or _ACTION.fullmatch(action) is None:
            raise ValueError(f"bad audit action {action!r} (lowercase-hyphenated words)")
        if not isinstance(subject, str):
            raise TypeError("audit subject must be a string")
        detail = dict(detail)
        seq += 1
        digest = entry_hash(seq, now, action, subject, detail, prev)
        out.append(AuditEntry(seq, now, action, subject, detail, prev, digest))
        prev = digest
    return out


def _recomputed(entry: AuditEntry) -> str | None:
    try:
        return entry_hash(
            entry.seq, entry.at, entry.action, entry.subject, entry.detail, entry.prev
        )
    except (CanonicalizationError, TypeError):
        return None


def verify_chain(
    entries: Iterable[AuditEntry],
    expected_head: ChainHead | None = None,
    *,
    after: ChainHead | None = None,
    witnesses: Sequence[Witness] = (),
) -> AuditReport:
    """Check a log read in order of ``seq``, one entry at a time.

    *expected_head* and *witnesses* are trusted heads (signed, kept elsewhere):
    the chain must reach each of them and agree with each at its ``seq``, which
    detects deleted tail entries, a rolled-back store and rewrites. *after*
    starts verification after a trusted checkpoint instead of at the genesis.
    ``first_bad_seq`` is the earliest entry that cannot be trusted.
    """
    trusted = [*witnesses]
    if expected_head is not None:
        trusted.insert(0, Witness(expected_head))
    at_seq: dict[int, list[Witness]] = {}
    for w in trusted:
        at_seq.setdefault(w.head.seq, []).append(w)
    it: Iterator[AuditEntry] = iter(entries)
    expected = after.seq + 1 if after is not None else 1
    prev = after.hash if after is not None else GENESIS
    checked = 0
    last = after

    against = tuple(f"{w.name} (entry {w.head.seq})" for w in trusted)

    def bad(seq: int, reason: str) -> AuditReport:
        return AuditReport(False, checked, seq, reason, last, against)

    for entry in it:
        seq = entry.seq
        if seq != expected:
            if type(seq) is int and seq > expected:
                following = next(it, None)
                if following is not None and following.seq == expected:
                    return bad(expected, f"entry {expected} out of order")
                return bad(expected, f"entry {expected} missing (gap after {expected - 1})")
            return bad(expected, f"entry {seq} out of order (expected {expected})")
        if _recomputed(entry) != entry.hash:
            return bad(seq, f"entry {seq} altered")
        if entry.prev != prev:
            if seq == 1:
                return bad(1, "entry 1 altered (does not start the chain)")
            if after is not None and seq == after.seq + 1:
                return bad(seq, f"entry {seq} does not follow the checkpoint at {after.seq}")
            return bad(
                seq - 1,
                f"entry {seq - 1} altered or entry {seq} relinked "
                f"(entry {seq} does not chain to entry {seq - 1})",
            )
        for w in at_seq.get(seq, ()):
            if entry.hash != w.head.hash:
                return bad(seq, f"entry {seq} differs from {w.name} (log rewritten)")
        checked += 1
        prev = entry.hash
        last = entry.head
        expected += 1
    end = expected - 1
    beyond = [w for w in trusted if w.head.seq > end]
    if beyond:
        w = max(beyond, key=lambda w: w.head.seq)
        lost = f"entry {end + 1}" if w.head.seq == end + 1 else f"entries {end + 1}–{w.head.seq}"
        return bad(
            end + 1,
            f"chain ends at {end} but {w.name} says {w.head.seq} "
            f"({lost} deleted, or the store rolled back)",
        )
    return AuditReport(True, checked, None, None, last, against)
