"""Known attacks, run against liaison's encodings of generated persons (the
attacker holds the plaintext of exactly the persons encoded: 100 % overlap, no
token keys), and against unhardened CLKs of the same records for contrast."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from liaison.linkage import attacks as atk
from liaison.linkage import default_schema, encode, tokenize
from liaison.linkage._person import person_values
from liaison.linkage._tokens import PERMUTATION_TOKEN, Tokenized
from liaison.linkage.generate import FALLBACK_MIX, observe, population

N = 2000


@pytest.fixture(scope="module")
def world() -> tuple[Tokenized, np.ndarray, Tokenized, np.ndarray]:
    """Hardened encodings and their plaintext tokens; classic CLKs of the same
    records (every date digit, no salt) and theirs."""
    rng = random.Random(2015)
    people = population(N, rng, FALLBACK_MIX)
    held = [observe(p, rng, party="x", rate=0.0) for p in people]
    s = default_schema()
    values = [(o.obj["id"], person_values(o.obj)) for o in held]
    batch = tokenize(s, values)
    keys = {
        t: hashlib.sha256(b"k" + t.encode()).digest() for t in [*batch.vocab, PERMUTATION_TOKEN]
    }
    plain_u = tokenize(atk.unhardened_schema(s), values)
    return batch, encode(s, batch, keys), plain_u, atk.unhardened(s, plain_u, b"one secret")


@pytest.mark.parametrize(
    "attack", [atk.frequency_attack, atk.pattern_mining_attack, atk.graph_attack]
)
def test_attacks_reidentify_at_most_one_percent_of_hardened_encodings(attack, world) -> None:  # type: ignore[no-untyped-def]
    batch, hardened, _, _ = world
    result = attack(hardened, batch, np.arange(N))
    assert result.rate <= 0.01, result


def test_the_salt_aware_graph_attack_stays_under_one_percent(world) -> None:  # type: ignore[no-untyped-def]
    batch, hardened, _, _ = world
    assert atk.graph_attack(hardened, batch, np.arange(N), adaptive=True).rate <= 0.01


def test_the_graph_attack_finds_more_in_unhardened_encodings(world) -> None:  # type: ignore[no-untyped-def]
    """Contrast: the same attack re-identifies several times more records from
    classic CLKs of the same persons (how many depends on the population: see
    docs/linkage.md for the measured table)."""
    batch, hardened, plain_u, unhardened = world
    broken = atk.graph_attack(unhardened, plain_u, np.arange(N))
    kept = atk.graph_attack(hardened, batch, np.arange(N))
    assert broken.reidentified >= 3 * max(1, kept.reidentified)


def test_pattern_mining_identifies_tokens_only_without_hardening(world) -> None:  # type: ignore[no-untyped-def]
    """Tokens whose presence the mined positions tell (frequent enough that telling
    is not trivial) — many without hardening, none with it."""
    batch, hardened, plain_u, unhardened = world
    counts = []
    for bits8, tokens in ((unhardened, plain_u), (hardened, batch)):
        plain = atk.token_matrix(tokens)
        k = np.zeros(len(tokens.vocab), dtype=np.int64)
        np.maximum.at(k, tokens.token.astype(np.int64), tokens.k.astype(np.int64))
        bits = np.unpackbits(bits8, axis=1).astype(bool)
        found = atk._mine(bits, plain, k, max_tokens=200)
        told = 0
        for t, pos in found.items():
            f = plain[:, t].mean()
            if 0.05 <= f <= 0.95 and (bits[:, pos].all(axis=1) == plain[:, t]).mean() > 0.98:
                told += 1
        counts.append(told)
    assert counts[0] >= 3
    assert counts[1] == 0
