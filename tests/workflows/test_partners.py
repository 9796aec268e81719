"""connect_partner: registry entry, credential and TLS files in one atomic step."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from liaison.exchange import PartnerError, load_credential, load_tls
from liaison.node import Node
from liaison.workflows import PartnerTls, connect_partner
from tests.exchange.conftest import STRIKE_POLICY, set_policy
from tests.exchange.test_tls import _cert, _key, _write


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    """A CA and two client certificates (so that a key can be paired with the wrong one)."""
    ca_key = _key()
    ca = _cert("workflow test CA", ca_key, None, ca=True)
    _write(tmp_path / "ca", ca, ca_key)
    for name in ("client", "other"):
        key = _key()
        _write(tmp_path / name, _cert(name, key, (ca, ca_key)), key)
    return tmp_path


def _partner_files(node: Node) -> list[str]:
    folder = node.root / "keys" / "partners"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _connect(node: Node, other: Node, **kw: object) -> object:
    return connect_partner(
        node, other.config.party, "https://127.0.0.1:9/api/",
        public_key=other.key.public_key_b64, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_connect_writes_row_credential_and_tls_and_releases(
    make_node: Callable[..., Node], pki: Path
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    set_policy(fr, STRIKE_POLICY)  # a partner with a policy section gets at least fr's identity
    tls = PartnerTls(pki / "ca.crt", pki / "client.crt", pki / "client.key")
    done = connect_partner(
        fr, "ru", "https://127.0.0.1:9/api", public_key=ru.key.public_key_b64,
        credential="  tok-123  \n", tls=tls,
    )  # fmt: skip
    assert done.row.url == "https://127.0.0.1:9/api/"
    assert fr.store.exchange.partner("ru") is not None
    assert load_credential(fr, "ru") == "tok-123"
    verify, cert = load_tls(fr, "ru")
    assert isinstance(verify, str) and verify.endswith("ru.ca.pem")
    assert cert is not None and Path(cert[1]).read_bytes() == (pki / "client.key").read_bytes()
    for path in done.files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((fr.root / "keys" / "partners").stat().st_mode) == 0o700
    assert "ru" in done.release.released  # the new partner's table exists at once
    assert not [n for n in _partner_files(fr) if n.endswith(".staged")]


@pytest.mark.parametrize(
    ("tls_of", "message"),
    [
        (lambda p: PartnerTls(p / "ca.crt", p / "client.crt", p / "other.key"), "not the key"),
        (lambda p: PartnerTls(p / "missing.crt"), "cannot read"),
        (lambda p: PartnerTls(p / "client.key"), "is not a PEM certificate"),
        (lambda p: PartnerTls(client_cert=p / "client.crt"), "needs its key"),
        (lambda p: PartnerTls(p / "ca.crt", p / "client.crt", p / "ca.crt"), "private key"),
    ],
)
def test_bad_tls_material_leaves_nothing_behind(
    make_node: Callable[..., Node],
    pki: Path,
    tls_of: Callable[[Path], PartnerTls],
    message: str,
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    with pytest.raises(PartnerError, match=message):
        _connect(fr, ru, credential="tok", tls=tls_of(pki))
    assert fr.store.exchange.partner("ru") is None
    assert _partner_files(fr) == []


def test_a_bad_key_after_staging_removes_the_staged_files(
    make_node: Callable[..., Node], pki: Path
) -> None:
    fr = make_node("fr")
    with pytest.raises(PartnerError, match="not an Ed25519 public key"):
        connect_partner(
            fr, "ru", "https://127.0.0.1:9/api/", public_key="bm90IGEga2V5",
            credential="tok", tls=PartnerTls(pki / "ca.crt"),
        )  # fmt: skip
    assert fr.store.exchange.partner("ru") is None
    assert _partner_files(fr) == []


@pytest.mark.parametrize("credential", ["", "two\nlines", "bell\x07"])
def test_a_credential_must_be_one_printable_line(
    make_node: Callable[..., Node], credential: str
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    with pytest.raises(PartnerError, match="one printable line"):
        _connect(fr, ru, credential=credential)
    assert fr.store.exchange.partner("ru") is None


def test_updating_a_partner_keeps_files_not_given_again(
    make_node: Callable[..., Node], pki: Path
) -> None:
    fr, ru = make_node("fr"), make_node("ru")
    _connect(fr, ru, credential="first", tls=PartnerTls(pki / "ca.crt"))
    _connect(fr, ru, credential="second")
    assert load_credential(fr, "ru") == "second"
    assert "ru.ca.pem" in _partner_files(fr)
