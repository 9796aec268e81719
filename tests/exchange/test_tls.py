"""Serving over TLS and mutual TLS, with real certificates and real handshakes."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from liaison.exchange import ServerThread, TlsFiles, create_app
from liaison.exchange._client import TaxiiClient, TaxiiClientError
from liaison.node import Node
from tests.exchange.conftest import pair
from tests.nodes import NodeFactory


@pytest.fixture
def make_node(make_sqlite_node: NodeFactory) -> NodeFactory:
    """Nodes on SQLite: this suite is about TLS, not the store backend."""
    return make_sqlite_node


NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    server: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer[0].subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        # Python 3.13 verifies strictly (VERIFY_X509_STRICT): key identifiers are required.
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                (issuer[1] if issuer else key).public_key()
            ),
            critical=False,
        )
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
    path.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    path.with_suffix(".key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate."""
    ca_key = _key()
    ca = _cert("liaison test CA", ca_key, None, ca=True)
    _write(tmp_path / "ca", ca, ca_key)
    server_key = _key()
    _write(tmp_path / "server", _cert("fr node", server_key, (ca, ca_key), server=True), server_key)
    client_key = _key()
    _write(tmp_path / "client", _cert("ru node", client_key, (ca, ca_key)), client_key)
    return tmp_path


def test_tls_serves_only_to_clients_that_trust_the_server(make_node: type[Node], pki: Path) -> None:
    fr, ru = make_node("fr"), make_node("ru")  # type: ignore[operator]
    token = pair(fr, ru)
    tls = TlsFiles(str(pki / "server.crt"), str(pki / "server.key"))
    with ServerThread(create_app(fr), tls=tls) as srv:
        assert srv.url.startswith("https://")
        client = TaxiiClient(f"{srv.url}/api/", token, verify=str(pki / "ca.crt"))
        assert len(client.collections()) == 1
        client.close()
        untrusting = TaxiiClient(f"{srv.url}/api/", token)  # system CAs only
        with pytest.raises(TaxiiClientError):
            untrusting.collections()
        untrusting.close()
        with pytest.raises(httpx.HTTPError):
            httpx.get(srv.url.replace("https", "http") + "/taxii2/", timeout=5)


def test_mutual_tls_refuses_clients_without_a_certificate(make_node: type[Node], pki: Path) -> None:
    fr, ru = make_node("fr"), make_node("ru")  # type: ignore[operator]
    token = pair(fr, ru)
    tls = TlsFiles(str(pki / "server.crt"), str(pki / "server.key"), str(pki / "ca.crt"))
    with ServerThread(create_app(fr), tls=tls) as srv:
        anonymous = TaxiiClient(f"{srv.url}/api/", token, verify=str(pki / "ca.crt"))
        with pytest.raises(TaxiiClientError):
            anonymous.collections()
        anonymous.close()
        cert = (str(pki / "client.crt"), str(pki / "client.key"))
        known = TaxiiClient(f"{srv.url}/api/", token, verify=str(pki / "ca.crt"), cert=cert)
        assert len(known.collections()) == 1
        known.close()


def test_sync_over_mutual_tls_with_the_partners_ca_and_a_client_certificate(
    make_node: type[Node], pki: Path
) -> None:
    from liaison.exchange import (
        add_partner,
        materialise_releases,
        save_credential,
        save_tls,
        sync_partner,
    )
    from liaison.ingest import ingest_objects
    from liaison.records.examples import example_objects
    from tests.exchange.conftest import STRIKE_POLICY, set_policy

    fr, ru = make_node("fr"), make_node("ru")  # type: ignore[operator]
    strike = next(o for o in example_objects(fr.party_id) if o["type"].endswith("strike-report"))
    assert ingest_objects(fr, [strike], source="t").ok
    token = pair(fr, ru)
    set_policy(fr, STRIKE_POLICY)
    materialise_releases(fr)
    tls = TlsFiles(str(pki / "server.crt"), str(pki / "server.key"), str(pki / "ca.crt"))
    with ServerThread(create_app(fr), tls=tls) as srv:
        add_partner(ru, "fr", f"{srv.url}/api/", public_key=fr.key.public_key_b64)
        save_credential(ru, "fr", token)
        save_tls(ru, "fr", ca_file=pki / "ca.crt")  # trusts fr, but no client certificate
        refused = sync_partner(ru, "fr")
        assert refused.error is not None
        assert ru.store.get(strike["id"]) is None
        save_tls(ru, "fr", client_cert=pki / "client.crt", client_key=pki / "client.key")
        done = sync_partner(ru, "fr")
        assert done.error is None, done.error
        assert done.accepted == 2  # the strike and fr's identity
    got = ru.store.get(strike["id"])
    assert got is not None
    assert got.received_from == "fr"
    mode = (ru.root / "keys" / "partners" / "fr.key.pem").stat().st_mode & 0o777
    assert mode == 0o600
