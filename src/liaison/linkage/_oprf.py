"""A two-party oblivious PRF over edwards25519 (in the manner of RFC 9497's
2HashDH, verifiable mode), so that every token key needs both nodes' secrets:

    key(t) = H2(t, k_A · k_B · H1(t))

``H1`` hashes to the prime-order subgroup (two Elligator 2 maps added, RFC 9380's
random-oracle construction, expand_message_xmd with SHA-512); ``H2`` is SHA-512.
A node asking for its tokens' keys sends ``X = (r · k_A) · H1(t)`` for a fresh
random ``r`` per token; the partner answers ``Y = k_B · X`` with a batched
Chaum–Pedersen proof that it used the key behind its published ``k_B · G``; the
asker unblinds ``r⁻¹ · Y``. The partner sees only uniformly random group elements
(it learns how many, nothing else); the asker learns only the keys of the tokens
it asked for. libsodium (PyNaCl) does the group arithmetic; PyNaCl has no
ristretto255 bindings, so the group is edwards25519's prime-order subgroup with
every received point checked to lie in it (``crypto_core_ed25519_is_valid_point``).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from nacl import bindings as na

from liaison.linkage._errors import LinkageError

__all__ = [
    "OprfKey",
    "OprfProofError",
    "Proof",
    "blind",
    "evaluate",
    "finalize",
    "hash_to_group",
    "load_or_create_key",
]

_DST: Final = b"liaison-linkage-2HashDH-edwards25519_XMD:SHA-512-v1"
_FINAL: Final = b"liaison-linkage-token-key-v1"
POINT: Final = 32
SCALAR: Final = 32
KEY_FILE_MODE: Final = 0o600


class OprfProofError(LinkageError):
    """A partner's evaluation did not come with a valid proof for its key."""


def _expand_xmd(msg: bytes, dst: bytes, length: int) -> bytes:
    """RFC 9380 expand_message_xmd with SHA-512."""
    b_in, r_in = 64, 128
    ell = -(-length // b_in)
    if ell > 255 or len(dst) > 255:
        raise ValueError("expand_message_xmd: output or DST too long")
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha512(
        bytes(r_in) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime
    ).digest()
    blocks = [hashlib.sha512(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        mixed = bytes(x ^ y for x, y in zip(b0, blocks[-1], strict=True))
        blocks.append(hashlib.sha512(mixed + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]


def hash_to_group(token: bytes, context: bytes) -> bytes:
    """``H1``: a token (bound to a context, e.g. the schema fingerprint) to a point
    of the prime-order subgroup."""
    u = _expand_xmd(token, _DST + b"|" + context, 64)
    return bytes(
        na.crypto_core_ed25519_add(
            na.crypto_core_ed25519_from_uniform(u[:32]),
            na.crypto_core_ed25519_from_uniform(u[32:]),
        )
    )


def random_scalar() -> bytes:
    """A uniformly random non-zero scalar."""
    while True:
        s = bytes(na.crypto_core_ed25519_scalar_reduce(secrets.token_bytes(64)))
        if any(s):
            return s


def _mul(scalar: bytes, point: bytes) -> bytes:
    return bytes(na.crypto_scalarmult_ed25519_noclamp(scalar, point))


def _check_points(points: Sequence[bytes], what: str) -> None:
    for n, p in enumerate(points):
        if len(p) != POINT or not na.crypto_core_ed25519_is_valid_point(p):
            raise OprfProofError(f"{what} #{n} is not a point of the prime-order group")


@dataclass(frozen=True, slots=True)
class OprfKey:
    """This node's OPRF secret for one partnership, and its public commitment."""

    scalar: bytes

    @property
    def public(self) -> bytes:
        return bytes(na.crypto_scalarmult_ed25519_base_noclamp(self.scalar))

    @classmethod
    def generate(cls) -> OprfKey:
        return cls(random_scalar())


def load_or_create_key(path: Path) -> OprfKey:
    """The key in ``path`` (mode 0600), created on first use; never overwritten."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(OprfKey.generate().scalar.hex() + "\n")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise LinkageError(
            f"{path}: OPRF key file is accessible by others (mode {mode:o}); chmod 600 it"
        )
    try:
        scalar = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError) as exc:
        raise LinkageError(f"{path}: not an OPRF key file") from exc
    if len(scalar) != SCALAR or not any(scalar):
        raise LinkageError(f"{path}: not an OPRF key file")
    return OprfKey(scalar)


# -- the asking side ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Blinded:
    """What the asker keeps (its blinds) and sends (the blinded elements)."""

    blinds: list[bytes]
    elements: list[bytes]


def blind(tokens: Sequence[bytes], own: OprfKey, context: bytes) -> Blinded:
    """``X = (r · k_own) · H1(t)`` for each token, a fresh ``r`` each time."""
    blinds = [random_scalar() for _ in tokens]
    elements = [
        _mul(bytes(na.crypto_core_ed25519_scalar_mul(r, own.scalar)), hash_to_group(t, context))
        for r, t in zip(blinds, tokens, strict=True)
    ]
    return Blinded(blinds, elements)


def finalize(
    tokens: Sequence[bytes],
    blinded: Blinded,
    evaluated: Sequence[bytes],
    proof: Proof,
    partner_public: bytes,
    context: bytes,
) -> list[bytes]:
    """Check the partner's proof, unblind, and derive each token's 32-byte key."""
    if len(evaluated) != len(tokens):
        raise OprfProofError(f"asked for {len(tokens)} evaluations, got {len(evaluated)}")
    _check_points(evaluated, "evaluated element")
    verify_proof(partner_public, blinded.elements, evaluated, proof, context)
    keys = []
    for t, r, y in zip(tokens, blinded.blinds, evaluated, strict=True):
        n = _mul(bytes(na.crypto_core_ed25519_scalar_invert(r)), y)
        keys.append(token_key(t, n))
    return keys


def token_key(token: bytes, unblinded: bytes) -> bytes:
    """``H2``: the token's key from its unblinded element."""
    h = hashlib.sha512(
        _FINAL
        + len(token).to_bytes(2, "big")
        + token
        + len(unblinded).to_bytes(2, "big")
        + unblinded
    )
    return h.digest()[:32]


# -- the evaluating side --------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Proof:
    """A batched Chaum–Pedersen proof: ``(c, s)`` scalars."""

    c: bytes
    s: bytes


def evaluate(key: OprfKey, elements: Sequence[bytes], context: bytes) -> tuple[list[bytes], Proof]:
    """``Y = k · X`` for each blinded element, and the proof that one key did it."""
    _check_points(elements, "blinded element")
    out = [_mul(key.scalar, x) for x in elements]
    return out, _prove(key, elements, out, context)


def _composites(
    public: bytes,
    xs: Sequence[bytes],
    ys: Sequence[bytes],
    context: bytes,
    *,
    prover_key: bytes | None,
) -> tuple[bytes, bytes]:
    seed = hashlib.sha512(b"seed|" + context + b"|" + public).digest()
    m: bytes | None = None
    z: bytes | None = None
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        d = bytes(
            na.crypto_core_ed25519_scalar_reduce(
                hashlib.sha512(seed + i.to_bytes(4, "big") + x + y + b"|composite").digest()
            )
        )
        dx = _mul(d, x)
        m = dx if m is None else bytes(na.crypto_core_ed25519_add(m, dx))
        if prover_key is None:
            dy = _mul(d, y)
            z = dy if z is None else bytes(na.crypto_core_ed25519_add(z, dy))
    if m is None:
        raise OprfProofError("nothing to prove: no elements")
    if prover_key is not None:
        z = _mul(prover_key, m)
    assert z is not None
    return m, z


def _challenge(public: bytes, m: bytes, z: bytes, t2: bytes, t3: bytes, context: bytes) -> bytes:
    h = hashlib.sha512(b"challenge|" + context + b"|" + public + m + z + t2 + t3).digest()
    return bytes(na.crypto_core_ed25519_scalar_reduce(h))


def _prove(key: OprfKey, xs: Sequence[bytes], ys: Sequence[bytes], context: bytes) -> Proof:
    public = key.public
    m, z = _composites(public, xs, ys, context, prover_key=key.scalar)
    r = random_scalar()
    t2 = bytes(na.crypto_scalarmult_ed25519_base_noclamp(r))
    t3 = _mul(r, m)
    c = _challenge(public, m, z, t2, t3, context)
    s = bytes(
        na.crypto_core_ed25519_scalar_sub(r, na.crypto_core_ed25519_scalar_mul(c, key.scalar))
    )
    return Proof(c, s)


def verify_proof(
    public: bytes, xs: Sequence[bytes], ys: Sequence[bytes], proof: Proof, context: bytes
) -> None:
    """Raise OprfProofError unless ``proof`` shows ``log_G(public) = log_X(Y)`` for all."""
    _check_points([public], "partner OPRF public key")
    if len(proof.c) != SCALAR or len(proof.s) != SCALAR:
        raise OprfProofError("malformed proof")
    m, z = _composites(public, xs, ys, context, prover_key=None)
    try:
        t2 = _add(_base(proof.s), _mul_or_identity(proof.c, public))
        t3 = _add(_mul_or_identity(proof.s, m), _mul_or_identity(proof.c, z))
    except Exception as exc:  # libsodium refuses the identity or a bad point
        raise OprfProofError("the evaluation proof does not verify") from exc
    if not secrets.compare_digest(_challenge(public, m, z, t2, t3, context), proof.c):
        raise OprfProofError(
            "the evaluation proof does not verify: the partner did not use the key it published"
        )


def _base(s: bytes) -> bytes | None:
    if not any(s):
        return None
    return bytes(na.crypto_scalarmult_ed25519_base_noclamp(s))


def _mul_or_identity(s: bytes, p: bytes) -> bytes | None:
    if not any(s):
        return None
    return _mul(s, p)


def _add(a: bytes | None, b: bytes | None) -> bytes:
    if a is None or b is None:
        out = a if b is None else b
        if out is None:
            raise OprfProofError("degenerate proof")
        return out
    return bytes(na.crypto_core_ed25519_add(a, b))
