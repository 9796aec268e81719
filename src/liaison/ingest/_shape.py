"""Flat field values (as a CSV row gives them) to the STIX form of a record kind."""

from __future__ import annotations

from typing import Any

from liaison.records import (
    EXT_ASSESSMENT,
    EXT_CORROBORATION,
    EXT_DESIGNATION,
    EXT_EVENT,
    EXT_HARM_ALLEGATION,
    EXT_LOGISTICS,
    EXT_PARTY,
    EXT_PERSON,
    EXT_PRESENCE,
    EXT_STRIKE_REPORT,
)

#: STIX type of each kind.
STIX_TYPES: dict[str, str] = {
    "party": "identity",
    "group": "threat-actor",
    "designation": "liaison-designation",
    "location": "location",
    "strike-report": "liaison-strike-report",
    "presence": "sighting",
    "logistics": "liaison-logistics",
    "event": "liaison-event",
    "harm-allegation": "liaison-harm-allegation",
    "person": "liaison-person",
    "corroboration": "opinion",
    "assessment": "liaison-assessment",
}

_NEW_SDO = {
    "designation": EXT_DESIGNATION,
    "strike-report": EXT_STRIKE_REPORT,
    "logistics": EXT_LOGISTICS,
    "event": EXT_EVENT,
    "harm-allegation": EXT_HARM_ALLEGATION,
    "person": EXT_PERSON,
    "assessment": EXT_ASSESSMENT,
}

#: Property-extension kinds: the extension id and the fields that live inside it.
PROPERTY_EXTENSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "party": (EXT_PARTY, frozenset({"public_key", "node_url"})),
    "presence": (
        EXT_PRESENCE,
        frozenset(
            {
                "presence_kind",
                "strength",
                "latitude",
                "longitude",
                "precision",
                "place_name",
                "country",
                "reliability",
                "credibility",
            }
        ),
    ),
    "corroboration": (EXT_CORROBORATION, frozenset({"evidence_refs", "agreement"})),
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
    if kind in _NEW_SDO:
        extensions[_NEW_SDO[kind]] = {"extension_type": "new-sdo"}
    elif kind in PROPERTY_EXTENSIONS:
        ext_id, names = PROPERTY_EXTENSIONS[kind]
        inner = {"extension_type": "property-extension"}
        inner.update({k: flat.pop(k) for k in sorted(names) if k in flat})
        extensions[ext_id] = inner
    obj.update(flat)
    if extensions:
        obj["extensions"] = extensions
    return obj
