"""What a node keeps about linkage, per partner, in its store's ``meta`` table
(so SQLite and PostgreSQL nodes keep it alike, in the same transactions as the
audit entries): the agreed schema, the partner's pinned OPRF key, this node's
token keys, the evaluation budget used, published and received batches, match
results and disclosure requests. The OPRF secret itself is a key file (0600)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from liaison.linkage._errors import LinkageError
from liaison.linkage._oprf import OprfKey, load_or_create_key
from liaison.linkage._schema import Schema, parse_schema
from liaison.store import Store, Writer

if TYPE_CHECKING:
    from liaison.node import Node

PREFIX = "linkage/"


def key_path(node: Node, partner: str) -> Path:
    return node.root / "keys" / "linkage" / f"{partner}.oprf"


def oprf_key(node: Node, partner: str) -> OprfKey:
    """This node's OPRF secret for ``partner`` (created on first use)."""
    return load_or_create_key(key_path(node, partner))


def get(store: Store, key: str) -> Any:
    raw = store.get_meta(PREFIX + key)
    return None if raw is None else orjson.loads(raw)


def put(tx: Writer, key: str, value: Any) -> None:
    tx.set_meta(PREFIX + key, orjson.dumps(value).decode())


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object, what: str, size: int | None = None) -> bytes:
    if not isinstance(text, str):
        raise LinkageError(f"{what} is not a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise LinkageError(f"{what} is not valid base64") from exc
    if size is not None and len(raw) != size:
        raise LinkageError(f"{what} is {len(raw)} bytes, expected {size}")
    return raw


@dataclass(frozen=True, slots=True)
class Agreement:
    """The schema agreed with a partner, and its fingerprint."""

    partner: str
    schema: Schema
    text: str

    @property
    def fingerprint(self) -> str:
        return self.schema.fingerprint


def agreement(store: Store, partner: str) -> Agreement:
    """The schema agreed with ``partner``; an error says how to agree one."""
    raw = get(store, f"{partner}/agreement")
    if raw is None:
        raise LinkageError(
            f"no linkage schema agreed with {partner!r}: run "
            f"'liaison link agree {partner} SCHEMA.toml' (both partners, same file)"
        )
    text = str(raw["text"])
    return Agreement(partner, parse_schema(text, source=f"schema agreed with {partner}"), text)


def token_keys(store: Store, partner: str) -> dict[str, bytes]:
    """This node's token keys under the partnership's two OPRF secrets."""
    raw = get(store, f"{partner}/token-keys") or {}
    return {t: base64.b64decode(k) for t, k in raw.items()}


def put_token_keys(tx: Writer, partner: str, keys: Mapping[str, bytes]) -> None:
    put(tx, f"{partner}/token-keys", {t: b64(k) for t, k in keys.items()})


def keys_fingerprint(mine: bytes, theirs: bytes) -> str:
    """Names the pair of OPRF secrets behind a partnership's encodings (the same
    value on both sides): SHA-256 over both public keys, sorted."""
    import hashlib

    return hashlib.sha256(b"".join(sorted((mine, theirs)))).hexdigest()
