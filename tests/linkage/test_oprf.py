"""The two-party OPRF: both nodes' secrets are needed for every token key, the
evaluator sees only random-looking elements, and a partner that evaluates with
another key than the one it published is caught by the proof."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from liaison.linkage import LinkageError
from liaison.linkage import _oprf as o

CTX = b"schema:test"
TOKENS = [f"name\x1f{c}a".encode() for c in "abcdefgh"]


def keys_for(asker: o.OprfKey, evaluator: o.OprfKey, tokens: list[bytes]) -> list[bytes]:
    blinded = o.blind(tokens, asker, CTX)
    evaluated, proof = o.evaluate(evaluator, blinded.elements, CTX)
    return o.finalize(tokens, blinded, evaluated, proof, evaluator.public, CTX)


def test_both_sides_derive_the_same_keys_and_each_key_needs_both_secrets() -> None:
    a, b, c = o.OprfKey.generate(), o.OprfKey.generate(), o.OprfKey.generate()
    ka = keys_for(a, b, TOKENS)
    assert ka == keys_for(b, a, TOKENS)  # A asking B = B asking A
    assert len(set(ka)) == len(TOKENS)
    assert keys_for(a, c, TOKENS) != ka  # another partner's secret: other keys
    assert keys_for(c, b, TOKENS) != ka


def test_blinded_elements_reveal_nothing_repeatable() -> None:
    a = o.OprfKey.generate()
    first, second = o.blind(TOKENS[:1], a, CTX), o.blind(TOKENS[:1], a, CTX)
    assert first.elements != second.elements
    assert first.elements[0] != o.hash_to_group(TOKENS[0], CTX)


def test_an_evaluation_with_another_key_fails_the_proof() -> None:
    a, b, mallory = o.OprfKey.generate(), o.OprfKey.generate(), o.OprfKey.generate()
    blinded = o.blind(TOKENS, a, CTX)
    evaluated, proof = o.evaluate(mallory, blinded.elements, CTX)
    with pytest.raises(o.OprfProofError, match="did not use the key it published"):
        o.finalize(TOKENS, blinded, evaluated, proof, b.public, CTX)
    honest, proof = o.evaluate(b, blinded.elements, CTX)
    mixed = [*honest[:-1], evaluated[-1]]  # one element evaluated with another key
    with pytest.raises(o.OprfProofError):
        o.finalize(TOKENS, blinded, mixed, proof, b.public, CTX)


def test_points_outside_the_group_are_refused() -> None:
    b = o.OprfKey.generate()
    with pytest.raises(o.OprfProofError, match="not a point of the prime-order group"):
        o.evaluate(b, [bytes(32)], CTX)
    with pytest.raises(o.OprfProofError):
        o.evaluate(b, [os.urandom(31)], CTX)


def test_key_file_is_created_0600_and_refused_when_others_can_read(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ru.oprf"
    key = o.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert o.load_or_create_key(path) == key  # never overwritten
    path.chmod(0o644)
    with pytest.raises(LinkageError, match="accessible by others"):
        o.load_or_create_key(path)
