"""A strict, bounded, streaming reader of the objects of a STIX bundle.

The file is read in chunks; each object of the bundle's ``objects`` array (or of
a top-level JSON array) is decoded on its own by the C decoder of the standard
library, so memory holds one chunk and one object at a time. Strict where JSON
parsers are lenient: a duplicate key, a lone surrogate, ``NaN`` or ``Infinity``
refuse the object that holds it; invalid UTF-8, nesting deeper than
``MAX_DEPTH``, an object larger than ``MAX_OBJECT_BYTES`` or more than
``MAX_OBJECTS`` objects refuse the whole file. Every message names the file and
the object number.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

__all__ = [
    "MAX_DEPTH",
    "MAX_OBJECTS",
    "MAX_OBJECT_BYTES",
    "JsonLimitError",
    "RawObject",
    "iter_json_objects",
]

#: Deepest nesting of arrays and objects inside one STIX object (the object itself is 1).
MAX_DEPTH = 64
#: Largest STIX object, in characters of its JSON text (strings included).
MAX_OBJECT_BYTES = 16 * 2**20
#: Most objects in one file.
MAX_OBJECTS = 10_000_000

_CHUNK = 2**20
_WS = re.compile(r"[ \t\n\r]*")
# How close to the end of the buffer a decoding error may be caused by the cut
# (``tru|e``, ``1.|5``): then more text is read and the object decoded again.
_CUT_MARGIN = 8


class JsonLimitError(Exception):
    """The file breaks JSON or one of the reader's limits; nothing after can be read."""


@dataclass(frozen=True, slots=True)
class RawObject:
    """One decoded element: ``value`` (or ``error`` saying why it is refused) and its size."""

    number: int
    value: Any
    size: int
    error: str | None = None


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Constant(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return obj


def _constant(name: str) -> Any:
    raise _Constant(name)


_STRICT = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant)
_LENIENT = json.JSONDecoder()


def depth_of(value: Any) -> int:
    """Nesting depth of a JSON value (a scalar is 0, ``{}`` is 1, ``{"a": []}`` is 2)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item  # type: ignore[assignment]
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) holding a lone surrogate, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(value)"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if lone_surrogate_path(key, here) is not None:
                return here
            found = lone_surrogate_path(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{i}]")
            if found is not None:
                return found
    return None


class _Reader:
    """A text buffer over a binary file, refilled in chunks, strictly UTF-8."""

    def __init__(self, fh: IO[bytes], name: str, chunk_size: int) -> None:
        self._fh = fh
        self._chunk = chunk_size
        self.name = name
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._consumed = 0  # bytes read so far (for messages)
        self._dropped = 0  # characters dropped before the buffer (for messages)

    def more(self) -> bool:
        """Read one more chunk; False at the end of the file."""
        if self.eof:
            return False
        raw = self._fh.read(self._chunk)
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            at = self._consumed + exc.start
            raise JsonLimitError(
                f"{self.name}: not valid UTF-8 at byte {at} (STIX JSON must be UTF-8)"
            ) from None
        self._consumed += len(raw)
        if not raw:
            self.eof = True
        # Drop what has been consumed, keep the rest.
        self._dropped += self.pos
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        return bool(raw) or bool(text)

    def skip_ws(self) -> None:
        while True:
            end = _WS.match(self.buf, self.pos)
            self.pos = end.end() if end else self.pos
            if self.pos < len(self.buf) or not self.more():
                return

    def peek(self) -> str:
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if c == "" or c not in chars:
            found = repr(c) if c else "the end of the file"
            wanted = " or ".join(repr(x) for x in chars)
            raise JsonLimitError(f"{self.name}: malformed JSON {what}: expected {wanted}, "
                                 f"found {found}")  # fmt: skip
        self.pos += 1
        return c

    def value(self, where: str) -> tuple[Any, int, str | None]:
        """Decode the value at ``pos``: (value, its length, why it is refused or None)."""
        self.skip_ws()
        error: str | None = None
        try:
            value, end = self._raw(_STRICT, where)
        except _DuplicateKey as exc:
            error = f"duplicate key {exc.key!r} in one JSON object"
            value, end = self._raw(_LENIENT, where)
        except _Constant as exc:
            error = f"{exc.name} is not a JSON number"
            value, end = self._raw(_LENIENT, where)
        start = self.pos
        self.pos = end
        if error is None:
            error = self._check(value, self.buf, start, end)
        return value, end - start, error

    def _raw(self, decoder: json.JSONDecoder, where: str) -> tuple[Any, int]:
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._cut(exc) and self.more():
                    self._bound(where)
                    continue
                at = self._dropped + exc.pos
                raise JsonLimitError(f"{where}: malformed JSON: {exc.msg} "
                                     f"(at character {at:,} of the file)") from None  # fmt: skip
            except RecursionError:
                raise JsonLimitError(
                    f"{where}: nested deeper than {MAX_DEPTH} levels of arrays and objects"
                ) from None
            except ValueError as exc:  # e.g. an integer of more than 4,300 digits
                raise JsonLimitError(f"{where}: not decodable: {exc}") from None
            if end == len(self.buf) and not self.eof and self.more():
                continue  # a number cut at the chunk's end: decode it whole
            return value, end

    def _cut(self, exc: json.JSONDecodeError) -> bool:
        return exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf) - _CUT_MARGIN

    def _bound(self, where: str) -> None:
        if len(self.buf) - self.pos > MAX_OBJECT_BYTES:
            raise JsonLimitError(f"{where}: larger than {MAX_OBJECT_BYTES // 2**20} MiB")

    @staticmethod
    def _check(value: Any, buf: str, start: int, end: int) -> str | None:
        if end - start > MAX_OBJECT_BYTES:
            return f"larger than {MAX_OBJECT_BYTES // 2**20} MiB"
        # The count of brackets bounds the depth: walk only when it could be too deep.
        if (
            buf.count("{", start, end) + buf.count("[", start, end) > MAX_DEPTH
            and depth_of(value) > MAX_DEPTH
        ):
            return f"nested deeper than {MAX_DEPTH} levels of arrays and objects"
        if buf.find("\\u", start, end) != -1:
            path = lone_surrogate_path(value)
            if path is not None:
                return f"field {path!r}: a lone surrogate (\\uD800–\\uDFFF) is not valid Unicode"
        return None


def iter_json_objects(fh: IO[bytes], name: str, *, chunk_size: int = _CHUNK) -> Iterator[RawObject]:
    """The elements of the bundle's ``objects`` array (or of a top-level array), in order.

    Raises ``JsonLimitError`` for a file that is not such JSON or breaks a limit.
    """
    reader = _Reader(fh, name, chunk_size)
    reader.more()
    if reader.buf.startswith("\ufeff"):
        reader.pos = 1
    first = reader.peek()
    if first == "[":
        reader.pos += 1
        yield from _array(reader)
    elif first == "{":
        reader.pos += 1
        yield from _bundle(reader)
    else:
        raise JsonLimitError(f"{name}: not JSON (a STIX bundle starts with '{{')")
    reader.skip_ws()
    if reader.pos < len(reader.buf):
        raise JsonLimitError(f"{name}: malformed JSON: text after the end of the bundle")


def _bundle(reader: _Reader) -> Iterator[RawObject]:
    name = reader.name
    seen: set[str] = set()
    found = False
    if reader.peek() == "}":
        reader.pos += 1
    else:
        while True:
            if reader.peek() != '"':
                reader.expect('"', "in the bundle (a member name)")
            key, _, _ = reader.value(f"{name}: a bundle member name")
            if key in seen:
                raise JsonLimitError(f"{name}: duplicate key {key!r} in the bundle")
            seen.add(key)
            reader.expect(":", f"after the bundle member {key!r}")
            if key == "objects":
                if reader.peek() != "[":
                    raise JsonLimitError(f"{name}: the bundle's 'objects' must be an array")
                reader.pos += 1
                found = True
                yield from _array(reader)
            else:
                value, _, error = reader.value(f"{name}: bundle member {key!r}")
                if error is not None:
                    raise JsonLimitError(f"{name}: bundle member {key!r}: {error}")
                if key == "type" and value != "bundle":
                    raise JsonLimitError(
                        f"{name}: not a STIX bundle (its type is {value!r}, not 'bundle')"
                    )
            if reader.expect(",}", "in the bundle") == "}":
                break
    if not found:
        raise JsonLimitError(f"{name}: not a STIX bundle (no 'objects' array found)")


def _array(reader: _Reader) -> Iterator[RawObject]:
    name = reader.name
    if reader.peek() == "]":
        reader.pos += 1
        return
    n = 0
    while True:
        n += 1
        if n > MAX_OBJECTS:
            raise JsonLimitError(f"{name}: more than {MAX_OBJECTS:,} objects; split the file")
        value, size, error = reader.value(f"{name} object #{n}")
        yield RawObject(n, value, size, error)
        if reader.expect(",]", f"after object #{n}") == "]":
            return
