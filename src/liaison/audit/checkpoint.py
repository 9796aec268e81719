"""Signed chain heads: checkpoints that make tail truncation detectable.

A hash chain proves that its entries follow one another, not that none were
removed from its end. A node therefore signs its head (sequence number and
hash) from time to time and keeps the signature apart from the log, or hands
it to a partner; `verify_chain` given that head then fails if the log stops
short of it or disagrees with it.

The signature is Ed25519 over a domain-separated message, so a signed head
can never be confused with a batch seal or any other signature of the node.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from liaison.audit.chain import ChainHead
from liaison.crypto.canonical import canonical_json
from liaison.crypto.keys import NodeKey, PublicKey

__all__ = ["SignedHead", "head_message", "sign_head", "verify_head"]

_DOMAIN: Final = b"liaison/audit-head/v1\x00"


def head_message(head: ChainHead, key_id: str) -> bytes:
    """The exact bytes a head signature covers."""
    return _DOMAIN + canonical_json({"seq": head.seq, "hash": head.hash, "key_id": key_id})


def sign_head(key: NodeKey, head: ChainHead) -> str:
    """Base64 Ed25519 signature of *head* by *key*."""
    return base64.b64encode(key.sign(head_message(head, key.key_id))).decode("ascii")


def verify_head(public_key: PublicKey, head: ChainHead, signature: str) -> bool:
    """True if *signature* (base64) signs *head* under *public_key*."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    return public_key.verify(raw, head_message(head, public_key.key_id))


@dataclass(frozen=True, slots=True)
class SignedHead:
    """A head with its signature, as stored next to (not inside) the log."""

    head: ChainHead
    key_id: str
    at: str
    signature: str

    @classmethod
    def create(cls, key: NodeKey, head: ChainHead, now: str) -> SignedHead:
        """Sign *head* at time *now* (a STIX timestamp, informative only)."""
        return cls(head, key.key_id, now, sign_head(key, head))

    def verify(self, public_key: PublicKey) -> bool:
        """True if the signature holds under *public_key* (whose id must match)."""
        return public_key.key_id == self.key_id and verify_head(
            public_key, self.head, self.signature
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "seq": self.head.seq,
            "hash": self.head.hash,
            "key_id": self.key_id,
            "at": self.at,
            "signature": self.signature,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignedHead:
        """Inverse of `to_dict`; raises ValueError on a malformed record."""
        try:
            seq, digest = data["seq"], data["hash"]
            key_id, at, signature = data["key_id"], data["at"], data["signature"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed signed head: {exc!r}") from None
        if type(seq) is not int or not all(
            isinstance(v, str) for v in (digest, key_id, at, signature)
        ):
            raise ValueError("malformed signed head: wrong field types")
        return cls(ChainHead(seq, digest), key_id, at, signature)
