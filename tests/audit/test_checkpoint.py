"""Signed heads: verify under the right key only, and round-trip."""

from __future__ import annotations

import pytest

from liaison.audit.chain import ChainHead, extend_chain, verify_chain
from liaison.audit.checkpoint import SignedHead, sign_head, verify_head
from liaison.crypto.keys import NodeKey

KEY = NodeKey.generate()
OTHER = NodeKey.generate()
NOW = "2015-12-01T08:30:00Z"


def test_sign_and_verify_head() -> None:
    entries = extend_chain(None, [("ingest", str(i), {}) for i in range(5)], NOW)
    head = entries[-1].head
    sig = sign_head(KEY, head)
    assert verify_head(KEY.public_key, head, sig)
    assert not verify_head(OTHER.public_key, head, sig)
    assert not verify_head(KEY.public_key, ChainHead(4, head.hash), sig)
    assert not verify_head(KEY.public_key, ChainHead(5, entries[3].hash), sig)
    assert not verify_head(KEY.public_key, head, "not base64!")
    assert not verify_head(KEY.public_key, head, sign_head(OTHER, head))


def test_truncation_detected_with_a_signed_head() -> None:
    entries = extend_chain(None, [("release", str(i), {}) for i in range(8)], NOW)
    signed = SignedHead.create(KEY, entries[-1].head, NOW)
    stored = SignedHead.from_dict(signed.to_dict())
    assert stored == signed
    assert stored.verify(KEY.public_key)
    assert not stored.verify(OTHER.public_key)
    report = verify_chain(entries[:6], stored.head)
    assert not report.ok
    assert report.first_bad_seq == 7
    assert (
        report.reason == "chain ends at 6 but the signed head says 8 "
        "(entries 7–8 deleted, or the store rolled back)"
    )


def test_forged_head_does_not_verify() -> None:
    entries = extend_chain(None, [("release", "a", {})] * 3, NOW)
    signed = SignedHead.create(KEY, entries[-1].head, NOW)
    data = signed.to_dict()
    data["seq"] = 2
    data["hash"] = entries[1].hash
    assert not SignedHead.from_dict(data).verify(KEY.public_key)


@pytest.mark.parametrize(
    "data",
    [{}, {"seq": "1", "hash": "a", "key_id": "b", "at": NOW, "signature": "c"}, None],
)
def test_malformed_signed_head(data: object) -> None:
    with pytest.raises(ValueError, match="malformed signed head"):
        SignedHead.from_dict(data)  # type: ignore[arg-type]
