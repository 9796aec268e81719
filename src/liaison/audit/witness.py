"""Partners as witnesses of a node's audit head.

A node serves its signed audit head with every page of objects (the
``X-Liaison-Audit-Head`` header). A partner that syncs verifies it under the
node's pinned key and keeps the highest head it has seen — its sync receipt.
Handed back as a file (`liaison audit receipt`), a receipt lets the node check
its own log against a head kept by someone else: even a node whose store *and*
directory were put back from an old backup cannot pass it.

A head that goes back (a lower ``seq``, or the same ``seq`` with another hash)
is evidence that the partner's log was rolled back or forked; the syncing node
keeps the higher head, audits a ``partner-rollback`` entry and logs an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from liaison.audit.checkpoint import SignedHead
from liaison.crypto import PublicKey

if TYPE_CHECKING:
    from liaison.store import Store, Writer

__all__ = [
    "HEAD_HEADER",
    "RECEIPT_TYPE",
    "Receipt",
    "ReceiptError",
    "Seen",
    "head_header",
    "last_seen",
    "load_receipt",
    "observe",
    "receipt_document",
    "receipt_for",
]

log = logging.getLogger("liaison.audit")

#: The HTTP response header carrying a node's signed audit head.
HEAD_HEADER: Final = "X-Liaison-Audit-Head"
#: ``type`` of a receipt file.
RECEIPT_TYPE: Final = "liaison-audit-receipt"
_SEEN_KEY: Final = "witness:"
_HEAD_KEY: Final = "audit_head"
_MAX_HEADER: Final = 2048


class ReceiptError(ValueError):
    """A receipt file that cannot be used; the message names the file and field."""


@dataclass(frozen=True, slots=True)
class Seen:
    """The highest head of a partner that this node has verified, and when."""

    partner: str
    signed: SignedHead
    seen: str
    regressed_to: tuple[int, str] | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A head this node signed, as a partner kept it (loaded from a receipt file)."""

    source: str
    witness: str
    seen: str
    head: SignedHead


def parse_head(raw: str | bytes, default_key_id: str | None = None) -> SignedHead:
    """A signed head from its JSON form (the store's copy, a header, a file).

    Raises ValueError when malformed. ``default_key_id`` fills in heads stored
    by earlier versions, which did not name their key.
    """
    data = orjson.loads(raw)
    if isinstance(data, dict) and default_key_id is not None:
        data = {"key_id": default_key_id, "at": ""} | data
    return SignedHead.from_dict(data)


def head_header(store: Store) -> dict[str, str]:
    """The response header that serves the node's current signed head ({} if none)."""
    raw = store.get_meta(_HEAD_KEY)
    if raw is None:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(data, dict) or "key_id" not in data:
        return {}  # written before heads named their key: served from the next append
    return {HEAD_HEADER: orjson.dumps(data).decode("ascii")}


def last_seen(store: Store, partner: str) -> Seen | None:
    """The highest verified head of ``partner`` this node keeps, if any."""
    raw = store.get_meta(_SEEN_KEY + partner)
    if raw is None:
        return None
    try:
        data = orjson.loads(raw)
        regressed = data.get("regressed_to")
        return Seen(
            partner,
            SignedHead.from_dict(data["head"]),
            str(data["seen"]),
            None if regressed is None else (int(regressed[0]), str(regressed[1])),
        )
    except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
        log.error("the kept audit head of %s is unreadable; starting again from the next", partner)
        return None


def observe(
    store: Store,
    tx: Writer,
    partner: str,
    public_key: str | None,
    header: str | None,
    now: str,
) -> list[tuple[str, str, dict[str, Any]]]:
    """Keep a partner's served head (inside the sync transaction ``tx``).

    Returns the audit items to append: a ``partner-rollback`` entry when the head
    went back (once per distinct regression), else nothing. A missing, malformed
    or unverifiable header is ignored (logged): it proves nothing either way.
    """
    if header is None or public_key is None:
        return []
    try:
        key = PublicKey.from_b64(public_key)
        if len(header) > _MAX_HEADER:
            raise ValueError("header too long")
        offered = parse_head(header)
    except ValueError as exc:
        log.warning("%s served an unusable audit head (%s); ignored", partner, exc)
        return []
    if not offered.verify(key):
        log.warning("%s served an audit head that its pinned key did not sign; ignored", partner)
        return []
    previous = last_seen(store, partner)
    if previous is None or offered.head.seq > previous.signed.head.seq:
        _keep(tx, Seen(partner, offered, now))
        return []
    if offered.head == previous.signed.head:
        return []
    regression = (offered.head.seq, offered.head.hash)
    if previous.regressed_to == regression:
        return []
    _keep(tx, Seen(partner, previous.signed, previous.seen, regression))
    log.error(
        "%s's audit head went back from entry %d to entry %d: its log was rolled back or "
        "rewritten; the higher head is kept as evidence",
        partner,
        previous.signed.head.seq,
        offered.head.seq,
    )
    detail = {
        "kept": previous.signed.to_dict(),
        "served": offered.to_dict(),
        "reason": "audit head went back (log rolled back or rewritten)",
    }
    return [("partner-rollback", partner, detail)]


def _keep(tx: Writer, seen: Seen) -> None:
    body: dict[str, Any] = {"head": seen.signed.to_dict(), "seen": seen.seen}
    if seen.regressed_to is not None:
        body["regressed_to"] = list(seen.regressed_to)
    tx.set_meta(_SEEN_KEY + seen.partner, orjson.dumps(body).decode())


def receipt_for(store: Store, partner: str, witness: str) -> dict[str, Any] | None:
    """The receipt to hand back to ``partner``: the highest of its heads this node
    (party ``witness``) verified, or None if it has seen none yet."""
    seen = last_seen(store, partner)
    return None if seen is None else receipt_document(seen, witness)


def receipt_document(seen: Seen, witness: str) -> dict[str, Any]:
    """The receipt file a node hands back to ``seen.partner`` (JSON-ready)."""
    return {
        "type": RECEIPT_TYPE,
        "version": 1,
        "partner": seen.partner,
        "witness": witness,
        "seen": seen.seen,
        "head": seen.signed.to_dict(),
    }


def load_receipt(path: Path) -> Receipt:
    """Read a receipt file; raises ReceiptError naming the file and what is wrong."""
    try:
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise ReceiptError(f"receipt {path}: cannot be read ({exc.strerror})") from None
    except orjson.JSONDecodeError as exc:
        raise ReceiptError(f"receipt {path}: not JSON ({exc})") from None
    if not isinstance(data, Mapping) or data.get("type") != RECEIPT_TYPE:
        raise ReceiptError(f"receipt {path}: 'type' must be {RECEIPT_TYPE!r}")
    if data.get("version") != 1:
        raise ReceiptError(f"receipt {path}: unsupported 'version' {data.get('version')!r}")
    raw_head = data.get("head")
    if not isinstance(raw_head, Mapping):
        raise ReceiptError(f"receipt {path}: 'head' must be an object")
    try:
        head = SignedHead.from_dict(raw_head)
    except ValueError as exc:
        raise ReceiptError(f"receipt {path}: 'head': {exc}") from None
    witness, seen = data.get("witness"), data.get("seen")
    if not isinstance(witness, str) or not isinstance(seen, str):
        raise ReceiptError(f"receipt {path}: 'witness' and 'seen' must be strings")
    return Receipt(str(path), witness, seen, head)
