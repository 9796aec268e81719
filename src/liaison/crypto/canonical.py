"""RFC 8785 (JCS) canonical JSON, fast.

The JSON Canonicalization Scheme fixes one byte form for every JSON value:
object members sorted by the UTF-16 code units of their names, no
insignificant whitespace, minimal string escaping, and numbers written the
way ECMAScript prints an IEEE 754 double.

`orjson` with sorted keys already produces exactly that form for the values
records are made of (strings, safe integers, booleans, non-integral floats of
moderate size, nested objects and arrays). It differs from JCS only in a few
recognisable cases, measured against the `rfc8785` package:

* integral floats (orjson ``100.0``, JCS ``100``), including ``-0.0``;
* floats orjson writes with an exponent (``1e+16``, ``1.5e-6``): JCS writes
  some of them in positional notation;
* NaN and infinities, which orjson writes as ``null`` and JCS forbids;
* integers beyond 2^53 - 1 in magnitude, which JCS forbids;
* member names mixing characters above U+FFFF with characters in
  U+E000..U+FFFF, where UTF-16 order differs from code-point order.

Huge integers are refused by orjson itself (``OPT_STRICT_INTEGER``); each
other case leaves a trace in orjson's compact output that a few
memchr-speed searches find. Only then is the object serialised again by `rfc8785`, the
reference implementation; its verdict (bytes or error) is final. String
escaping is identical in both (checked exhaustively over U+0000..U+FFFF and
all planes by the tests).
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

import orjson
import rfc8785

__all__ = [
    "JSON_INT_MAX",
    "CanonicalizationError",
    "canonical_digest",
    "canonical_json",
    "canonical_json_reference",
]

#: The largest integer magnitude JCS admits (RFC 8785 §3.2.2.3, I-JSON).
JSON_INT_MAX: Final = 2**53 - 1

# OPT_STRICT_INTEGER makes orjson refuse integers beyond +/-(2**53 - 1) itself.
_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_STRICT_INTEGER
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)

# Traces of the cases where orjson and JCS differ, in orjson's compact output.
# Each may also occur inside a string; that only costs a trip through the slow
# path, never a wrong answer. Patterns that start with one literal byte are
# searched at memchr speed; one regular expression with alternatives would
# test every byte.
_NULL: Final = re.compile(rb"null")  # None, and NaN / infinities (orjson: null)
_INTEGRAL: Final = re.compile(rb"\.0[,\]}]")  # integral floats: 100.0, -0.0
_EXP_NEG: Final = re.compile(rb"e-\d+[,\]}]")  # orjson always signs exponents
_PLUS: Final = b"+"  # e+NN exponents; "+" is rare in text
# UTF-8 lead bytes of characters above U+FFFF, and of U+E000..U+FFFF: only a
# mix of both can sort differently in UTF-16 and in code points.
_ASTRAL: Final = (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4")
_HIGH_BMP: Final = (b"\xee", b"\xef")


def _needs_reference(out: bytes) -> bool:
    """True if orjson's *out* may differ from the JCS form."""
    if (
        _PLUS in out
        or _INTEGRAL.search(out) is not None
        or _EXP_NEG.search(out) is not None
        or _NULL.search(out) is not None
    ):
        return True
    if out.isascii():
        return False
    return any(b in out for b in _ASTRAL) and any(b in out for b in _HIGH_BMP)


class CanonicalizationError(ValueError):
    """The value has no RFC 8785 form (NaN, huge integer, non-string key, ...)."""


def canonical_json_reference(obj: object) -> bytes:
    """Serialise with the `rfc8785` reference implementation only (slow)."""
    try:
        return bytes(rfc8785.dumps(obj))  # type: ignore[arg-type]
    except (ValueError, TypeError, RecursionError) as exc:
        raise CanonicalizationError(f"not canonicalisable as JSON: {exc}") from exc


def canonical_json(obj: object) -> bytes:
    """Return the RFC 8785 canonical JSON bytes of *obj*.

    *obj* must be a JSON value built from dict (string keys), list, tuple,
    str, int, float, bool and None. Raises `CanonicalizationError` (a
    `ValueError`) for NaN, infinities, integers outside +/-(2**53 - 1),
    non-string keys, lone surrogates and unsupported types.
    """
    if not isinstance(obj, dict | list | tuple):
        return canonical_json_reference(obj)
    try:
        out = orjson.dumps(obj, option=_OPTIONS)
    except (TypeError, orjson.JSONEncodeError):
        # Unsupported type, non-string key, surrogate, integer beyond 2**53:
        # the reference implementation either handles it or names the error.
        return canonical_json_reference(obj)
    if _needs_reference(out):
        return canonical_json_reference(obj)
    return out


def canonical_digest(obj: object) -> bytes:
    """SHA-256 of the canonical JSON of *obj* (32 raw bytes)."""
    return hashlib.sha256(canonical_json(obj)).digest()
