"""What a policy may touch in each record kind: fields, point location, sources.

Derived once from the typed record classes of ``liaison.records``, so that the
policy and the record schemas cannot disagree about which fields are required.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import msgspec

from liaison.records import (
    CLASS_OF_KIND,
    EXT_CORROBORATION,
    EXT_PARTY,
    EXT_PRESENCE,
    KINDS,
    CorroborationExtension,
    PartyExtension,
    PresenceExtension,
)

__all__ = ["FIELDS_OF_KIND", "PROTECTED_FIELDS", "KindFields"]

#: Fields no rule may drop, whatever the kind: identity, versioning, provenance,
#: revocation, and the point location (which ``coarsen_m`` governs instead).
PROTECTED_FIELDS: frozenset[str] = frozenset(
    {
        "type",
        "spec_version",
        "id",
        "created",
        "modified",
        "extensions",
        "extension_type",
        "revoked",
        "created_by_ref",
        "latitude",
        "longitude",
        "precision",
    }
)

_PROPERTY_EXTENSIONS: dict[str, tuple[str, type[msgspec.Struct]]] = {
    "party": (EXT_PARTY, PartyExtension),
    "presence": (EXT_PRESENCE, PresenceExtension),
    "corroboration": (EXT_CORROBORATION, CorroborationExtension),
}
_TOP_POINT_KINDS = frozenset({"location", "strike-report", "logistics", "event", "harm-allegation"})


@dataclass(frozen=True, slots=True)
class KindFields:
    """The policy-relevant layout of one kind.

    ``top`` and ``ext`` map field names (top level, or inside the kind's property
    extension ``ext_id``) to whether the record schema requires them.
    ``point_in_ext`` says the point location lives in that extension (presence).
    ``place_fields`` are the place names removed when a location is coarsened;
    ``source_fields`` / ``ext_source_fields`` are what ``strip_sources`` removes.
    """

    kind: str
    top: MappingProxyType[str, bool]
    ext_id: str | None
    ext: MappingProxyType[str, bool]
    has_point: bool
    point_in_ext: bool
    place_fields: tuple[str, ...]
    source_fields: tuple[str, ...]
    ext_source_fields: tuple[str, ...]

    def required(self, name: str) -> bool:
        """Whether the schema of this kind requires ``name`` (top level or extension)."""
        return self.top.get(name, False) or self.ext.get(name, False)

    def has(self, name: str) -> bool:
        """Whether ``name`` is a field of this kind (top level or extension)."""
        return name in self.top or name in self.ext


def _fields(cls: type[msgspec.Struct]) -> dict[str, bool]:
    info = msgspec.inspect.type_info(cls)
    assert isinstance(info, msgspec.inspect.StructType)
    return {f.encode_name: f.required for f in info.fields if f.name != "custom"}


def _kind_fields(kind: str) -> KindFields:
    top = _fields(CLASS_OF_KIND[kind])
    ext_id, ext_cls = _PROPERTY_EXTENSIONS.get(kind, (None, None))
    ext = _fields(ext_cls) if ext_cls is not None else {}
    ext.pop("extension_type", None)
    if kind == "location":
        places: tuple[str, ...] = ("name", "city")
    elif "place_name" in top or "place_name" in ext:
        places = ("place_name",)
    else:
        places = ()
    sources = ["external_references"]
    if kind == "harm-allegation":
        sources.append("sources")
    if kind == "event":
        sources += ["source_dataset", "source_id"]
    return KindFields(
        kind=kind,
        top=MappingProxyType(top),
        ext_id=ext_id,
        ext=MappingProxyType(ext),
        has_point=kind in _TOP_POINT_KINDS or kind == "presence",
        point_in_ext=kind == "presence",
        place_fields=places,
        source_fields=tuple(sources),
        ext_source_fields=("evidence_refs",) if kind == "corroboration" else (),
    )


#: The layout of every kind, keyed by kind name.
FIELDS_OF_KIND: MappingProxyType[str, KindFields] = MappingProxyType(
    {kind: _kind_fields(kind) for kind in KINDS}
)
