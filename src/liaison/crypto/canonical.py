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

Each case leaves a trace in orjson's compact output that one C-speed regular
expression finds. Only then is the object serialised again by `rfc8785`, the
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

_OPTIONS: Final = (
    orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | (orjson.OPT_PASSTHROUGH_DATACLASS)
)

# A value token in compact orjson output always follows ``:``, ``,`` or ``[``.
# Any of these alternatives may also match inside a string; that only costs a
# trip through the slow path, never a wrong answer.
_SUSPECT: Final = re.compile(
    rb"[:,\[]"
    rb"(?:"
    rb"-?\d+(?:\.\d+)?e"  # exponent form (orjson writes a lowercase e)
    rb"|-?\d+\.0[,\]}]"  # integral float, including -0.0
    rb"|-?\d{16}"  # 16+ digits: may exceed 2**53 - 1
    rb"|null[,\]}]"  # NaN and infinities become null in orjson
    rb")"
)
# UTF-8 lead bytes of characters above U+FFFF, and of U+E000..U+FFFF.
_ASTRAL: Final = re.compile(rb"[\xf0-\xf4]")
_HIGH_BMP: Final = re.compile(rb"[\xee\xef]")


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
        # Unsupported type, non-string key, surrogate, int beyond 64 bits:
        # the reference implementation either handles it or names the error.
        return canonical_json_reference(obj)
    if _SUSPECT.search(out) is not None:
        return canonical_json_reference(obj)
    if _ASTRAL.search(out) is not None and _HIGH_BMP.search(out) is not None:
        return canonical_json_reference(obj)
    return out


def canonical_digest(obj: object) -> bytes:
    """SHA-256 of the canonical JSON of *obj* (32 raw bytes)."""
    return hashlib.sha256(canonical_json(obj)).digest()
