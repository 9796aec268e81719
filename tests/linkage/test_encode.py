"""Encodings and matching: hardening does what it says, the compiled Dice
kernels agree with a plain numpy reference, blocking loses nothing the schema's
threshold keeps on near-duplicates, and the assignment is one-to-one."""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.linkage import Blocking, Hardening, LinkageError, default_schema, encode, tokenize
from liaison.linkage._match import match, popcounts, words
from liaison.linkage._tokens import PERMUTATION_TOKEN


def keys_for(*batches: object) -> dict[str, bytes]:
    vocab = {PERMUTATION_TOKEN}
    for b in batches:
        vocab |= set(b.vocab)  # type: ignore[attr-defined]
    return {t: hashlib.sha256(b"test" + t.encode()).digest() for t in vocab}


PEOPLE = [
    (
        "p1",
        {
            "names": ["Omar Haddad"],
            "date_of_birth": "1987-04-12",
            "year_of_birth": "1987",
            "sex": "male",
            "nationalities": ["TN"],
        },
    ),
    (
        "p2",
        {
            "names": ["Fatima Saleh"],
            "date_of_birth": "1991-11-02",
            "year_of_birth": "1991",
            "sex": "female",
            "nationalities": ["MA"],
        },
    ),
]


def test_balanced_encodings_have_exactly_half_their_bits_set() -> None:
    s = default_schema()
    batch = tokenize(s, PEOPLE)
    bits = np.unpackbits(encode(s, batch, keys_for(batch)), axis=1)
    assert bits.shape == (2, 1024)
    assert (bits.sum(axis=1) == 512).all()


def test_the_salt_moves_every_token() -> None:
    """The same name and date, salted by another year of birth, shares no more
    than chance with the original (no pattern repeats across salts)."""
    s = default_schema()
    base = dict(PEOPLE[0][1])
    other = base | {"year_of_birth": "1988"}
    batch = tokenize(s, [("a", base), ("b", base), ("c", other)])
    enc = encode(s, batch, keys_for(batch))
    bits = np.unpackbits(enc, axis=1).astype(int)
    same = (bits[0] == bits[1]).mean()
    across = (bits[0] == bits[2]).mean()
    assert same == 1.0
    assert 0.4 < across < 0.62  # about what two unrelated balanced filters share


def test_xor_folded_encodings() -> None:
    s = dataclasses.replace(default_schema(), hardening=Hardening("year_of_birth", "xor-fold"))
    batch = tokenize(s, PEOPLE)
    enc = encode(s, batch, keys_for(batch))
    assert enc.shape == (2, 128)
    assert not (enc[0] == enc[1]).all()


def test_encoding_without_every_token_key_is_refused() -> None:
    s = default_schema()
    batch = tokenize(s, PEOPLE)
    keys = keys_for(batch)
    keys.pop(batch.vocab[0])
    with pytest.raises(LinkageError, match="1 token"):
        encode(s, batch, keys)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.floats(0.3, 0.95), st.integers(0, 2**32))
def test_compiled_dice_equals_the_numpy_reference(n: int, m: int, t: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = np.packbits(rng.random((n, 1024)) < rng.uniform(0.1, 0.6), axis=1)
    b = a[rng.integers(0, n, m)].copy()  # near-duplicates, so pairs above t exist
    noise = np.packbits(rng.random((m, 1024)) < 0.03, axis=1)
    b ^= noise
    s = dataclasses.replace(default_schema(), blocking=Blocking(0, 12))
    got = match(s, a, b, threshold=t, one_to_one=False)
    inter = np.bitwise_count(words(a)[:, None, :] & words(b)[None, :, :]).sum(axis=2)
    ref = 2 * inter / (popcounts(a)[:, None] + popcounts(b)[None, :])
    want = {(int(i), int(j)) for i, j in zip(*np.nonzero(ref >= t), strict=True)}
    assert {(int(i), int(j)) for i, j in zip(got.left, got.right, strict=True)} == want
    for i, j, sc in zip(got.left, got.right, got.score, strict=True):
        assert sc == pytest.approx(ref[i, j], abs=1e-6)


def test_blocking_keeps_near_duplicates_and_compares_far_fewer_pairs() -> None:
    from liaison.linkage._person import person_values
    from liaison.linkage.generate import ground_truth, two_lists

    s = default_schema()
    a, b = two_lists(800, 800, 400, seed=3, party_a="x", party_b="y", rate=0.3)
    ta = tokenize(s, [(o.obj["id"], person_values(o.obj)) for o in a])
    tb = tokenize(s, [(o.obj["id"], person_values(o.obj)) for o in b])
    keys = keys_for(ta, tb)
    ea, eb = encode(s, ta, keys), encode(s, tb, keys)
    dense = match(dataclasses.replace(s, blocking=Blocking(0, 12)), ea, eb)
    blocked = match(s, ea, eb)
    truth = ground_truth(a, b)
    found_dense = {(int(i), int(j)) for i, j in zip(dense.left, dense.right, strict=True)} & truth
    found = {(int(i), int(j)) for i, j in zip(blocked.left, blocked.right, strict=True)} & truth
    assert len(found) >= 0.98 * len(found_dense)
    assert blocked.compared < 0.1 * dense.compared


def test_one_to_one_keeps_each_record_once_best_first() -> None:
    s = dataclasses.replace(default_schema(), blocking=Blocking(0, 12))
    rng = np.random.default_rng(1)
    a = np.packbits(rng.random((5, 1024)) < 0.5, axis=1)
    b = np.concatenate([a, a])  # every record twice on the other side
    got = match(s, a, b, threshold=0.9)
    assert len(got) == 5
    assert len(set(got.left.tolist())) == 5 and len(set(got.right.tolist())) == 5
    assert list(got.score) == sorted(got.score, reverse=True)
