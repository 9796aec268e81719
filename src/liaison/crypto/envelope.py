"""The wire form of a signature: a STIX 2.1 property extension on the object.

A released object carries, under ``extensions[EXT_SIGNATURE]``::

    {"extension_type": "property-extension",
     "alg": "ed25519-merkle-sha256",
     "key_id": "<16 hex>",
     "root": "<64 hex>",            # Merkle root of the release batch
     "leaves": <int>,               # number of objects in the batch
     "index": <int>,                # this object's leaf index
     "proof": ["<64 hex>", ...],    # sibling hashes, leaf to root
     "signature": "<base64>"}       # Ed25519 over the batch seal message

What is signed is the SHA-256 of the RFC 8785 canonical JSON of the object
*without* that entry (and without ``extensions`` if nothing else is left in
it), so the object a partner stores and re-serialises keeps verifying.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from liaison.crypto.canonical import canonical_json
from liaison.crypto.keys import NodeKey, PublicKey
from liaison.crypto.merkle import DIGEST_SIZE, root_from_proof
from liaison.crypto.seal import ALG, BatchSeal, RootCache, seal_batch, verify_root
from liaison.records._ids import EXT_SIGNATURE as _RECORDS_EXT_SIGNATURE

__all__ = [
    "EXT_SIGNATURE",
    "SignatureError",
    "VerifiedObject",
    "attach_signature",
    "sign_objects",
    "signed_body",
    "strip_signature",
    "verify_attached",
]

#: Placeholder id of the signature extension definition (the records package
#: will own the real one).
EXT_SIGNATURE: Final = _RECORDS_EXT_SIGNATURE


class SignatureError(ValueError):
    """An object's signature does not verify; `reason` says why.

    Reasons: ``missing-signature``, ``malformed``, ``unknown-key``,
    ``bad-proof``, ``bad-signature``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class VerifiedObject:
    """An object whose signature verified, with what was verified."""

    obj: dict[str, Any]  # the object without its signature extension
    canonical: bytes  # RFC 8785 bytes of `obj`
    digest: bytes  # SHA-256 of `canonical`
    key_id: str
    root: bytes
    index: int


def strip_signature(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of *obj* without the signature extension.

    An ``extensions`` property left empty is dropped (STIX forbids it empty).
    """
    body = dict(obj)
    extensions = body.get("extensions")
    if isinstance(extensions, Mapping):
        if EXT_SIGNATURE in extensions:
            extensions = {k: v for k, v in extensions.items() if k != EXT_SIGNATURE}
            body["extensions"] = extensions
        if not extensions:
            del body["extensions"]
    return body


def signed_body(obj: Mapping[str, Any]) -> tuple[bytes, bytes]:
    """Canonical bytes and SHA-256 digest of what a signature on *obj* covers."""
    canonical = canonical_json(strip_signature(obj))
    return canonical, hashlib.sha256(canonical).digest()


def attach_signature(obj: Mapping[str, Any], seal: BatchSeal, index: int) -> dict[str, Any]:
    """A copy of *obj* carrying leaf *index* of *seal* as its signature.

    Any previous signature entry is replaced; other extensions are kept.
    """
    proof = seal.proofs[index]
    siblings = proof[:-4]
    ext = {
        "extension_type": "property-extension",
        "alg": seal.alg,
        "key_id": seal.key_id,
        "root": seal.root.hex(),
        "leaves": seal.leaves,
        "index": index,
        "proof": [siblings[i : i + DIGEST_SIZE].hex() for i in range(0, len(siblings), 32)],
        "signature": base64.b64encode(seal.signature).decode("ascii"),
    }
    body = strip_signature(obj)
    extensions = dict(body.get("extensions") or {})
    extensions[EXT_SIGNATURE] = ext
    body["extensions"] = extensions
    return body


def sign_objects(key: NodeKey, objs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sign a batch of objects under one seal; returns the signed copies."""
    digests = [signed_body(obj)[1] for obj in objs]
    seal = seal_batch(key, digests)
    return [attach_signature(obj, seal, i) for i, obj in enumerate(objs)]


_HEX_MESSAGE: Final = "must be 64 lowercase hex digits"


@functools.lru_cache(maxsize=1 << 14)
def _digest_hex(value: object) -> bytes:
    """32 bytes from exactly 64 lowercase hex digits (memoised: the proofs of one
    batch repeat the same upper siblings, and only valid text is remembered)."""
    if type(value) is str and len(value) == 2 * DIGEST_SIZE:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        # fromhex also takes upper case and spaces: the round trip refuses them
        if len(raw) == DIGEST_SIZE and raw.hex() == value:
            return raw
    raise SignatureError("malformed", _HEX_MESSAGE)


def _hex32(value: object, what: str) -> bytes:
    try:
        return _digest_hex(value)
    except (SignatureError, TypeError):  # TypeError: not hashable, so not a string
        raise SignatureError("malformed", f"{what} {_HEX_MESSAGE}") from None


def _proof_bytes(proof: list[object]) -> bytes:
    """The proof's sibling digests (a hot path of sync: each entry is decoded once)."""
    try:
        return b"".join(map(_digest_hex, proof))
    except (SignatureError, TypeError):
        raise SignatureError("malformed", f"proof entry {_HEX_MESSAGE}") from None


@functools.lru_cache(maxsize=4096)
def _signature_bytes(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("malformed", "signature is not base64") from None


def _parse(ext: object) -> tuple[str, bytes, int, int, bytes, bytes]:
    """Check the extension's shape; return key_id, root, leaves, index, proof, signature."""
    if not isinstance(ext, Mapping):
        raise SignatureError("malformed", "signature extension is not an object")
    if ext.get("extension_type") != "property-extension":
        raise SignatureError("malformed", "extension_type must be 'property-extension'")
    alg = ext.get("alg")
    if alg != ALG:
        raise SignatureError("malformed", f"unsupported alg {alg!r} (expected {ALG!r})")
    key_id = ext.get("key_id")
    if not isinstance(key_id, str) or not key_id:
        raise SignatureError("malformed", "key_id missing")
    root = _hex32(ext.get("root"), "root")
    leaves, index = ext.get("leaves"), ext.get("index")
    if type(leaves) is not int or not 1 <= leaves < 2**32:
        raise SignatureError("malformed", "leaves must be a positive integer")
    if type(index) is not int or not 0 <= index < leaves:
        raise SignatureError("malformed", "index must be an integer in 0..leaves-1")
    proof = ext.get("proof")
    if not isinstance(proof, list):
        raise SignatureError("malformed", "proof must be a list of hex strings")
    siblings = _proof_bytes(proof)
    signature_b64 = ext.get("signature")
    if not isinstance(signature_b64, str):
        raise SignatureError("malformed", "signature missing")
    signature = _signature_bytes(signature_b64)
    return key_id, root, leaves, index, siblings + leaves.to_bytes(4, "big"), signature


def verify_attached(
    obj: Mapping[str, Any],
    public_key: PublicKey | Mapping[str, PublicKey],
    *,
    cache: RootCache | None = None,
) -> VerifiedObject:
    """Verify the signature carried by *obj*; raise `SignatureError` if it fails.

    *public_key* is the expected signer's key, or a mapping of key id to key
    (e.g. all pinned partner keys). With a *cache*, each batch root's
    signature is verified once.
    """
    extensions = obj.get("extensions")
    if not isinstance(extensions, Mapping) or EXT_SIGNATURE not in extensions:
        raise SignatureError("missing-signature", f"object {obj.get('id')!r} is not signed")
    key_id, root, leaves, index, proof, signature = _parse(extensions[EXT_SIGNATURE])
    if isinstance(public_key, PublicKey):
        key = public_key if public_key.key_id == key_id else None
    else:
        key = public_key.get(key_id)
    if key is None or key.key_id != key_id:
        raise SignatureError("unknown-key", f"signed by key {key_id!r}, which is not pinned")
    body = strip_signature(obj)
    canonical = canonical_json(body)
    digest = hashlib.sha256(canonical).digest()
    found = (
        root_from_proof(digest, index, proof)
        if cache is None
        else cache.paths.root(digest, index, proof)
    )
    if found is None or found[0] != root:
        raise SignatureError(
            "bad-proof", f"object {obj.get('id')!r} does not match its inclusion proof"
        )
    ok = (
        cache.verify(key, root, leaves, signature)
        if cache is not None
        else verify_root(key, root, leaves, signature)
    )
    if not ok:
        raise SignatureError("bad-signature", f"batch root {root.hex()} signature is invalid")
    return VerifiedObject(
        obj=body, canonical=canonical, digest=digest, key_id=key_id, root=root, index=index
    )
