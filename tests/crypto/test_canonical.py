"""canonical_json must equal the rfc8785 reference on every JSON value."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.crypto.canonical import (
    CanonicalizationError,
    _needs_reference,
    canonical_digest,
    canonical_json,
    canonical_json_reference,
)
from tests.crypto.strategies import floats, json_values, sample_stix, stix_objects, texts


@given(json_values)
@settings(max_examples=1500)
def test_equals_rfc8785_on_any_json_value(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value)


@given(st.lists(floats, min_size=1, max_size=8))
@settings(max_examples=1500)
def test_floats_equal_rfc8785(values: list[float]) -> None:
    assert canonical_json(values) == rfc8785.dumps(values)
    assert canonical_json({"x": values}) == rfc8785.dumps({"x": values})


@given(st.dictionaries(texts, st.integers(0, 9), max_size=12))
@settings(max_examples=1000)
def test_key_order_is_utf16(obj: dict[str, int]) -> None:
    assert canonical_json(obj) == rfc8785.dumps(obj)


@given(stix_objects())
@settings(max_examples=500)
def test_equals_rfc8785_on_stix_objects(obj: dict[str, Any]) -> None:
    assert canonical_json(obj) == rfc8785.dumps(obj)


def test_realistic_objects_take_the_fast_path() -> None:
    # Timestamps with milliseconds and ordinary floats must not trigger the fallback.
    for i in range(50):
        obj = sample_stix(i)
        out = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
        assert not _needs_reference(out)
        assert canonical_json(obj) == out == rfc8785.dumps(obj)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (100.0, b"100"),
        (-0.0, b"0"),
        (1e21, b"1e+21"),
        (1e20, b"100000000000000000000"),
        (1.5e-6, b"0.0000015"),
        (1e-7, b"1e-7"),
        (2.0**53, b"9007199254740992"),
        (0.1, b"0.1"),
        (2**53 - 1, b"9007199254740991"),
        ("\u2028\x7f\x1f\n", b'"\xe2\x80\xa8\x7f\\u001f\\n"'),
    ],
)
def test_known_forms(value: object, expected: bytes) -> None:
    assert canonical_json([value]) == b"[" + expected + b"]"
    assert canonical_json({"k": value}) == b'{"k":' + expected + b"}"
    assert canonical_json(value) == expected


def test_utf16_key_order_example() -> None:
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000, unlike code points.
    obj = {"\ue000": 1, "\U0001f600": 2, "a": 3}
    assert canonical_json(obj) == '{"a":3,"\U0001f600":2,"\ue000":1}'.encode()


def test_escaping_matches_over_all_code_points() -> None:
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for start in range(0, len(chars), 512):
        s = "".join(chars[start : start + 512])
        assert canonical_json([s]) == rfc8785.dumps([s]), hex(ord(chars[start]))


@pytest.mark.parametrize(
    "bad",
    [
        math.nan,
        math.inf,
        -math.inf,
        2**53,
        -(2**53),
        2**64,
        10**30,
        "\ud800",
        {1: "x"},
        {"a": b"bytes"},
        {"a": {1, 2}},
    ],
)
def test_rejects_what_jcs_forbids(bad: object) -> None:
    for wrapped in (bad, [bad], {"k": [1, {"n": bad}]}):
        with pytest.raises(CanonicalizationError):
            canonical_json(wrapped)
        with pytest.raises(ValueError, match=r"canonicalis|exceeds|not representable|key|UTF"):
            canonical_json(wrapped)


def test_tuple_and_reference_agree() -> None:
    assert canonical_json((1, "a", None)) == b'[1,"a",null]'
    assert canonical_json_reference({"b": 1, "a": [True]}) == b'{"a":[true],"b":1}'


def test_digest_is_sha256_of_canonical_bytes() -> None:
    import hashlib

    obj = sample_stix(3)
    assert canonical_digest(obj) == hashlib.sha256(rfc8785.dumps(obj)).digest()
