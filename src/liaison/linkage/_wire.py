"""Signed linkage messages: encoding batches and OPRF key statements.

A signature is Ed25519, by the node key, over a domain-separated message:
``b"liaison/linkage/v1\\x00" || kind || b"\\x00" || canonical JSON of the body
without its signature`` — it cannot be mistaken for any other signature a node
makes, nor one kind of linkage message for another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from liaison.crypto import NodeKey, PublicKey, canonical_json
from liaison.linkage._errors import BatchError
from liaison.linkage._state import b64, unb64

_DOMAIN: Final = b"liaison/linkage/v1\x00"
BATCH_TYPE: Final = "liaison-linkage-batch"
STATEMENT_TYPE: Final = "liaison-linkage-oprf-key"


def _message(kind: str, body: Mapping[str, Any]) -> bytes:
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return _DOMAIN + kind.encode() + b"\x00" + canonical_json(unsigned)


def sign(key: NodeKey, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with its signature attached."""
    signature = key.sign(_message(kind, body))
    return body | {"signature": {"alg": "ed25519", "key_id": key.key_id, "value": b64(signature)}}


def verify(public: PublicKey, kind: str, body: Mapping[str, Any], what: str) -> None:
    """Raise BatchError unless ``body`` is signed by ``public`` as ``kind``."""
    sig = body.get("signature")
    if not isinstance(sig, Mapping) or sig.get("alg") != "ed25519":
        raise BatchError(f"{what} is not signed")
    if sig.get("key_id") != public.key_id:
        raise BatchError(
            f"{what} is signed by key {sig.get('key_id')!r}, not the partner's "
            f"pinned key {public.key_id}"
        )
    try:
        raw = unb64(sig.get("value"), f"{what} signature", 64)
    except Exception as exc:
        raise BatchError(f"{what}: malformed signature") from exc
    if not public.verify(raw, _message(kind, body)):
        raise BatchError(f"{what}: the signature does not verify (altered or forged)")


@dataclass(frozen=True, slots=True)
class Batch:
    """An encoding batch as published: opaque pseudonyms and their encodings."""

    batch: str
    sender: str
    recipient: str
    schema: str
    keys: str
    created: str
    pseudonyms: list[str]
    encodings: npt.NDArray[np.uint8]

    def body(self) -> dict[str, Any]:
        return {
            "type": BATCH_TYPE,
            "version": 1,
            "batch": self.batch,
            "from": self.sender,
            "to": self.recipient,
            "schema": self.schema,
            "keys": self.keys,
            "created": self.created,
            "count": len(self.pseudonyms),
            "bits": int(self.encodings.shape[1]) * 8 if len(self.encodings) else 0,
            "pseudonyms": self.pseudonyms,
            "encodings": b64(self.encodings.tobytes()),
        }


def parse_batch(body: Mapping[str, Any], *, bits: int, what: str) -> Batch:
    """Check the shape of a batch (not its signature); errors say what is wrong."""
    if body.get("type") != BATCH_TYPE or body.get("version") != 1:
        raise BatchError(f"{what} is not a linkage batch (type {body.get('type')!r})")
    pseudonyms = body.get("pseudonyms")
    if not isinstance(pseudonyms, list) or not all(isinstance(p, str) and p for p in pseudonyms):
        raise BatchError(f"{what}: 'pseudonyms' must be a list of strings")
    if not pseudonyms:
        raise BatchError(f"{what} is empty: it holds no encodings")
    if len(set(pseudonyms)) != len(pseudonyms):
        dup = next(p for n, p in enumerate(pseudonyms) if p in pseudonyms[:n])
        raise BatchError(f"{what}: pseudonym {dup!r} appears more than once")
    if body.get("count") != len(pseudonyms) or body.get("bits") != bits:
        raise BatchError(
            f"{what}: declares {body.get('count')} encodings of {body.get('bits')} "
            f"bits, holds {len(pseudonyms)} (schema: {bits} bits)"
        )
    try:
        raw = unb64(body.get("encodings"), f"{what} encodings", len(pseudonyms) * bits // 8)
    except Exception as exc:
        raise BatchError(f"{what}: {exc}") from exc
    fields = {}
    for key in ("batch", "from", "to", "schema", "keys", "created"):
        value = body.get(key)
        if not isinstance(value, str) or not value:
            raise BatchError(f"{what}: {key!r} must be a non-empty string")
        fields[key] = value
    enc = np.frombuffer(raw, dtype=np.uint8).reshape(len(pseudonyms), bits // 8)
    return Batch(
        fields["batch"],
        fields["from"],
        fields["to"],
        fields["schema"],
        fields["keys"],
        fields["created"],
        list(pseudonyms),
        enc,
    )
