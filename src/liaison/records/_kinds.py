"""The table of record kinds: name, STIX type, typed class."""

from __future__ import annotations

from types import MappingProxyType

from ._generic import StixObject
from ._kinds_analysis import Assessment, Corroboration
from ._kinds_core import Designation, Group, Location, Party, Person
from ._kinds_observed import Event, HarmAllegation, Logistics, Presence, StrikeReport

__all__ = [
    "CLASS_OF_KIND",
    "KINDS",
    "KIND_OF_TYPE",
    "LOCAL_ONLY_KINDS",
    "TYPE_OF_KIND",
    "Record",
]

#: A typed record of any kind, or a STIX object of no liaison kind (kept verbatim).
Record = (
    Party
    | Group
    | Designation
    | Location
    | StrikeReport
    | Presence
    | Logistics
    | Event
    | HarmAllegation
    | Person
    | Corroboration
    | Assessment
    | StixObject
)

#: The record kinds, in a fixed order.
KINDS: tuple[str, ...] = (
    "party",
    "group",
    "designation",
    "location",
    "strike-report",
    "presence",
    "logistics",
    "event",
    "harm-allegation",
    "person",
    "corroboration",
    "assessment",
)

#: Kinds that never leave a node in clear.
LOCAL_ONLY_KINDS: tuple[str, ...] = ("person",)

#: The typed class of each kind.
CLASS_OF_KIND: MappingProxyType[str, type[Record]] = MappingProxyType(
    {
        "party": Party,
        "group": Group,
        "designation": Designation,
        "location": Location,
        "strike-report": StrikeReport,
        "presence": Presence,
        "logistics": Logistics,
        "event": Event,
        "harm-allegation": HarmAllegation,
        "person": Person,
        "corroboration": Corroboration,
        "assessment": Assessment,
    }
)

#: The STIX ``type`` of each kind.
TYPE_OF_KIND: MappingProxyType[str, str] = MappingProxyType(
    {
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
)

#: The kind of each STIX ``type``.
KIND_OF_TYPE: MappingProxyType[str, str] = MappingProxyType(
    {stix_type: kind for kind, stix_type in TYPE_OF_KIND.items()}
)
