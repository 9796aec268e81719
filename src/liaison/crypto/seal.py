"""Batch seals: one Ed25519 signature over the Merkle root of many digests.

The signature covers a domain-separated message::

    b"liaison/batch-seal/v1\\x00" || alg || 0x00 || key_id || 0x00
        || leaf count (8 bytes, big-endian) || root (32 bytes)

so a seal cannot be mistaken for any other signature a node makes, and it is
bound to the signing key's id, the algorithm and the size of the batch. Each
digest is then verifiable on its own from (digest, index, proof, root,
signature) and the signer's public key.
"""

from __future__ import annotations

import struct
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from liaison.crypto.keys import NodeKey, PublicKey
from liaison.crypto.merkle import DIGEST_SIZE, PathMemo, build_tree, root_from_proof

__all__ = [
    "ALG",
    "BatchSeal",
    "RootCache",
    "seal_batch",
    "seal_message",
    "verify_digest",
    "verify_root",
]

#: Algorithm name carried on the wire.
ALG: Final = "ed25519-merkle-sha256"
_DOMAIN: Final = b"liaison/batch-seal/v1\x00"
_U64: Final = struct.Struct(">Q")


def seal_message(root: bytes, leaves: int, key_id: str, alg: str = ALG) -> bytes:
    """The exact bytes a batch seal signs."""
    if len(root) != DIGEST_SIZE:
        raise ValueError("a Merkle root is 32 bytes")
    return b"".join(
        (
            _DOMAIN,
            alg.encode("ascii"),
            b"\x00",
            key_id.encode("ascii"),
            b"\x00",
            _U64.pack(leaves),
            root,
        )
    )


@dataclass(frozen=True, slots=True)
class BatchSeal:
    """A signed Merkle root and one inclusion proof per sealed digest."""

    root: bytes
    signature: bytes
    key_id: str
    leaves: int
    proofs: list[bytes]
    alg: str = ALG

    def __repr__(self) -> str:
        return (
            f"BatchSeal(root={self.root.hex()}, key_id={self.key_id!r}, "
            f"leaves={self.leaves}, alg={self.alg!r})"
        )


def seal_batch(key: NodeKey, digests: Sequence[bytes]) -> BatchSeal:
    """Seal *digests* (32-byte SHA-256 values, at least one) with *key*."""
    tree = build_tree(digests)
    root = tree.root
    signature = key.sign(seal_message(root, tree.size, key.key_id))
    return BatchSeal(
        root=root,
        signature=signature,
        key_id=key.key_id,
        leaves=tree.size,
        proofs=tree.proofs(),
    )


class RootCache:
    """Remembers batch roots whose signature already verified.

    Verifying thousands of objects from one batch then costs one Ed25519
    verification. Only successes are remembered; the cache is bounded
    (least recently used entries are dropped) and belongs to its owner, so
    nothing is shared between unrelated verifications. It also carries a
    `PathMemo` (``paths``), so the inclusion proofs of neighbouring objects
    share their hashing.
    """

    __slots__ = ("_good", "hits", "maxsize", "misses", "paths")

    def __init__(self, maxsize: int = 4096) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._good: OrderedDict[tuple[bytes, bytes, int, bytes, str], None] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.paths = PathMemo()

    def verify(
        self, public_key: PublicKey, root: bytes, leaves: int, signature: bytes, alg: str = ALG
    ) -> bool:
        """Like `verify_root`, consulting and filling the cache."""
        entry = (public_key.raw, root, leaves, signature, alg)
        good = self._good
        if entry in good:
            good.move_to_end(entry)
            self.hits += 1
            return True
        self.misses += 1
        if not verify_root(public_key, root, leaves, signature, alg):
            return False
        good[entry] = None
        if len(good) > self.maxsize:
            good.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._good)


def verify_root(
    public_key: PublicKey, root: bytes, leaves: int, signature: bytes, alg: str = ALG
) -> bool:
    """True if *signature* seals *root* over *leaves* leaves under *public_key*."""
    if alg != ALG or len(root) != DIGEST_SIZE or not 1 <= leaves < 2**32:
        return False
    return public_key.verify(signature, seal_message(root, leaves, public_key.key_id, alg))


def verify_digest(
    digest: bytes,
    proof: bytes,
    root: bytes,
    signature: bytes,
    public_key: PublicKey,
    index: int,
    *,
    cache: RootCache | None = None,
) -> bool:
    """True if *digest* is leaf *index* of a batch sealed by *public_key*.

    With a *cache*, the root signature is checked once per batch.
    """
    found = (
        root_from_proof(digest, index, proof)
        if cache is None
        else cache.paths.root(digest, index, proof)
    )
    if found is None or found[0] != root:
        return False
    leaves = found[1]
    if cache is not None:
        return cache.verify(public_key, root, leaves, signature)
    return verify_root(public_key, root, leaves, signature)
