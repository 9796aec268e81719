"""STIX objects of no liaison kind (report, indicator, relationship, note, marking,
observables, other projects' custom objects…): checked against the STIX 2.1 rules
every object shares, then kept verbatim, indexed by their type and their time.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

from msgspec import Struct

from ._errors import RecordError
from ._ids import UUID_PATTERN
from ._time import MS_TIMESTAMP_PATTERN, TIMESTAMP_PATTERN, _ms_unchecked

__all__ = [
    "SCO_TYPES",
    "TIME_WINDOW_OF_TYPE",
    "UNVERSIONED",
    "StixObject",
    "parse_generic",
]

#: The version key of objects STIX does not version (observables): one version each.
UNVERSIONED = "1970-01-01T00:00:00.000Z"

#: STIX 2.1 cyber-observable types: no ``created``/``modified``; ``spec_version`` optional.
SCO_TYPES = frozenset(
    {"artifact", "autonomous-system", "directory", "domain-name", "email-addr",
     "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
     "network-traffic", "process", "software", "url", "user-account",
     "windows-registry-key", "x509-certificate"}
)  # fmt: skip

#: The time window a type is indexed by: (start property, end property or None).
TIME_WINDOW_OF_TYPE: MappingProxyType[str, tuple[str, str | None]] = MappingProxyType(
    {
        "report": ("published", None),
        "indicator": ("valid_from", "valid_until"),
        "observed-data": ("first_observed", "last_observed"),
        "sighting": ("first_seen", "last_seen"),
        "campaign": ("first_seen", "last_seen"),
        "intrusion-set": ("first_seen", "last_seen"),
        "infrastructure": ("first_seen", "last_seen"),
        "malware": ("first_seen", "last_seen"),
        "relationship": ("start_time", "stop_time"),
    }
)
_TIMESTAMPS = frozenset(
    {"created", "modified", "published", "valid_from", "valid_until", "first_observed",
     "last_observed", "first_seen", "last_seen", "start_time", "stop_time"}
)  # fmt: skip
_TYPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_ID = re.compile(rf"^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)--{UUID_PATTERN}$")
_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}$")
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_MS_TIMESTAMP = re.compile(MS_TIMESTAMP_PATTERN)
_COMMON = frozenset({"type", "id", "spec_version"})  # names shorter than 3 characters


class StixObject(Struct, frozen=True, kw_only=True):
    """A valid STIX 2.1 object of no liaison kind, kept verbatim in ``properties``.

    ``kind`` is its STIX type; ``version`` its ``modified`` (or ``created``, or
    ``UNVERSIONED`` for observables).
    """

    id: str
    kind: str
    version: str
    created_by_ref: str | None
    revoked: bool
    properties: dict[str, Any]


def parse_generic(obj: dict[str, Any]) -> StixObject:
    """Check ``obj`` against the rules every STIX 2.1 object follows; raises ``RecordError``."""
    stix_type = obj.get("type")
    raw_id = obj.get("id")
    object_id = raw_id if isinstance(raw_id, str) else None
    if (
        not isinstance(stix_type, str)
        or not (3 <= len(stix_type) <= 250)
        or not _TYPE.match(stix_type)
    ):
        raise RecordError(object_id, "type", f"is not a STIX type name (got {stix_type!r})")
    m = _ID.match(object_id or "")
    if m is None:
        raise RecordError(object_id, "id", f"must be a STIX id ({stix_type}--UUID)")
    if m.group(1) != stix_type:
        raise RecordError(object_id, "id", f"must start with its type {stix_type!r}")
    observable = _is_observable(stix_type, obj)
    _spec_version(obj, object_id, observable)
    for key, value in obj.items():
        _property(key, value, object_id)
    created, modified = obj.get("created"), obj.get("modified")
    if not observable:
        if created is None:
            raise RecordError(object_id, "created", "is required")
        if modified is None and stix_type != "marking-definition":
            raise RecordError(object_id, "modified", "is required")
    if isinstance(created, str) and isinstance(modified, str) and _later(created, modified):
        raise RecordError(object_id, "modified", f"must not be earlier than created "
                          f"({modified} < {created})")  # fmt: skip
    window = TIME_WINDOW_OF_TYPE.get(stix_type)
    if window is not None and window[1] is not None:
        start, end = obj.get(window[0]), obj.get(window[1])
        if isinstance(start, str) and isinstance(end, str) and _later(start, end):
            reason = f"must not be earlier than {window[0]} ({end} < {start})"
            raise RecordError(object_id, window[1], reason)
    version = modified if isinstance(modified, str) else created
    revoked = obj.get("revoked")
    creator = obj.get("created_by_ref")
    return StixObject(
        id=object_id or "",
        kind=stix_type,
        version=version if isinstance(version, str) else UNVERSIONED,
        created_by_ref=creator if isinstance(creator, str) else None,
        revoked=revoked is True,
        properties=obj,
    )


def _is_observable(stix_type: str, obj: dict[str, Any]) -> bool:
    if stix_type in SCO_TYPES:
        return True
    extensions = obj.get("extensions")
    return isinstance(extensions, dict) and any(
        isinstance(e, dict) and e.get("extension_type") == "new-sco" for e in extensions.values()
    )


def _spec_version(obj: dict[str, Any], object_id: str | None, observable: bool) -> None:
    value = obj.get("spec_version")
    if value is None and observable:
        return
    if value != "2.1":
        got = "absent" if value is None else repr(value)
        raise RecordError(object_id, "spec_version", f"must be '2.1' (got {got})")


def _later(a: str, b: str) -> bool:
    """True if timestamp ``b`` is earlier than ``a`` (any fraction lengths)."""
    return (b[:19], b[20:-1].rstrip("0")) < (a[:19], a[20:-1].rstrip("0"))


def _property(key: str, value: Any, object_id: str | None) -> None:
    if key not in _COMMON and not _PROPERTY.match(key):
        reason = "is not a STIX property name (3-250 characters of a-z, 0-9 and _)"
        raise RecordError(object_id, key, reason)
    if value is None:
        raise RecordError(object_id, key, "must not be null")
    if isinstance(value, list) and not value:
        raise RecordError(object_id, key, "must not be empty")
    if key in _TIMESTAMPS:
        _timestamp(key, value, object_id)
    elif key == "created_by_ref" and not (
        isinstance(value, str) and value.startswith("identity--")
    ):
        raise RecordError(object_id, key, f"must be the id of an identity (got {value!r})")
    elif key == "object_marking_refs" and not (
        isinstance(value, list)
        and all(isinstance(v, str) and v.startswith("marking-definition--") for v in value)
    ):
        raise RecordError(object_id, key, "must be a list of marking-definition ids")
    elif key.endswith("_ref"):
        _ref(key, value, object_id)
    elif key.endswith("_refs"):
        if not isinstance(value, list):
            raise RecordError(object_id, key, "must be a list of STIX ids")
        for i, item in enumerate(value):
            _ref(f"{key}[{i}]", item, object_id)
    elif key == "revoked" and not isinstance(value, bool):
        raise RecordError(object_id, key, "must be a boolean")
    elif key == "confidence" and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100
    ):
        raise RecordError(object_id, key, f"must be an integer 0-100 (got {value!r})")
    elif key in ("labels", "external_references", "granular_markings") and not isinstance(
        value, list
    ):
        raise RecordError(object_id, key, "must be a list")
    elif key == "extensions":
        _extensions(value, object_id)
    if key == "external_references":
        for i, ref in enumerate(value):
            if not isinstance(ref, dict) or not isinstance(ref.get("source_name"), str):
                raise RecordError(object_id, f"{key}[{i}].source_name", "is required")


def _timestamp(key: str, value: Any, object_id: str | None) -> None:
    pattern = _MS_TIMESTAMP if key in ("created", "modified") else _TIMESTAMP
    if not isinstance(value, str) or not pattern.match(value):
        hint = "with at least millisecond precision " if pattern is _MS_TIMESTAMP else ""
        reason = f"must be an RFC 3339 UTC timestamp {hint}ending in Z (got {value!r})"
        raise RecordError(object_id, key, reason)
    if value.startswith("0000"):
        reason = f"year 0000 is outside the timestamps liaison keeps (0001–9999; got {value!r})"
        raise RecordError(object_id, key, reason)
    try:
        _ms_unchecked(value)
    except ValueError:
        raise RecordError(object_id, key, f"is not a valid date (got {value!r})") from None


def _ref(key: str, value: Any, object_id: str | None) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise RecordError(object_id, key, f"must be a STIX id (TYPE--UUID) (got {value!r})")


def _extensions(value: Any, object_id: str | None) -> None:
    if not isinstance(value, dict) or not value:
        raise RecordError(object_id, "extensions", "must be a non-empty object")
    for name, entry in value.items():
        if not isinstance(entry, dict):
            raise RecordError(object_id, f"extensions.{name}", "must be an object")
        if name.startswith("extension-definition--"):
            if not _ID.match(name):
                raise RecordError(object_id, f"extensions.{name}", "is not an extension id")
            if "extension_type" not in entry:
                raise RecordError(object_id, f"extensions.{name}.extension_type", "is required")
        elif not name.endswith("-ext"):
            reason = "is not an extension-definition id nor a predefined extension (NAME-ext)"
            raise RecordError(object_id, f"extensions.{name}", reason)
