"""Connect a partner in one atomic step: registry entry, credential and TLS files.

Everything is checked before anything is written (the key parses, the credential is
one line, the certificates and key are PEM and the client key belongs to the client
certificate); files are staged next to their final place and moved in only after
the registry entry is committed. A failure leaves the node as it was.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from liaison.exchange._partners import PartnerError, PartnerFile, add_partner, partner_file

if TYPE_CHECKING:
    from liaison.node import Node
    from liaison.release import ReleaseReport
    from liaison.store import PartnerRow

__all__ = ["PartnerConnected", "PartnerTls", "connect_partner"]


@dataclass(frozen=True)
class PartnerTls:
    """TLS material for talking to a partner: the CA that signs its server
    certificate, and this node's client certificate and key (mutual TLS)."""

    ca_file: Path | None = None
    client_cert: Path | None = None
    client_key: Path | None = None


@dataclass(frozen=True)
class PartnerConnected:
    """The partner's registry row, the files written for it, and the release that
    followed (a new partner gets its table at once)."""

    row: PartnerRow
    files: tuple[Path, ...]
    release: ReleaseReport


def connect_partner(
    node: Node,
    name: str,
    url: str,
    *,
    public_key: str | None,
    unsigned: bool = False,
    credential: str | None = None,
    tls: PartnerTls | None = None,
) -> PartnerConnected:
    """Register (or update) partner ``name`` with its pinned key, the credential it
    issued to this node and its TLS material, atomically; then release to it.

    Raises ``PartnerError`` naming the partner, the file and the reason.
    """
    from liaison.release import materialise_releases

    contents = _checked_contents(name, credential, tls or PartnerTls())
    staged = _stage(node, name, contents)
    try:
        row = add_partner(node, name, url, public_key=public_key, unsigned=unsigned)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    written = []
    for kind, tmp in staged.items():
        target = partner_file(node, name, kind)
        os.replace(tmp, target)
        written.append(target)
    return PartnerConnected(row, tuple(written), materialise_releases(node))


def _checked_contents(
    name: str, credential: str | None, tls: PartnerTls
) -> dict[PartnerFile, bytes]:
    out: dict[PartnerFile, bytes] = {}
    if credential is not None:
        text = credential.strip()
        if not text or "\n" in text or not text.isprintable():
            raise PartnerError(f"partner {name}: the credential must be one printable line")
        out["credential"] = (text + "\n").encode("utf-8")
    if (tls.client_cert is None) != (tls.client_key is None):
        raise PartnerError(f"partner {name}: a client certificate needs its key, and back")
    parts: tuple[tuple[PartnerFile, Path | None], ...] = (
        ("ca", tls.ca_file), ("cert", tls.client_cert), ("key", tls.client_key),
    )  # fmt: skip
    for kind, path in parts:
        if path is not None:
            out[kind] = _read(name, path)
    _check_pem(name, out, tls)
    return out


def _read(name: str, path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PartnerError(f"partner {name}: cannot read {path}: {exc.strerror}") from None


def _check_pem(name: str, out: dict[PartnerFile, bytes], tls: PartnerTls) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    certs = {}
    pems: tuple[tuple[PartnerFile, Path | None], ...] = (
        ("ca", tls.ca_file),
        ("cert", tls.client_cert),
    )
    for kind, path in pems:
        if kind in out:
            try:
                certs[kind] = x509.load_pem_x509_certificates(out[kind])
            except ValueError:
                raise PartnerError(f"partner {name}: {path} is not a PEM certificate") from None
    if "key" in out:
        try:
            key = serialization.load_pem_private_key(out["key"], password=None)
        except (ValueError, TypeError):
            raise PartnerError(
                f"partner {name}: {tls.client_key} is not an unencrypted PEM private key"
            ) from None
        own = certs["cert"][0].public_key()
        if key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ) != own.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ):
            raise PartnerError(
                f"partner {name}: {tls.client_key} is not the key of {tls.client_cert}"
            )


def _stage(node: Node, name: str, contents: dict[PartnerFile, bytes]) -> dict[PartnerFile, Path]:
    staged: dict[PartnerFile, Path] = {}
    try:
        for kind, data in contents.items():
            target = partner_file(node, name, kind)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.staged")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            staged[kind] = tmp
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
    except OSError as exc:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise PartnerError(f"partner {name}: cannot write its files: {exc.strerror}") from None
    return staged
