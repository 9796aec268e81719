"""Merkle trees over object digests, with compact inclusion proofs.

Hashing is SHA-256 with domain separation, so a leaf can never pass for an
inner node or the reverse::

    leaf = H(0x00 || digest)
    node = H(0x01 || left || right)

A level with an odd number of nodes promotes its last node unchanged to the
next level (it is never paired with itself, which would let two different
batches share a root). The tree over a single digest is that digest's leaf.

A proof is the concatenation of the sibling hashes met on the way from the
leaf to the root (32 bytes each, bottom up), followed by the number of leaves
as a 4-byte big-endian integer. Together with the leaf index this fixes the
path: at each level the sibling is on the left if the node's position is odd,
on the right if it is even and not last, and absent if it is last and alone.

All proofs of a batch are built level by level in O(n) hashing steps; the
shared upper part of the paths is concatenated once per subtree, and the per
item work runs inside C-level ``map`` calls.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from itertools import repeat
from typing import Final

__all__ = [
    "DIGEST_SIZE",
    "MAX_LEAVES",
    "MerkleTree",
    "PathMemo",
    "build_tree",
    "leaf_hash",
    "node_hash",
    "root_from_proof",
]

DIGEST_SIZE: Final = 32
#: The proof's leaf count is a 4-byte integer.
MAX_LEAVES: Final = 2**32 - 1
_LEAF: Final = b"\x00"
_NODE: Final = b"\x01"
_COUNT: Final = struct.Struct(">I")
_sha256 = hashlib.sha256
_digest_of = type(hashlib.sha256()).digest
_concat = bytes.__add__


def leaf_hash(digest: bytes) -> bytes:
    """Hash of a leaf holding *digest*."""
    return _sha256(_LEAF + digest).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an inner node over two children."""
    return _sha256(_NODE + left + right).digest()


def _hash_all(
    prefix: bytes, items: Sequence[bytes], seconds: Sequence[bytes] | None
) -> list[bytes]:
    """H(prefix || a [|| b]) over all items, iterating in C."""
    data = map(_concat, repeat(prefix), items)
    if seconds is not None:
        data = map(_concat, data, seconds)
    return list(map(_digest_of, map(_sha256, data)))


class MerkleTree:
    """All levels of a tree: ``levels[0]`` are the leaves, ``levels[-1]`` the root."""

    __slots__ = ("levels",)

    def __init__(self, levels: list[list[bytes]]) -> None:
        self.levels = levels

    @property
    def root(self) -> bytes:
        """The root hash."""
        return self.levels[-1][0]

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    def proofs(self) -> list[bytes]:
        """One proof per leaf, in leaf order (see module docstring for the format)."""
        levels = self.levels
        suffix = [_COUNT.pack(self.size)]  # the path above the root: just the count
        for level in reversed(levels[:-1]):
            width = len(level)
            pairs = width // 2
            parents = suffix[:pairs]
            out: list[bytes] = [b""] * width
            # Even positions take their right neighbour, odd ones their left.
            out[0 : 2 * pairs : 2] = map(_concat, level[1::2], parents)
            out[1 : 2 * pairs : 2] = map(_concat, level[0 : 2 * pairs : 2], parents)
            if width % 2:
                out[-1] = suffix[-1]  # promoted: no sibling at this level
            suffix = out
        return suffix

    def proof(self, index: int) -> bytes:
        """Proof of one leaf, without building the others."""
        if not 0 <= index < self.size:
            raise IndexError(f"leaf index {index} outside 0..{self.size - 1}")
        parts: list[bytes] = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                parts.append(level[sibling])
            index >>= 1
        parts.append(_COUNT.pack(self.size))
        return b"".join(parts)


def build_tree(digests: Sequence[bytes]) -> MerkleTree:
    """Build the tree over *digests* (each 32 bytes, at least one)."""
    count = len(digests)
    if count == 0:
        raise ValueError("a Merkle tree needs at least one digest")
    if count > MAX_LEAVES:
        raise ValueError(f"at most {MAX_LEAVES} digests per tree")
    for digest in digests:
        if type(digest) is not bytes or len(digest) != DIGEST_SIZE:
            raise ValueError("every digest must be 32 bytes (SHA-256)")
    level = _hash_all(_LEAF, digests, None)
    levels = [level]
    while len(level) > 1:
        pairs = len(level) // 2
        upper = _hash_all(_NODE, level[0 : 2 * pairs : 2], level[1 : 2 * pairs : 2])
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
        levels.append(level)
    return MerkleTree(levels)


def root_from_proof(digest: bytes, index: int, proof: bytes) -> tuple[bytes, int] | None:
    """Recompute the root from a leaf digest, its index and its proof.

    Returns ``(root, leaf_count)``, or None if the proof is malformed for that
    index (wrong length, index beyond the count).
    """
    if len(digest) != DIGEST_SIZE or len(proof) < 4 or (len(proof) - 4) % DIGEST_SIZE:
        return None
    (count,) = _COUNT.unpack_from(proof, len(proof) - 4)
    if not 0 <= index < count:
        return None
    node = _sha256(_LEAF + digest).digest()
    offset = 0
    end = len(proof) - 4
    width = count
    while width > 1:
        if index & 1 or index + 1 < width:
            if offset + DIGEST_SIZE > end:
                return None
            sibling = proof[offset : offset + DIGEST_SIZE]
            offset += DIGEST_SIZE
            if index & 1:
                node = _sha256(_NODE + sibling + node).digest()
            else:
                node = _sha256(_NODE + node + sibling).digest()
        index >>= 1
        width = (width + 1) >> 1
    if offset != end:
        return None
    return node, count


class PathMemo:
    """``root_from_proof`` for many leaves of the same batches, hashing each inner
    node once: where a leaf's path meets a node already computed, with the same
    rest of proof, the root found from there is reused.

    The way from a node to the root depends only on the node, its level and
    position and the rest of the proof (siblings and leaf count), so reusing it
    is exact. Bounded (cleared when full); owned by one verifier.
    """

    __slots__ = ("_known", "maxsize")

    def __init__(self, maxsize: int = 32768) -> None:
        self.maxsize = maxsize
        # (level, position, node) -> (rest of the proof from there, root)
        self._known: dict[tuple[int, int, bytes], tuple[bytes, bytes]] = {}

    def __len__(self) -> int:
        return len(self._known)

    def root(self, digest: bytes, index: int, proof: bytes) -> tuple[bytes, int] | None:
        """Same answer as ``root_from_proof(digest, index, proof)``."""
        size = len(proof)
        if len(digest) != DIGEST_SIZE or size < 4 or (size - 4) % DIGEST_SIZE:
            return None
        (count,) = _COUNT.unpack_from(proof, size - 4)
        if not 0 <= index < count:
            return None
        known = self._known
        node = _sha256(_LEAF + digest).digest()
        offset, end, width, level = 0, size - 4, count, 0
        walked: list[tuple[tuple[int, int, bytes], int]] = []
        found: bytes | None = None
        while width > 1:
            if level:  # a leaf's own state is never shared: not looked up or kept
                state = (level, index, node)
                hit = known.get(state)
                if hit is not None and len(hit[0]) == size - offset and proof.endswith(hit[0]):
                    found = hit[1]
                    break
                walked.append((state, offset))
            if index & 1 or index + 1 < width:
                if offset + DIGEST_SIZE > end:
                    return None
                sibling = proof[offset : offset + DIGEST_SIZE]
                offset += DIGEST_SIZE
                if index & 1:
                    node = _sha256(_NODE + sibling + node).digest()
                else:
                    node = _sha256(_NODE + node + sibling).digest()
            index >>= 1
            width = (width + 1) >> 1
            level += 1
        if found is None:
            if offset != end:
                return None
            found = node
        if len(known) + len(walked) > self.maxsize:
            known.clear()
        for state, at in walked:
            known[state] = (proof[at:], found)
        return found, count
