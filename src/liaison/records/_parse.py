"""Parsing and serialising records: STIX dict ⇄ typed record."""

from __future__ import annotations

import re
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import msgspec

from ._common import PlainExtensions
from ._errors import RecordError, from_validation_error
from ._ids import EXT_PARTY, EXT_SIGNATURE, EXTENSION_NAMES
from ._kinds import CLASS_OF_KIND, KIND_OF_TYPE, TYPE_OF_KIND, Record
from ._kinds_analysis import Assessment
from ._kinds_core import Designation, Group, Location, Person
from ._kinds_observed import Event, HarmAllegation, Logistics, Presence, StrikeReport
from ._time import _ms_unchecked

__all__ = ["kind_of", "parse_record", "to_stix"]

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(dict[str, Any])
_CUSTOM_NAME = re.compile(r"^x_[a-z0-9_]{1,248}$")


def _encode_names(cls: type[Record]) -> frozenset[str]:
    return frozenset(f.encode_name for f in msgspec.structs.fields(cls) if f.name != "custom")


# STIX type -> (typed class, the STIX property names it accepts)
_SPECS: MappingProxyType[str, tuple[type[Record], frozenset[str]]] = MappingProxyType(
    {
        stix_type: (CLASS_OF_KIND[kind], _encode_names(CLASS_OF_KIND[kind]))
        for kind, stix_type in TYPE_OF_KIND.items()
    }
)


def _object_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) else None


def kind_of(obj: dict[str, Any]) -> str:
    """The record kind of a STIX object, from its ``type`` (and the party extension).

    Raises ``RecordError`` if the object is of no liaison kind.
    """
    stix_type = obj.get("type")
    kind = KIND_OF_TYPE.get(stix_type) if isinstance(stix_type, str) else None
    if kind is None:
        known = ", ".join(sorted(KIND_OF_TYPE))
        reason = f"unknown record type {stix_type!r} (known: {known})"
        raise RecordError(_object_id(obj), "type", reason)
    if kind == "party":
        extensions = obj.get("extensions")
        if obj.get("identity_class") != "organization" or not (
            isinstance(extensions, dict) and EXT_PARTY in extensions
        ):
            reason = "an identity is a party record only with identity_class 'organization'"
            raise RecordError(_object_id(obj), "extensions", reason + " and the party extension")
    return kind


def _no_nulls(obj: dict[str, Any], object_id: str | None, prefix: str) -> None:
    for key, value in obj.items():
        if value is None:
            raise RecordError(object_id, prefix + key, "must not be null")


def _valid_day(value: str, object_id: str | None, field: str) -> None:
    """Refuse days the calendar lacks (30 February); the pattern has checked the rest."""
    if value[8:10] > "28":
        try:
            _ms_unchecked(value)
        except ValueError:
            reason = f"is not a valid date (got {value!r})"
            raise RecordError(object_id, field, reason) from None


def _sort_key(value: str) -> tuple[str, str]:
    """Timestamps in time order: whole seconds, then the fraction without trailing zeros.

    (Two timestamps of the same length have the same form and compare as text.)
    """
    return value[:19], value[20:-1].rstrip("0")


def _window(rec: Any, start: str, end: str) -> None:
    a, b = getattr(rec, start), getattr(rec, end)
    if a is not None:
        _valid_day(a, rec.id, start)
    if b is not None:
        _valid_day(b, rec.id, end)
    if a is None or b is None:
        return
    if b < a if len(a) == len(b) else _sort_key(b) < _sort_key(a):
        raise RecordError(rec.id, end, f"must not be earlier than {start} ({b} < {a})")


def _ordered(rec: Any, *fields: str) -> None:
    present = [(f, getattr(rec, f)) for f in fields if getattr(rec, f) is not None]
    for (fa, va), (fb, vb) in pairwise(present):
        if vb < va:
            raise RecordError(rec.id, fb, f"must be >= {fa} (got {vb} < {va})")


def _check(rec: Record) -> None:
    """The checks msgspec's types cannot express."""
    _window(rec, "created", "modified")
    match rec:
        case StrikeReport() | Logistics() | HarmAllegation() | Event():
            _window(rec, "time_start", "time_end")
            if isinstance(rec, Event):
                _ordered(rec, "fatalities_low", "fatalities_best", "fatalities_high")
            elif isinstance(rec, HarmAllegation):
                _ordered(rec, "civilian_casualties_low", "civilian_casualties_high")
        case Presence():
            _window(rec, "first_seen", "last_seen")
        case Assessment():
            _window(rec, "period_start", "period_end")
        case Designation():
            _valid_day(rec.since, rec.id, "since")
        case Person():
            if rec.last_known_date is not None:
                _valid_day(rec.last_known_date, rec.id, "last_known_date")
        case Group() | Location():
            if rec.extensions == PlainExtensions():
                raise RecordError(rec.id, "extensions", "must not be empty")
        case _:
            pass


def _fail_extra(obj: dict[str, Any], extra: set[str]) -> dict[str, Any]:
    """Split the ``x_`` properties off ``obj``; refuse any other unknown property."""
    object_id = _object_id(obj)
    for key in sorted(extra, key=str):
        if not (isinstance(key, str) and key.startswith("x_")):
            reason = "is not a property of this kind (custom properties must start with x_)"
            raise RecordError(object_id, key, reason)
        if not _CUSTOM_NAME.match(key):
            reason = "custom property names must be 3-250 characters of a-z, 0-9 and _"
            raise RecordError(object_id, key, reason)
    data = {k: v for k, v in obj.items() if k not in extra}
    data["custom"] = {k: obj[k] for k in extra}
    return data


def parse_record(obj: dict[str, Any]) -> Record:
    """Validate one STIX object (as decoded from JSON) and return its typed record.

    Raises ``RecordError`` naming the object id and the field for any invalid input.
    """
    if not isinstance(obj, dict):
        raise RecordError(None, None, f"a record must be a JSON object, not {type(obj).__name__}")
    stix_type = obj.get("type")
    spec = _SPECS.get(stix_type) if isinstance(stix_type, str) else None
    if spec is None or spec[0] is CLASS_OF_KIND["party"]:
        kind_of(obj)  # raises for an unknown type or an identity that is not a party
        spec = _SPECS[stix_type]  # type: ignore[index]
    cls, names = spec
    if None in obj.values():
        _no_nulls(obj, _object_id(obj), "")
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for ext_id, entry in extensions.items():
            if ext_id != EXT_SIGNATURE and isinstance(entry, dict) and None in entry.values():
                name = EXTENSION_NAMES.get(ext_id, ext_id)
                _no_nulls(entry, _object_id(obj), f"extensions.{name}.")
    extra = obj.keys() - names
    data = _fail_extra(obj, extra) if extra else obj
    try:
        record = msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        raise from_validation_error(exc, obj, cls) from None
    _check(record)
    return record


def to_stix(record: Record) -> dict[str, Any]:
    """The JSON-ready STIX dict of a record (the inverse of ``parse_record``)."""
    # A JSON round trip in C: tuples become lists, absent fields stay absent.
    out: dict[str, Any] = _DECODER.decode(_ENCODER.encode(record))
    custom = out.pop("custom", None)
    if custom:
        out.update(custom)
    return out
