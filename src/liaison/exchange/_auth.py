"""Partner authentication: bearer tokens stored only as SHA-256 hashes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from liaison.store import PartnerRow

TOKEN_PREFIX = "lsn_"
_MAX_HEADER = 4096


def new_token() -> str:
    """A fresh random bearer token (32 random bytes, URL-safe)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_from_header(authorization: str | None) -> str | None:
    """The token carried by an ``Authorization`` header.

    Accepts ``Bearer TOKEN``, ``Token TOKEN`` (taxii2-client's TokenAuth) and
    HTTP Basic with the token as password (the user name is ignored).
    """
    if not authorization or len(authorization) > _MAX_HEADER:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if not value:
        return None
    scheme = scheme.lower()
    if scheme in ("bearer", "token"):
        return value
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        _, sep, password = decoded.partition(":")
        return password if sep and password else None
    return None


def authenticate(partners: Sequence[PartnerRow], token: str | None) -> PartnerRow | None:
    """The partner whose token this is, comparing hashes in constant time.

    Every partner's hash is compared, so the time taken does not depend on which
    partner (if any) matched.
    """
    if token is None:
        return None
    offered = token_hash(token).encode("ascii")
    found: PartnerRow | None = None
    for p in partners:
        stored = (p.token_hash or "").encode("ascii")
        if hmac.compare_digest(offered, stored.ljust(len(offered), b"\x00")) and p.token_hash:
            found = p
    return found
