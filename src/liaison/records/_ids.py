"""Identifiers: STIX ``TYPE--UUID`` ids, liaison's fixed extension-definition ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import MappingProxyType

__all__ = [
    "EXTENSION_NAMES",
    "EXT_ASSESSMENT",
    "EXT_CORROBORATION",
    "EXT_DESIGNATION",
    "EXT_EVENT",
    "EXT_HARM_ALLEGATION",
    "EXT_LOGISTICS",
    "EXT_PARTY",
    "EXT_PERSON",
    "EXT_PRESENCE",
    "EXT_SIGNATURE",
    "EXT_STRIKE_REPORT",
    "LIAISON_IDENTITY_ID",
    "LIAISON_NAMESPACE",
    "UUID_PATTERN",
    "extension_id",
    "id_pattern",
    "new_id",
]

#: The fixed namespace of liaison's deterministic ids (uuid5): every node agrees on them.
LIAISON_NAMESPACE = uuid.UUID("62c4c8f7-a763-48d2-9977-0284a616d292")

#: An RFC 4122 UUID in lower case (versions 1–8).
UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def extension_id(name: str) -> str:
    """The deterministic id of liaison's extension definition ``name`` (uuid5)."""
    return f"extension-definition--{uuid.uuid5(LIAISON_NAMESPACE, 'liaison/extension/' + name)}"


# The literals below equal extension_id(name); tests check that they do.
EXT_PARTY = "extension-definition--8a661049-a9f4-5592-a8b4-37063380933d"
EXT_DESIGNATION = "extension-definition--862b84ff-43ff-5fee-992d-152b9f3eb7ae"
EXT_STRIKE_REPORT = "extension-definition--69649b6f-3937-5f64-81d2-b4e7eef13139"
EXT_PRESENCE = "extension-definition--af4d2aab-2ab7-519f-9a5b-62e3883c5703"
EXT_LOGISTICS = "extension-definition--1049c869-7861-5df3-8c64-ee62b1fa03cd"
EXT_EVENT = "extension-definition--5f804553-43fd-5566-8197-bb846bd32789"
EXT_HARM_ALLEGATION = "extension-definition--5b3805df-f7f1-52bd-b281-462dccb2cd55"
EXT_PERSON = "extension-definition--160b049c-e57f-5148-ae43-f35fcdeec237"
EXT_CORROBORATION = "extension-definition--8661bd71-d99b-50f8-bb4c-8163db08aca1"
EXT_ASSESSMENT = "extension-definition--ba18961f-0974-55d9-838e-f4795af6ef64"
EXT_SIGNATURE = "extension-definition--bac0e318-b5a2-5256-b22e-942cc7b01948"

#: The liaison project's identity: ``created_by_ref`` of the extension definitions.
LIAISON_IDENTITY_ID = "identity--ec09af66-6640-5410-855e-c1f8f9b95149"


def id_pattern(*types: str) -> str:
    """Regex of a STIX id whose type is one of ``types``."""
    alternatives = "|".join(types)
    return f"^({alternatives})--{UUID_PATTERN}$"


def new_id(stix_type: str, uuid_factory: Callable[[], uuid.UUID] = uuid.uuid4) -> str:
    """A new STIX id ``stix_type--UUID``; pass ``uuid_factory`` for deterministic ids."""
    return f"{stix_type}--{uuid_factory()}"


#: Short names of liaison's extension definitions, by id.
EXTENSION_NAMES: MappingProxyType[str, str] = MappingProxyType(
    {
        EXT_PARTY: "party",
        EXT_DESIGNATION: "designation",
        EXT_STRIKE_REPORT: "strike-report",
        EXT_PRESENCE: "presence",
        EXT_LOGISTICS: "logistics",
        EXT_EVENT: "event",
        EXT_HARM_ALLEGATION: "harm-allegation",
        EXT_PERSON: "person",
        EXT_CORROBORATION: "corroboration",
        EXT_ASSESSMENT: "assessment",
        EXT_SIGNATURE: "signature",
    }
)
