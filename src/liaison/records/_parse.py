"""Parsing and serialising records: STIX dict ⇄ typed record."""

from __future__ import annotations

import re
from itertools import pairwise
from types import MappingProxyType
from typing import Any

import msgspec

from ._common import PlainExtensions
from ._errors import RecordError, from_validation_error
from ._extdefs import EXTENSION_OF_KIND
from ._generic import StixObject, parse_generic
from ._ids import EXT_CORROBORATION, EXT_PARTY, EXT_PRESENCE, EXT_SIGNATURE, EXTENSION_NAMES
from ._kinds import CLASS_OF_KIND, KIND_OF_TYPE, Record
from ._kinds_analysis import Assessment
from ._kinds_core import Designation, Group, Location, Party, PartyExtensions, Person
from ._kinds_observed import Event, HarmAllegation, Logistics, Presence, StrikeReport
from ._time import _ms_unchecked
from ._tlp import check_tlp_marking

__all__ = ["kind_of", "parse_record", "to_stix", "warnings_of"]

_ENCODER = msgspec.json.Encoder()
_DECODER = msgspec.json.Decoder(dict[str, Any])
_CUSTOM_NAME = re.compile(r"^x_[a-z0-9_]{1,248}$")


_NOT_STIX = frozenset({"custom", "foreign_extensions"})


def _encode_names(cls: type[Any]) -> frozenset[str]:
    return frozenset(f.encode_name for f in msgspec.structs.fields(cls) if f.name not in _NOT_STIX)


# kind -> (typed class, the STIX property names it accepts, its own extension ids)
_SPECS: MappingProxyType[str, tuple[type[Any], frozenset[str], frozenset[str]]] = MappingProxyType(
    {
        kind: (
            cls,
            _encode_names(cls),
            frozenset({EXT_SIGNATURE, *filter(None, [EXTENSION_OF_KIND.get(kind)])}),
        )
        for kind, cls in CLASS_OF_KIND.items()
    }
)
# STIX types whose kind does not depend on the object's content.
_FIXED_KIND = MappingProxyType(
    {t: k for t, k in KIND_OF_TYPE.items() if t not in ("identity", "sighting", "opinion")}
)


def _object_id(obj: dict[str, Any]) -> str | None:
    value = obj.get("id")
    return value if isinstance(value, str) else None


def kind_of(obj: dict[str, Any]) -> str:
    """The record kind of a STIX object: one of ``KINDS`` for the kinds liaison
    understands, else the object's STIX ``type`` (stored verbatim).

    An ``identity`` of class organization is a party (a node's when it carries the
    party extension, an external one when not); a ``sighting`` is a presence and an
    ``opinion`` a corroboration only with liaison's extension. Raises
    ``RecordError`` for an object without a type or of an unknown ``liaison-`` type.
    """
    stix_type = obj.get("type")
    if not isinstance(stix_type, str):
        raise RecordError(_object_id(obj), "type", f"must be a string (got {stix_type!r})")
    kind = _FIXED_KIND.get(stix_type)
    if kind is not None:
        return kind
    extensions = obj.get("extensions")
    if not isinstance(extensions, dict):
        extensions = {}
    if stix_type == "identity":
        if obj.get("identity_class") == "organization":
            return "party"
        if EXT_PARTY in extensions:
            reason = "the party extension needs identity_class 'organization'"
            raise RecordError(_object_id(obj), "identity_class", reason)
        return "identity"
    if stix_type == "sighting":
        return "presence" if EXT_PRESENCE in extensions else "sighting"
    if stix_type == "opinion":
        return "corroboration" if EXT_CORROBORATION in extensions else "opinion"
    if stix_type.startswith("liaison-"):
        known = ", ".join(sorted(t for t in KIND_OF_TYPE if t.startswith("liaison-")))
        reason = f"unknown liaison record type {stix_type!r} (known: {known})"
        raise RecordError(_object_id(obj), "type", reason)
    return stix_type


def _no_nulls(obj: dict[str, Any], object_id: str | None, prefix: str) -> None:
    for key, value in obj.items():
        if value is None:
            raise RecordError(object_id, prefix + key, "must not be null")


def _valid_day(value: str, object_id: str | None, field: str) -> None:
    """Refuse year 0000 and days the calendar lacks (30 February); the pattern has
    checked the rest."""
    if value.startswith("0000"):
        reason = f"year 0000 is outside the timestamps liaison keeps (0001–9999; got {value!r})"
        raise RecordError(object_id, field, reason)
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
            # Fatality estimates out of order (UCDP has such rows) are kept and
            # flagged (``warnings_of``), not refused.
            if isinstance(rec, HarmAllegation):
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
        case Group():
            _window(rec, "first_seen", "last_seen")
            _not_empty_extensions(rec, PlainExtensions())
        case Location():
            _location(rec)
            _not_empty_extensions(rec, PlainExtensions())
        case Party():
            _not_empty_extensions(rec, PartyExtensions())
        case _:
            pass


def _not_empty_extensions(rec: Any, empty: Any) -> None:
    if rec.extensions == empty and not rec.foreign_extensions:
        raise RecordError(rec.id, "extensions", "must not be empty")


def _location(rec: Location) -> None:
    """STIX: coordinates come in pairs; a location has coordinates, a region or a country."""
    if (rec.latitude is None) != (rec.longitude is None):
        missing = "longitude" if rec.longitude is None else "latitude"
        raise RecordError(rec.id, missing, "is required with " + ("latitude" if missing ==
                          "longitude" else "longitude"))  # fmt: skip
    if rec.precision is not None and rec.latitude is None:
        raise RecordError(rec.id, "precision", "needs latitude and longitude")
    if rec.latitude is None and rec.region is None and rec.country is None:
        raise RecordError(rec.id, "latitude", "a location needs coordinates, a region or a country")


def warnings_of(obj: dict[str, Any]) -> tuple[str, ...]:
    """What is odd about a valid STIX object but kept: e.g. fatality estimates out of
    order (``fatalities_low`` > ``fatalities_best``, as real UCDP rows have)."""
    if obj.get("type") != "liaison-event":
        return ()
    out: list[str] = []
    values = [(f, obj.get(f)) for f in ("fatalities_low", "fatalities_best", "fatalities_high")]
    present = [(f, v) for f, v in values if isinstance(v, int)]
    for (fa, va), (fb, vb) in pairwise(present):
        if vb < va:
            out.append(f"{fa} {va} > {fb} {vb} (kept as reported)")
    return tuple(out)


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

    The kinds liaison understands become their typed class; any other valid STIX
    2.1 object becomes a ``StixObject`` kept verbatim. Raises ``RecordError``
    naming the object id and the field for any invalid input.
    """
    if not isinstance(obj, dict):
        raise RecordError(None, None, f"a record must be a JSON object, not {type(obj).__name__}")
    stix_type = obj.get("type")
    kind = _FIXED_KIND.get(stix_type) if isinstance(stix_type, str) else None
    if kind is None:
        kind = kind_of(obj)
    spec = _SPECS.get(kind)
    if spec is None:
        generic = parse_generic(obj)
        if kind == "marking-definition":
            check_tlp_marking(obj)
        return generic
    cls, names, own = spec
    if None in obj.values():
        _no_nulls(obj, _object_id(obj), "")
    data = obj
    extensions = obj.get("extensions")
    if isinstance(extensions, dict):
        for ext_id, entry in extensions.items():
            if ext_id != EXT_SIGNATURE and isinstance(entry, dict) and None in entry.values():
                name = EXTENSION_NAMES.get(ext_id, ext_id)
                _no_nulls(entry, _object_id(obj), f"extensions.{name}.")
        if not own.issuperset(extensions):
            data = _split_foreign(obj, extensions, own)
    extra = obj.keys() - names
    if extra:
        data = _fail_extra(data, extra)
    try:
        record = msgspec.convert(data, cls)
    except msgspec.ValidationError as exc:
        raise from_validation_error(exc, obj, cls) from None
    _check(record)
    return record  # type: ignore[no-any-return]


def _split_foreign(
    obj: dict[str, Any], extensions: dict[str, Any], own: frozenset[str]
) -> dict[str, Any]:
    """Move other projects' extension entries out of ``extensions`` (kept verbatim)."""
    object_id = _object_id(obj)
    foreign: dict[str, Any] = {}
    for ext_id, entry in extensions.items():
        if ext_id in own:
            continue
        if ext_id in EXTENSION_NAMES:
            name = EXTENSION_NAMES[ext_id]
            raise RecordError(object_id, f"extensions.{name}", "is not an extension this kind "
                              "accepts")  # fmt: skip
        if not isinstance(entry, dict):
            raise RecordError(object_id, f"extensions.{ext_id}", "must be an object")
        if ext_id.startswith("extension-definition--") and "extension_type" not in entry:
            raise RecordError(object_id, f"extensions.{ext_id}.extension_type", "is required")
        foreign[ext_id] = entry
    data = {k: v for k, v in obj.items() if k != "extensions"}
    mine = {k: v for k, v in extensions.items() if k in own}
    if mine:
        data["extensions"] = mine
    data["foreign_extensions"] = foreign
    return data


def to_stix(record: Record) -> dict[str, Any]:
    """The JSON-ready STIX dict of a record (the inverse of ``parse_record``)."""
    if isinstance(record, StixObject):
        copied: dict[str, Any] = _DECODER.decode(_ENCODER.encode(record.properties))
        return copied
    # A JSON round trip in C: tuples become lists, absent fields stay absent.
    out: dict[str, Any] = _DECODER.decode(_ENCODER.encode(record))
    custom = out.pop("custom", None)
    if custom:
        out.update(custom)
    foreign = out.pop("foreign_extensions", None)
    if foreign:
        out["extensions"] = {**out.get("extensions", {}), **foreign}
    return out
