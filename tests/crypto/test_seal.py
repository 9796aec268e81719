"""Merkle batch seals: every proof verifies; any tampering or other key fails."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.crypto.keys import NodeKey
from liaison.crypto.merkle import PathMemo, build_tree, leaf_hash, node_hash, root_from_proof
from liaison.crypto.seal import RootCache, seal_batch, seal_message, verify_digest, verify_root

KEY = NodeKey.generate()
OTHER = NodeKey.generate()

digest_lists = st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=300, unique=True)


def _flip(data: bytes, pos: int, bit: int) -> bytes:
    out = bytearray(data)
    out[pos % len(out)] ^= 1 << bit
    return bytes(out)


@given(digest_lists)
@settings(max_examples=150, deadline=None)
def test_every_proof_verifies(digests: list[bytes]) -> None:
    seal = seal_batch(KEY, digests)
    tree = build_tree(digests)
    assert seal.root == tree.root
    assert seal.leaves == len(digests)
    assert len(seal.proofs) == len(digests)
    cache = RootCache()
    for i, digest in enumerate(digests):
        assert seal.proofs[i] == tree.proof(i)
        assert verify_digest(digest, seal.proofs[i], seal.root, seal.signature, KEY.public_key, i)
        assert verify_digest(
            digest, seal.proofs[i], seal.root, seal.signature, KEY.public_key, i, cache=cache
        )
    assert cache.misses == 1
    assert cache.hits == len(digests) - 1


@given(digest_lists, st.data())
@settings(max_examples=300, deadline=None)
def test_any_flipped_bit_fails(digests: list[bytes], data: st.DataObject) -> None:
    seal = seal_batch(KEY, digests)
    i = data.draw(st.integers(0, len(digests) - 1))
    args = [digests[i], seal.proofs[i], seal.root, seal.signature]
    assert verify_digest(*args, KEY.public_key, i)  # type: ignore[arg-type]
    which = data.draw(st.integers(0, 3))
    pos = data.draw(st.integers(0, 10**6))
    bit = data.draw(st.integers(0, 7))
    args[which] = _flip(args[which], pos, bit)
    assert not verify_digest(*args, KEY.public_key, i)  # type: ignore[arg-type]


@given(digest_lists, st.data())
@settings(max_examples=150, deadline=None)
def test_other_key_or_index_fails(digests: list[bytes], data: st.DataObject) -> None:
    seal = seal_batch(KEY, digests)
    i = data.draw(st.integers(0, len(digests) - 1))
    proof = seal.proofs[i]
    assert not verify_digest(digests[i], proof, seal.root, seal.signature, OTHER.public_key, i)
    forged = seal_batch(OTHER, digests)
    assert not verify_digest(digests[i], proof, seal.root, forged.signature, KEY.public_key, i)
    j = data.draw(st.integers(0, len(digests) - 1).filter(lambda j: j != i))
    if len(digests) > 1:
        assert not verify_digest(digests[i], proof, seal.root, seal.signature, KEY.public_key, j)
        assert not verify_digest(digests[j], proof, seal.root, seal.signature, KEY.public_key, i)


def test_single_leaf_tree() -> None:
    d = hashlib.sha256(b"x").digest()
    seal = seal_batch(KEY, [d])
    assert seal.root == leaf_hash(d)
    assert seal.proofs == [(1).to_bytes(4, "big")]
    assert verify_digest(d, seal.proofs[0], seal.root, seal.signature, KEY.public_key, 0)


def test_shape_for_three_leaves() -> None:
    a, b, c = (hashlib.sha256(bytes([n])).digest() for n in range(3))
    tree = build_tree([a, b, c])
    la, lb, lc = leaf_hash(a), leaf_hash(b), leaf_hash(c)
    assert tree.root == node_hash(node_hash(la, lb), lc)
    assert tree.proof(2) == node_hash(la, lb) + (3).to_bytes(4, "big")
    assert tree.proof(0) == lb + lc + (3).to_bytes(4, "big")


def test_no_duplicate_last_leaf_ambiguity() -> None:
    a, b, c = (hashlib.sha256(bytes([n])).digest() for n in range(3))
    assert build_tree([a, b, c]).root != build_tree([a, b, c, c]).root


def test_inner_node_is_not_a_leaf() -> None:
    ds = [hashlib.sha256(bytes([n])).digest() for n in range(4)]
    tree = build_tree(ds)
    inner = tree.levels[1]
    # The two inner nodes as leaves of a two-leaf tree do not give the same root.
    assert build_tree(inner).root != tree.root
    # Nor does any proof make an inner node pass for a leaf.
    assert root_from_proof(inner[0], 0, inner[1] + (2).to_bytes(4, "big")) != (tree.root, 2)


def test_leaf_count_is_signed() -> None:
    # Five and six leaves give index 0 the same path shape; the count must still matter.
    ds = [hashlib.sha256(bytes([n])).digest() for n in range(5)]
    seal = seal_batch(KEY, ds)
    forged_proof = seal.proofs[0][:-4] + (6).to_bytes(4, "big")
    assert root_from_proof(ds[0], 0, forged_proof) == (seal.root, 6)
    assert not verify_digest(ds[0], forged_proof, seal.root, seal.signature, KEY.public_key, 0)
    assert not verify_root(KEY.public_key, seal.root, 6, seal.signature)
    assert verify_root(KEY.public_key, seal.root, 5, seal.signature)


def test_malformed_proofs_are_rejected() -> None:
    ds = [hashlib.sha256(bytes([n])).digest() for n in range(8)]
    seal = seal_batch(KEY, ds)
    p = seal.proofs[3]
    assert root_from_proof(ds[3], 3, p[:-5] + p[-4:]) is None  # truncated sibling
    assert root_from_proof(ds[3], 3, p[32:]) is None  # one sibling short
    assert root_from_proof(ds[3], 3, p[:32] + p) is None  # one sibling too many
    assert root_from_proof(ds[3], 8, p) is None  # index beyond the count
    assert root_from_proof(ds[3], -1, p) is None
    assert root_from_proof(ds[3][:31], 3, p) is None
    assert not verify_digest(ds[3], b"", seal.root, seal.signature, KEY.public_key, 3)


def test_build_tree_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one"):
        build_tree([])
    with pytest.raises(ValueError, match="32 bytes"):
        build_tree([b"short"])


def test_seal_message_is_domain_separated() -> None:
    root = bytes(32)
    msg = seal_message(root, 3, KEY.key_id)
    assert msg.startswith(b"liaison/batch-seal/v1\x00ed25519-merkle-sha256\x00")
    assert KEY.key_id.encode() in msg
    assert msg != seal_message(root, 4, KEY.key_id)
    assert msg != seal_message(root, 3, OTHER.key_id)


def test_root_cache_is_bounded_and_remembers_only_successes() -> None:
    cache = RootCache(maxsize=2)
    seals = [seal_batch(KEY, [hashlib.sha256(bytes([n])).digest()]) for n in range(3)]
    bad = bytes(64)
    assert not cache.verify(KEY.public_key, seals[0].root, 1, bad)
    assert len(cache) == 0
    for s in seals:
        assert cache.verify(KEY.public_key, s.root, 1, s.signature)
    assert len(cache) == 2
    assert cache.verify(KEY.public_key, seals[2].root, 1, seals[2].signature)
    assert cache.hits == 1
    # A cached root does not vouch for another key or another signature.
    assert not cache.verify(OTHER.public_key, seals[2].root, 1, seals[2].signature)
    assert not cache.verify(KEY.public_key, seals[2].root, 1, seals[1].signature)
    with pytest.raises(ValueError, match="maxsize"):
        RootCache(0)


def test_seal_repr_is_short() -> None:
    seal = seal_batch(KEY, [bytes(32)] * 3)
    assert "proofs" not in repr(seal)
    assert seal.root.hex() in repr(seal)


@given(st.lists(digest_lists, min_size=1, max_size=3), st.data())
@settings(max_examples=150, deadline=None)
def test_path_memo_answers_as_root_from_proof(
    batches: list[list[bytes]], data: st.DataObject
) -> None:
    """One memo over several batches, leaves in any order, some proofs tampered with
    (a sibling bit, the count, the index, a truncation): always the plain answer."""
    memo = PathMemo(maxsize=data.draw(st.sampled_from([8, 64, 32768])))
    cases = [
        (d, i, p)
        for b in batches
        for i, (d, p) in enumerate(zip(b, build_tree(b).proofs(), strict=True))
    ]
    order = data.draw(st.permutations(range(len(cases))))
    for n in order:
        digest, index, proof = cases[n]
        how = data.draw(st.sampled_from(["as is", "as is", "bit", "index", "cut", "longer"]))
        if how == "bit":
            proof = _flip(
                proof, data.draw(st.integers(0, len(proof) - 1)), data.draw(st.integers(0, 7))
            )
        elif how == "index":
            index = data.draw(st.integers(0, 2 * len(cases)))
        elif how == "cut" and len(proof) > 4:
            proof = proof[32:]
        elif how == "longer":
            proof = bytes(32) + proof
        expected = root_from_proof(digest, index, proof)
        assert memo.root(digest, index, proof) == expected
        if how == "as is":
            assert expected is not None and expected[0] in {build_tree(b).root for b in batches}
    assert len(memo) <= memo.maxsize


def test_path_memo_shares_hashing_between_neighbours() -> None:
    digests = [hashlib.sha256(bytes([i, j])).digest() for i in range(4) for j in range(250)]
    tree = build_tree(digests)
    memo = PathMemo()
    for i, proof in enumerate(tree.proofs()):
        assert memo.root(digests[i], i, proof) == (tree.root, 1000)
    # each inner node is kept once with the rest of the proof above it
    inner = sum(len(level) for level in tree.levels[1:-1])
    assert len(memo) <= inner
    # a node reached with another rest of proof (another leaf count) is not reused:
    # the count found is the one this proof carries (the seal signs it)
    other = tree.proofs()[0][:-4] + (1001).to_bytes(4, "big")
    found = memo.root(digests[0], 0, other)
    assert found == root_from_proof(digests[0], 0, other)
    assert found is not None and found[1] == 1001
