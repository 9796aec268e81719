"""``RecordError``: what is wrong with a record, in words, naming the object and field."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

import msgspec
from msgspec import inspect as mi

from ._common import PATTERN_HINTS
from ._ids import EXTENSION_NAMES

__all__ = ["RecordError", "from_validation_error"]


class RecordError(Exception):
    """A record is invalid: ``object_id`` (if known), ``field`` (if any) and ``reason``."""

    object_id: str | None
    field: str | None
    reason: str

    def __init__(self, object_id: str | None, field: str | None, reason: str) -> None:
        super().__init__(object_id, field, reason)
        self.object_id = object_id
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        where = self.object_id if self.object_id is not None else "<record without id>"
        if self.field is None:
            return f"{where}: {self.reason}"
        return f"{where}: field {self.field!r}: {self.reason}"


_AT = re.compile(r"^(.*?)(?: - at `\$(.*)`)?$", re.DOTALL)
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")
_BOUND = re.compile(r"^Expected `[a-z]+` (<=|>=|<|>) (-?[0-9.e+-]+)$")
_REGEX = re.compile(r"^Expected `str` matching regex '(.*)'$", re.DOTALL)
_TYPE = re.compile(r"^Expected `([^`]+)`, got `([^`]+)`$")
_LENGTH = re.compile(r"^Expected `(array|str|object)` of length (>=|<=)? ?([0-9]+)$")
_FIELD = re.compile(r"^Object (missing required|contains unknown) field `(.*)`$")
_REF_TYPES = re.compile(r"^\^\(([a-z0-9|-]+)\)--")
_TYPE_WORDS = MappingProxyType(
    {
        "int": "an integer",
        "float": "a number",
        "str": "a string",
        "bool": "a boolean",
        "array": "a list",
        "object": "an object",
        "null": "absent",
    }
)


def _segments(path: str) -> list[str | int]:
    out: list[str | int] = []
    for m in _SEGMENT.finditer(path):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) is not None:
            out.append(int(m.group(2)))
    return out


def _field_name(segments: list[str | int]) -> str | None:
    parts: list[str] = []
    for seg in segments:
        if isinstance(seg, int):
            parts[-1] = f"{parts[-1]}[{seg}]" if parts else f"[{seg}]"
        else:
            parts.append(EXTENSION_NAMES.get(seg, seg))
    return ".".join(parts) if parts else None


def _value_at(obj: Any, segments: list[str | int]) -> tuple[bool, Any]:
    for seg in segments:
        try:
            obj = obj[seg]
        except (KeyError, IndexError, TypeError):
            return False, None
    return True, obj


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def _words(type_name: str) -> str:
    names = [n for n in type_name.split(" | ") if n != "null"]
    if "float" in names and "int" in names:
        names.remove("int")
    return " or ".join(_TYPE_WORDS.get(n, n) for n in names)


def _literal_values(cls: type, segments: list[str | int]) -> tuple[Any, ...]:
    """The allowed values of the Literal field at ``segments`` in ``cls`` (if any)."""
    current: list[mi.Type] = [mi.type_info(cls)]
    for seg in segments:
        nxt: list[mi.Type] = []
        stack = list(current)
        while stack:
            t = stack.pop()
            if isinstance(t, mi.UnionType):
                stack.extend(t.types)
            elif isinstance(t, mi.Metadata):
                stack.append(t.type)
            elif isinstance(t, mi.StructType) and isinstance(seg, str):
                nxt.extend(f.type for f in t.fields if f.encode_name == seg)
            elif isinstance(t, mi.VarTupleType | mi.ListType) and isinstance(seg, int):
                nxt.append(t.item_type)
            elif isinstance(t, mi.TupleType) and isinstance(seg, int) and seg < len(t.item_types):
                nxt.append(t.item_types[seg])
        current = nxt
    values: list[Any] = []
    stack = list(current)
    while stack:
        t = stack.pop()
        if isinstance(t, mi.UnionType):
            stack.extend(t.types)
        elif isinstance(t, mi.LiteralType):
            values.extend(t.values)
    return tuple(values)


def _reason(message: str, segments: list[str | int], obj: Any, cls: type) -> str:
    found, value = _value_at(obj, segments)
    got = f" (got {_show(value)})" if found else ""
    if m := _BOUND.match(message):
        return f"must be {m.group(1)} {_number(m.group(2))}{got}"
    if m := _REGEX.match(message):
        pattern = m.group(1).replace("\\\\", "\\")  # msgspec shows the repr
        if hint := PATTERN_HINTS.get(pattern):
            return hint + got
        if r := _REF_TYPES.match(pattern):
            types = " or ".join(r.group(1).split("|"))
            return f"must be the id of a {types} (TYPE--UUID){got}"
        return f"must match {pattern}{got}"
    if message.startswith("Invalid enum value"):
        allowed = ", ".join(repr(v) for v in _literal_values(cls, segments))
        return f"must be one of {allowed}{got}"
    if m := _TYPE.match(message):
        return f"must be {_words(m.group(1))}, not {_words(m.group(2))}{got}"
    if m := _LENGTH.match(message):
        if m.group(2) == ">=" and m.group(3) == "1":
            return "must not be empty"
        bound = {">=": "at least ", "<=": "at most ", None: ""}[m.group(2)]
        unit = "characters" if m.group(1) == "str" else "items"
        return f"must have {bound}{m.group(3)} {unit}{got}"
    return message + got


def from_validation_error(
    exc: msgspec.ValidationError, obj: dict[str, Any], cls: type
) -> RecordError:
    """The ``RecordError`` for msgspec's ``exc`` raised while converting ``obj`` to ``cls``."""
    object_id = obj.get("id")
    if not isinstance(object_id, str):
        object_id = None
    m = _AT.match(str(exc))
    message, path = (m.group(1), m.group(2) or "") if m else (str(exc), "")
    segments = _segments(path)
    if f := _FIELD.match(message):
        segments = [*segments, f.group(2)]
        if f.group(1) == "missing required":
            reason = "is required"
        elif len(segments) == 1:
            reason = "is not a property of this kind (custom properties must start with x_)"
        elif len(segments) == 2 and segments[0] == "extensions":
            reason = "is not an extension this kind accepts"
        else:
            reason = "is not allowed here"
        return RecordError(object_id, _field_name(segments), reason)
    return RecordError(object_id, _field_name(segments), _reason(message, segments, obj, cls))
