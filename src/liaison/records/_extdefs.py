"""liaison's extension-definition objects, its project identity, and ``extensions`` entries."""

from __future__ import annotations

from importlib import resources
from types import MappingProxyType
from typing import Any

from ._ids import (
    EXT_ASSESSMENT,
    EXT_CORROBORATION,
    EXT_DESIGNATION,
    EXT_EVENT,
    EXT_HARM_ALLEGATION,
    EXT_LOGISTICS,
    EXT_PARTY,
    EXT_PERSON,
    EXT_PRESENCE,
    EXT_SIGNATURE,
    EXT_STRIKE_REPORT,
    LIAISON_IDENTITY_ID,
)

__all__ = [
    "EXTENSION_OF_KIND",
    "extension_definitions",
    "extension_entry",
    "json_schema",
    "liaison_identity",
]

#: When liaison's shared objects were first defined (fixed, so every node agrees).
_DEFINED = "2024-01-01T00:00:00.000Z"
_VERSION = "1.0.0"

#: The extension definition each kind carries (group and location carry none).
EXTENSION_OF_KIND: MappingProxyType[str, str] = MappingProxyType(
    {
        "party": EXT_PARTY,
        "designation": EXT_DESIGNATION,
        "strike-report": EXT_STRIKE_REPORT,
        "presence": EXT_PRESENCE,
        "logistics": EXT_LOGISTICS,
        "event": EXT_EVENT,
        "harm-allegation": EXT_HARM_ALLEGATION,
        "person": EXT_PERSON,
        "corroboration": EXT_CORROBORATION,
        "assessment": EXT_ASSESSMENT,
    }
)

# name -> (id, extension type, schema file, description)
_DEFINITIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("party", EXT_PARTY, "property-extension", "party",
     "A partner's node: its Ed25519 public key and TAXII API root, on an identity."),
    ("designation", EXT_DESIGNATION, "new-sdo", "designation",
     "One party's designation of an armed group (terrorist, armed opposition, ...)."),
    ("strike-report", EXT_STRIKE_REPORT, "new-sdo", "strike-report",
     "A party's report of its strikes: means, time, place, target and claimed effect."),
    ("presence", EXT_PRESENCE, "property-extension", "presence",
     "Presence, control or movement of a group at a graded point location, on a sighting."),
    ("logistics", EXT_LOGISTICS, "new-sdo", "logistics",
     "An observation of a group's traffic or logistics: trade, convoys, routes, crossings."),
    ("event", EXT_EVENT, "new-sdo", "event",
     "An event of political violence with its actors and fatality estimates."),
    ("harm-allegation", EXT_HARM_ALLEGATION, "new-sdo", "harm-allegation",
     "An allegation of civilian harm, its grading and its sources."),
    ("person", EXT_PERSON, "new-sdo", "person",
     "A person record kept locally; only privacy-preserving encodings leave a node."),
    ("corroboration", EXT_CORROBORATION, "property-extension", "corroboration",
     "Evidence references and a numeric agreement score, on an opinion."),
    ("assessment", EXT_ASSESSMENT, "new-sdo", "assessment",
     "A result of liaison's assessment method, with its parameters and inputs digest."),
    ("signature", EXT_SIGNATURE, "property-extension", "signature",
     "The releasing node's signature over the object, possibly via a Merkle batch root."),
)  # fmt: skip


def json_schema(name: str) -> str:
    """The shipped JSON schema text of a kind (or of ``signature``), read from the package."""
    if not name.replace("-", "").isalpha():
        raise ValueError(f"no schema named {name!r}")
    path = resources.files(__package__).joinpath("schemas", f"{name}.json")
    return path.read_text(encoding="utf-8")


def liaison_identity() -> dict[str, Any]:
    """The liaison project's identity object: the creator of the extension definitions."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": LIAISON_IDENTITY_ID,
        "created": _DEFINED,
        "modified": _DEFINED,
        "name": "liaison project",
        "identity_class": "organization",
        "description": "Maintainers of the liaison record kinds and their extension definitions.",
    }


def extension_definitions() -> list[dict[str, Any]]:
    """liaison's ``extension-definition`` objects, identical on every node."""
    return [
        {
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": ext_id,
            "created_by_ref": LIAISON_IDENTITY_ID,
            "created": _DEFINED,
            "modified": _DEFINED,
            "name": f"liaison-{name}",
            "description": description,
            "schema": json_schema(schema),
            "version": _VERSION,
            "extension_types": [ext_type],
        }
        for name, ext_id, ext_type, schema, description in _DEFINITIONS
    ]


def extension_entry(name: str, **properties: Any) -> dict[str, dict[str, Any]]:
    """An ``extensions`` entry for extension ``name`` (a kind, or ``signature``).

    ``extension_entry("strike-report")`` declares the new object type;
    ``extension_entry("presence", presence_kind="control", ...)`` carries properties.
    Merge several with ``|``.
    """
    for ext_name, ext_id, ext_type, _, _ in _DEFINITIONS:
        if ext_name == name:
            if ext_type == "new-sdo" and properties:
                raise ValueError(f"extension {name!r} declares a type and takes no properties")
            return {ext_id: {"extension_type": ext_type, **properties}}
    raise ValueError(f"no liaison extension named {name!r}")
