"""Node keys: Ed25519 key pairs, their files and their public identifiers.

A node's private key lives in one PEM (PKCS#8) file, optionally encrypted with
a passphrase. The file is created with mode 0600 from the first byte on, never
overwritten, and refused at load time if group or others can access it.
Public keys travel as the base64 of their 32 raw bytes; a key is named by its
`key_id`, the first 16 hex digits of the SHA-256 of those bytes.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

__all__ = [
    "KEY_FILE_MODE",
    "KeyFileError",
    "NodeKey",
    "PublicKey",
    "create_key",
    "key_id_of",
    "load_key",
]

#: Permission bits of a private key file.
KEY_FILE_MODE: Final = 0o600
_RAW: Final = serialization.Encoding.Raw
_RAW_PUB: Final = serialization.PublicFormat.Raw


class KeyFileError(Exception):
    """A key file cannot be created or loaded (exists, unsafe mode, bad content)."""


def key_id_of(raw_public: bytes) -> str:
    """Key identifier: first 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(raw_public).hexdigest()[:16]


@dataclass(frozen=True, slots=True, eq=False)
class PublicKey:
    """An Ed25519 public key (verification only)."""

    raw: bytes
    key_id: str = field(init=False)
    _key: Ed25519PublicKey = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) != 32:
            raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(self.raw)}")
        object.__setattr__(self, "_key", Ed25519PublicKey.from_public_bytes(self.raw))
        object.__setattr__(self, "key_id", key_id_of(self.raw))

    @classmethod
    def from_b64(cls, text: str) -> PublicKey:
        """Parse the base64 form of the 32 raw public key bytes."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"public key is not valid base64: {exc}") from exc
        return cls(raw)

    @property
    def b64(self) -> str:
        """Base64 of the 32 raw bytes."""
        return base64.b64encode(self.raw).decode("ascii")

    def verify(self, signature: bytes, message: bytes) -> bool:
        """True if *signature* is a valid Ed25519 signature of *message*."""
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PublicKey) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(self.raw)


class NodeKey:
    """A node's Ed25519 private key. Its repr shows only the key id."""

    __slots__ = ("_private", "public_key")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key: Final = PublicKey(private.public_key().public_bytes(_RAW, _RAW_PUB))

    @classmethod
    def generate(cls) -> NodeKey:
        """A fresh key pair held in memory only."""
        return cls(Ed25519PrivateKey.generate())

    @property
    def key_id(self) -> str:
        """Identifier of the public key."""
        return self.public_key.key_id

    @property
    def public_key_b64(self) -> str:
        """Base64 of the 32 raw public key bytes."""
        return self.public_key.b64

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature (64 bytes) of *message*."""
        return self._private.sign(message)

    def to_pem(self, passphrase: bytes | None = None) -> bytes:
        """PKCS#8 PEM of the private key, encrypted if a passphrase is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        return self._private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )

    def __repr__(self) -> str:
        return f"NodeKey(key_id={self.key_id!r})"

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("NodeKey is not picklable (private key material)")


def _write_exclusive(path: Path, data: bytes) -> None:
    """Create *path* with mode 0600 and write *data*; fail if it exists."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, KEY_FILE_MODE)
    try:
        os.fchmod(fd, KEY_FILE_MODE)  # in case the umask removed owner bits
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def create_key(path: Path, passphrase: bytes | None = None) -> NodeKey:
    """Generate a key pair and write the private key to *path* (mode 0600).

    The key is written to a private temporary file in the same directory,
    synced, then hard-linked into place, so *path* never exists half-written
    and an existing file is never overwritten (`KeyFileError`).
    """
    path = Path(path)
    if path.exists() or path.is_symlink():
        raise KeyFileError(f"{path} already exists; refusing to overwrite a key file")
    key = NodeKey.generate()
    data = key.to_pem(passphrase)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    _write_exclusive(tmp, data)
    try:
        os.link(tmp, path)
    except FileExistsError as exc:
        raise KeyFileError(f"{path} already exists; refusing to overwrite a key file") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # File systems without hard links: exclusive create in place.
        try:
            _write_exclusive(path, data)
        except FileExistsError as exc2:
            raise KeyFileError(f"{path} already exists; refusing to overwrite") from exc2
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return key


def load_key(path: Path, passphrase: bytes | None = None) -> NodeKey:
    """Load a private key file written by `create_key`.

    Refuses (`KeyFileError`) a file that is not a regular file, that group or
    others may access, or that does not hold an Ed25519 PKCS#8 key.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError as exc:
        raise KeyFileError(f"{path}: no such key file") from exc
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot open key file: {exc.strerror}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError(f"{path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"{path} is accessible by group or others (mode {mode:04o}); "
                f"a private key file must be mode 0600: chmod 600 {path}"
            )
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read()
    finally:
        os.close(fd)
    try:
        private = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:  # passphrase missing or given for a clear key
        raise KeyFileError(f"{path}: {exc}") from None
    except ValueError:
        raise KeyFileError(f"{path}: not a PEM private key, or wrong passphrase") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 key ({type(private).__name__})")
    return NodeKey(private)
