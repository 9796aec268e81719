"""The signature as a STIX property extension: sign, verify, refuse with a reason."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.crypto.canonical import canonical_json
from liaison.crypto.envelope import (
    EXT_SIGNATURE,
    SignatureError,
    attach_signature,
    sign_objects,
    signed_body,
    strip_signature,
    verify_attached,
)
from liaison.crypto.keys import NodeKey
from liaison.crypto.seal import RootCache, seal_batch
from tests.crypto.strategies import sample_stix, stix_objects

KEY = NodeKey.generate()
OTHER = NodeKey.generate()


def _reason(obj: dict[str, Any], key: object = None) -> str:
    with pytest.raises(SignatureError) as info:
        verify_attached(obj, KEY.public_key if key is None else key)  # type: ignore[arg-type]
    return info.value.reason


@given(st.lists(stix_objects(), min_size=1, max_size=20))
@settings(max_examples=60, deadline=None)
def test_signed_objects_verify_after_a_round_trip(objs: list[dict[str, Any]]) -> None:
    signed = sign_objects(KEY, objs)
    cache = RootCache()
    for i, (obj, out) in enumerate(zip(objs, signed, strict=True)):
        ext = out["extensions"][EXT_SIGNATURE]
        assert ext["extension_type"] == "property-extension"
        assert ext["alg"] == "ed25519-merkle-sha256"
        assert ext["index"] == i and ext["leaves"] == len(objs)
        assert ext["key_id"] == KEY.key_id
        wire = orjson.loads(orjson.dumps(out))  # what a partner receives
        verified = verify_attached(wire, {KEY.key_id: KEY.public_key}, cache=cache)
        assert verified.obj == obj
        assert verified.canonical == rfc8785.dumps(obj)
        assert verified.index == i
        assert strip_signature(out) == obj
    assert cache.misses == 1


def test_signature_covers_other_extensions_and_drops_empty_extensions() -> None:
    obj = sample_stix()
    obj["extensions"] = {"extension-definition--x": {"extension_type": "property-extension"}}
    (signed,) = sign_objects(KEY, [obj])
    assert set(signed["extensions"]) == {"extension-definition--x", EXT_SIGNATURE}
    verify_attached(signed, KEY.public_key)
    tampered = copy.deepcopy(signed)
    tampered["extensions"]["extension-definition--x"]["extra"] = 1
    assert _reason(tampered) == "bad-proof"
    bare = sample_stix()
    bare["extensions"] = {}
    (signed_bare,) = sign_objects(KEY, [bare])
    assert strip_signature(signed_bare) == sample_stix()
    verify_attached(signed_bare, KEY.public_key)


def test_resigning_replaces_the_signature() -> None:
    (once,) = sign_objects(KEY, [sample_stix()])
    (twice,) = sign_objects(OTHER, [once])
    assert twice["extensions"][EXT_SIGNATURE]["key_id"] == OTHER.key_id
    verify_attached(twice, OTHER.public_key)
    assert signed_body(once) == signed_body(twice) == signed_body(sample_stix())


def test_refusal_reasons() -> None:
    objs = [sample_stix(i) for i in range(10)]
    signed = sign_objects(KEY, objs)
    good = signed[4]
    verify_attached(good, KEY.public_key)

    assert _reason(objs[4]) == "missing-signature"
    assert _reason(good, OTHER.public_key) == "unknown-key"
    assert _reason(good, {OTHER.key_id: OTHER.public_key}) == "unknown-key"

    changed = copy.deepcopy(good)
    changed["claimed_effect"] = "damaged"
    assert _reason(changed) == "bad-proof"

    added = copy.deepcopy(good)
    added["note"] = "x"
    assert _reason(added) == "bad-proof"

    for field, value in [
        ("proof", [("0" * 64)] * len(good["extensions"][EXT_SIGNATURE]["proof"])),
        ("index", 5),
        ("root", "ab" * 32),
    ]:
        bad = copy.deepcopy(good)
        bad["extensions"][EXT_SIGNATURE][field] = value
        assert _reason(bad) == "bad-proof", field

    forged = copy.deepcopy(good)
    other_seal = seal_batch(OTHER, [signed_body(o)[1] for o in objs])
    forged["extensions"][EXT_SIGNATURE]["signature"] = attach_signature(objs[4], other_seal, 4)[
        "extensions"
    ][EXT_SIGNATURE]["signature"]
    assert _reason(forged) == "bad-signature"

    for field, value in [
        ("alg", "rsa"),
        ("root", "zz" * 32),
        ("root", "AB" * 32),
        ("proof", "00"),
        ("proof", ["00"]),
        ("proof", ["AB" * 32]),
        ("proof", ["ab" * 31 + " a"]),
        ("proof", [32 * "ab", 7]),
        ("index", 10),
        ("index", -1),
        ("index", True),
        ("leaves", 0),
        ("signature", "***"),
        ("signature", None),
        ("key_id", None),
        ("extension_type", "new-sdo"),
    ]:
        bad = copy.deepcopy(good)
        bad["extensions"][EXT_SIGNATURE][field] = value
        assert _reason(bad) == "malformed", (field, value)
    bad = copy.deepcopy(good)
    bad["extensions"][EXT_SIGNATURE] = "sig"
    assert _reason(bad) == "malformed"


def test_leaf_count_tampering_fails() -> None:
    signed = sign_objects(KEY, [sample_stix(i) for i in range(5)])
    bad = copy.deepcopy(signed[0])
    bad["extensions"][EXT_SIGNATURE]["leaves"] = 6  # same path shape for index 0
    assert _reason(bad) == "bad-signature"


def test_error_message_is_readable() -> None:
    with pytest.raises(SignatureError, match=r"missing-signature: object 'x--1' is not signed"):
        verify_attached({"id": "x--1"}, KEY.public_key)
    with pytest.raises(ValueError, match="unknown-key"):
        verify_attached(sign_objects(KEY, [{"id": "x--1"}])[0], OTHER.public_key)


def test_canonical_bytes_are_what_was_signed() -> None:
    obj = sample_stix(7)
    (signed,) = sign_objects(KEY, [obj])
    verified = verify_attached(signed, KEY.public_key)
    assert verified.canonical == canonical_json(obj)
    assert verified.root.hex() == signed["extensions"][EXT_SIGNATURE]["root"]
