"""The partner registry: pinned keys, TAXII URLs, tokens (stored hashed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from liaison.audit import journal
from liaison.crypto import PublicKey
from liaison.exchange._auth import new_token, token_hash
from liaison.policy._config import partner_name_problem
from liaison.store import PartnerRow

if TYPE_CHECKING:
    from liaison.node import Node


class PartnerError(ValueError):
    """A partner could not be added or found; the message says why."""


def add_partner(
    node: Node,
    name: str,
    url: str,
    *,
    public_key: str | None,
    unsigned: bool = False,
    party_id: str | None = None,
) -> PartnerRow:
    """Register (or update) a partner: its TAXII API root URL and pinned public key.

    ``unsigned`` partners (e.g. a plain TAXII server) need no key; what comes from
    them is stored marked unverified. Audited as ``partner-add``.
    """
    problem = partner_name_problem(name)
    if problem is not None:
        raise PartnerError(f"partner name {name!r}: {problem}")
    if not url.startswith(("http://", "https://")):
        raise PartnerError(f"partner {name}: --url must be an http(s) TAXII API root URL")
    key_id = None
    if public_key is not None:
        try:
            key_id = PublicKey.from_b64(public_key.strip()).key_id
        except ValueError as exc:
            raise PartnerError(f"partner {name}: not an Ed25519 public key ({exc})") from None
        public_key = public_key.strip()
    elif not unsigned:
        raise PartnerError(f"partner {name}: a public key is required unless --unsigned")
    if not url.endswith("/"):
        url += "/"
    old = node.store.exchange.partner(name)
    if party_id is None and old is not None and old.public_key == public_key:
        party_id = old.party_id  # a new key forgets the party learnt under the old one
    row = PartnerRow(
        name=name,
        url=url,
        public_key=public_key,
        party_id=party_id,
        unsigned=unsigned,
        collection_id=old.collection_id if old else str(node.ids()),
        token_hash=old.token_hash if old else None,
        added=node.now(),
    )
    with node.store.transaction() as tx:
        node.store.exchange.put_partner(row)
        detail = {"url": url, "key_id": key_id, "unsigned": unsigned}
        journal.append(node.store, tx, node.key, [("partner-add", name, detail)], node.now())
    return row


def issue_token(node: Node, name: str) -> str:
    """A new bearer token for ``name`` (replacing any previous one); only its hash
    is stored. Audited as ``partner-token`` (without the token)."""
    if node.store.exchange.partner(name) is None:
        raise PartnerError(f"no partner {name!r}; add it first with 'liaison partner add'")
    token = new_token()
    digest = token_hash(token)
    with node.store.transaction() as tx:
        node.store.exchange.set_token_hash(name, digest)
        detail = {"token_sha256_prefix": digest[:8]}
        journal.append(node.store, tx, node.key, [("partner-token", name, detail)], node.now())
    return token


def get_partner(node: Node, name: str) -> PartnerRow:
    found = node.store.exchange.partner(name)
    if found is None:
        raise PartnerError(f"no partner {name!r} in this node")
    return found


def list_partners(node: Node) -> list[PartnerRow]:
    return node.store.exchange.partners()


PartnerFile = Literal["credential", "ca", "cert", "key"]
_SUFFIX: dict[str, str] = {
    "credential": "credential",
    "ca": "ca.pem",
    "cert": "cert.pem",
    "key": "key.pem",
}


def partner_file(node: Node, name: str, kind: PartnerFile) -> Path:
    """Where this node keeps ``kind`` for partner ``name`` (all 0600, in a 0700 folder):
    the credential it presents, the CA of the partner's server certificate, and its
    own client certificate and key."""
    return node.root / "keys" / "partners" / f"{name}.{_SUFFIX[kind]}"


def credential_path(node: Node, name: str) -> Path:
    """Where the credential this node presents to partner ``name`` is kept."""
    return partner_file(node, name, "credential")


def save_credential(node: Node, name: str, credential: str) -> Path:
    """Keep the token (or ``USER:PASSWORD``) partner ``name`` issued to this node (0600)."""
    path = credential_path(node, name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(credential.strip() + "\n")
    os.replace(tmp, path)
    return path


def load_credential(node: Node, name: str) -> str | None:
    path = credential_path(node, name)
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8").strip() or None


def _tls_dir(node: Node) -> Path:
    return node.root / "keys" / "partners"


def save_tls(
    node: Node,
    name: str,
    *,
    ca_file: Path | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
) -> None:
    """Keep, in the node's key folder, the CA that signs partner ``name``'s server
    certificate and this node's client certificate and key for it (mutual TLS)."""
    if (client_cert is None) != (client_key is None):
        raise PartnerError(f"partner {name}: a client certificate needs its key, and back")
    _tls_dir(node).mkdir(mode=0o700, parents=True, exist_ok=True)
    parts: tuple[tuple[Path | None, PartnerFile], ...] = (
        (ca_file, "ca"), (client_cert, "cert"), (client_key, "key"),
    )  # fmt: skip
    for source, kind in parts:
        if source is None:
            continue
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise PartnerError(f"partner {name}: cannot read {source}: {exc.strerror}") from None
        target = partner_file(node, name, kind)
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)


def load_tls(node: Node, name: str) -> tuple[bool | str, tuple[str, str] | None]:
    """``(verify, cert)`` for a client talking to partner ``name``: its CA file if
    one was given (else the system CAs), and this node's client certificate."""
    ca = partner_file(node, name, "ca")
    cert, key = partner_file(node, name, "cert"), partner_file(node, name, "key")
    verify: bool | str = str(ca) if ca.is_file() else True
    return verify, ((str(cert), str(key)) if cert.is_file() and key.is_file() else None)
