"""Flat field values (as a CSV row gives them) to the STIX form of a record kind."""

from __future__ import annotations

from typing import Any

import msgspec

from liaison.records import (
    EXTENSION_OF_KIND,
    TYPE_OF_KIND,
    CorroborationExtension,
    PartyExtension,
    PresenceExtension,
    warnings_of,
)

#: STIX type of each kind (as ``liaison.records.TYPE_OF_KIND``).
STIX_TYPES = TYPE_OF_KIND
#: The label an event built from a row gets when its fatality estimates are out of
#: order (kept as the source reported them).
FATALITIES_OUT_OF_ORDER = "fatalities-out-of-order"


def _fields_of(ext: type[msgspec.Struct]) -> frozenset[str]:
    return frozenset(f.encode_name for f in msgspec.structs.fields(ext)) - {"extension_type"}


#: Property-extension kinds: the fields that live inside their extension.
PROPERTY_EXTENSION_FIELDS: dict[str, frozenset[str]] = {
    "party": _fields_of(PartyExtension),
    "presence": _fields_of(PresenceExtension),
    "corroboration": _fields_of(CorroborationExtension),
}

TIMESTAMP_FIELDS = frozenset(
    {
        "created",
        "modified",
        "time_start",
        "time_end",
        "first_seen",
        "last_seen",
        "since",
        "last_known_date",
        "period_start",
        "period_end",
    }
)
_VERSION_DEFAULTS = ("time_start", "first_seen", "since", "period_start", "last_known_date")


def shape_record(
    kind: str, fields: dict[str, Any], *, created_by_ref: str, version_field: str | None = None
) -> dict[str, Any]:
    """Build the STIX dict of ``kind`` from flat field values.

    ``created``/``modified`` default to the record's own time (``version_field``,
    or its first time field), so re-ingesting the same row is idempotent.
    """
    obj: dict[str, Any] = {"type": STIX_TYPES[kind], "spec_version": "2.1"}
    flat = dict(fields)
    if kind == "party":
        flat.setdefault("identity_class", "organization")
    flat.setdefault("created_by_ref", created_by_ref)
    if kind in ("strike-report", "designation"):
        flat.setdefault("party_ref", flat["created_by_ref"])
    version = flat.get(version_field) if version_field else None
    if version is None:
        version = next((flat[f] for f in _VERSION_DEFAULTS if f in flat), None)
    if version is not None:
        flat.setdefault("modified", version)
        flat.setdefault("created", flat["modified"])
    extensions: dict[str, Any] = {}
    if kind in PROPERTY_EXTENSION_FIELDS:
        inner = {"extension_type": "property-extension"}
        names = PROPERTY_EXTENSION_FIELDS[kind]
        inner.update({k: flat.pop(k) for k in sorted(names) if k in flat})
        if kind != "party" or len(inner) > 1:  # an external party has no extension
            extensions[EXTENSION_OF_KIND[kind]] = inner
    elif kind in EXTENSION_OF_KIND:
        extensions[EXTENSION_OF_KIND[kind]] = {"extension_type": "new-sdo"}
    obj.update(flat)
    if extensions:
        obj["extensions"] = extensions
    if kind == "event" and warnings_of(obj):
        obj["labels"] = [*obj.get("labels", []), FATALITIES_OUT_OF_ORDER]
    return obj
