"""Key files: mode 0600 from creation, no overwrite, refused when exposed."""

from __future__ import annotations

import base64
import hashlib
import os
import pickle
import stat
from pathlib import Path

import pytest

from liaison.crypto.keys import KeyFileError, NodeKey, PublicKey, create_key, key_id_of, load_key


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_created_file_is_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        key = create_key(tmp_path / "node.key")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "node.key") == 0o600
    assert os.listdir(tmp_path) == ["node.key"]  # no temporary file left behind
    assert load_key(tmp_path / "node.key").key_id == key.key_id


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    create_key(path)
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        create_key(path)
    assert path.read_bytes() == before
    link = tmp_path / "dangling.key"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(KeyFileError, match="already exists"):
        create_key(link)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660, 0o602])
def test_load_refuses_exposed_file(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "node.key"
    create_key(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"group or others.*{mode:04o}.*chmod 600"):
        load_key(path)
    path.chmod(0o600)
    load_key(path)


def test_load_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no such key file"):
        load_key(tmp_path / "absent.key")
    junk = tmp_path / "junk.key"
    fd = os.open(junk, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"not a key")
    os.close(fd)
    with pytest.raises(KeyFileError, match="not a PEM private key"):
        load_key(junk)
    real = tmp_path / "real.key"
    create_key(real)
    link = tmp_path / "link.key"
    link.symlink_to(real)
    with pytest.raises(KeyFileError):
        load_key(link)


def test_passphrase(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    key = create_key(path, passphrase=b"correct horse")
    assert b"ENCRYPTED" in path.read_bytes()
    assert load_key(path, passphrase=b"correct horse").key_id == key.key_id
    with pytest.raises(KeyFileError):
        load_key(path, passphrase=b"wrong")
    with pytest.raises(KeyFileError):
        load_key(path)


def test_public_identifiers(tmp_path: Path) -> None:
    key = create_key(tmp_path / "k")
    raw = base64.b64decode(key.public_key_b64)
    assert len(raw) == 32
    assert key.key_id == hashlib.sha256(raw).hexdigest()[:16] == key_id_of(raw)
    pub = PublicKey.from_b64(key.public_key_b64)
    assert pub == key.public_key
    assert hash(pub) == hash(key.public_key)
    sig = key.sign(b"message")
    assert pub.verify(sig, b"message")
    assert not pub.verify(sig, b"messagf")
    assert not NodeKey.generate().public_key.verify(sig, b"message")


def test_bad_public_keys() -> None:
    with pytest.raises(ValueError, match="base64"):
        PublicKey.from_b64("not base64!")
    with pytest.raises(ValueError, match="32 bytes"):
        PublicKey.from_b64(base64.b64encode(bytes(31)).decode())


def test_private_material_never_shown(tmp_path: Path) -> None:
    key = create_key(tmp_path / "k")
    pem = (tmp_path / "k").read_bytes().decode()
    secret_b64 = "".join(pem.strip().splitlines()[1:-1])
    text = repr(key) + str(key) + repr(key.public_key)
    assert key.key_id in repr(key)
    assert secret_b64 not in text and "PRIVATE" not in text
    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(key)
