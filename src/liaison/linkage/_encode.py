"""Keyed Bloom-filter encodings with hardening, vectorised.

Each token ``t`` of a record with salt ``s`` sets ``k`` positions drawn from
``BLAKE2b(key = key(t), s)`` — ``key(t)`` being the token's two-party OPRF key —
in a base filter; the base filter is then balanced (concatenated with its
complement and permuted by a key-derived permutation: every encoding has exactly
half its bits set) or XOR-folded (a base of twice the length folded onto
itself). Without the token keys nobody can tell which positions a token sets;
with the salt, one token sets different positions in records of different salt
values, so bit patterns do not repeat across the population.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from liaison.linkage._errors import LinkageError
from liaison.linkage._schema import MAX_K, Schema
from liaison.linkage._tokens import PERMUTATION_TOKEN, Tokenized

_CHUNK = 16_384
Bits = npt.NDArray[np.uint8]


def base_bits(schema: Schema) -> int:
    """Length of the filter the tokens are hashed into, before hardening."""
    return schema.bits // 2 if schema.hardening.mode == "balance" else schema.bits * 2


def positions(key: bytes, salt: bytes, modulus: int) -> npt.NDArray[np.int64]:
    """``MAX_K`` positions in ``[0, modulus)`` for one token key and salt."""
    raw = b"".join(
        hashlib.blake2b(salt + bytes([block]), key=key, digest_size=64).digest()
        for block in range(MAX_K * 2 // 64)
    )
    return np.frombuffer(raw, dtype="<u2").astype(np.int64) % modulus


def permutation(key: bytes, n: int) -> npt.NDArray[np.int64]:
    """A permutation of ``range(n)`` derived from a key (shared by both partners,
    computable by nobody else)."""
    seed = int.from_bytes(hashlib.sha256(b"liaison-linkage-permutation|" + key).digest(), "big")
    return np.random.Generator(np.random.PCG64(seed)).permutation(n)


def encode(schema: Schema, batch: Tokenized, keys: Mapping[str, bytes]) -> Bits:
    """The encodings of ``batch``: ``(len(batch), schema.bits // 8)`` bytes.

    ``keys`` maps every vocabulary entry (and the permutation token, when
    balancing) to its 32-byte OPRF key.
    """
    missing = [t for t in batch.vocab if t not in keys]
    if missing:
        raise LinkageError(f"{len(missing)} token(s) have no key yet (evaluate them first)")
    width = base_bits(schema)
    salt_ids: dict[str, int] = {}
    record_salt = np.asarray(
        [salt_ids.setdefault(s, len(salt_ids)) for s in batch.salts], dtype=np.int64
    )
    entry_record = batch.record_of_entry
    pair = batch.token.astype(np.int64) * len(salt_ids) + record_salt[entry_record]
    pairs, pair_of_entry = np.unique(pair, return_inverse=True)
    salts = list(salt_ids)
    table = np.empty((len(pairs), MAX_K), dtype=np.int64)
    for n, p in enumerate(pairs.tolist()):
        tok, salt = divmod(p, len(salt_ids))
        table[n] = positions(keys[batch.vocab[tok]], salts[salt].encode(), width)
    perm = None
    if schema.hardening.mode == "balance":
        perm = permutation(keys[PERMUTATION_TOKEN], schema.bits)
    out = np.empty((len(batch), schema.bits // 8), dtype=np.uint8)
    for start in range(0, len(batch), _CHUNK):
        stop = min(len(batch), start + _CHUNK)
        lo, hi = int(batch.offsets[start]), int(batch.offsets[stop])
        base = _scatter(
            entry_record[lo:hi] - start,
            pair_of_entry[lo:hi],
            batch.k[lo:hi],
            table,
            stop - start,
            width,
        )
        out[start:stop] = np.packbits(harden(schema, base, perm), axis=1)
    return out


def _scatter(
    rec: npt.NDArray[np.int64],
    pair_of_entry: npt.NDArray[np.int64],
    k: npt.NDArray[np.int16],
    table: npt.NDArray[np.int64],
    n: int,
    width: int,
) -> npt.NDArray[np.bool_]:
    """Set, for each entry, the first ``k`` positions of its (token, salt) pair."""
    reps = k.astype(np.int64)
    rows = np.repeat(rec, reps)
    starts = np.cumsum(reps) - reps
    within = np.arange(int(reps.sum()), dtype=np.int64) - np.repeat(starts, reps)
    cols = table[np.repeat(pair_of_entry, reps), within]
    base = np.zeros((n, width), dtype=np.bool_)
    base[rows, cols] = True
    return base


def harden(
    schema: Schema, base: npt.NDArray[np.bool_], perm: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.bool_]:
    """Balance (complement, concatenate, permute) or XOR-fold base filters."""
    if schema.hardening.mode == "balance":
        assert perm is not None
        return np.concatenate([base, ~base], axis=1)[:, perm]
    half = schema.bits
    return base[:, :half] ^ base[:, half:]
