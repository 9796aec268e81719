"""Record kinds about who is who: party, group, designation, location, person."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from ._common import (
    DATE_OF_BIRTH_PATTERN,
    PUBLIC_KEY_PATTERN,
    URL_PATTERN,
    CountryCode,
    IdentityRef,
    Latitude,
    Longitude,
    NewSdoEntry,
    NonEmptyStr,
    PlainExtensions,
    Precision,
    RecordBase,
    ThreatActorRef,
    Timestamp,
)
from ._ids import EXT_DESIGNATION, EXT_PARTY, EXT_PERSON, EXT_SIGNATURE, id_pattern

__all__ = [
    "Designation",
    "DesignationExtensions",
    "Group",
    "Location",
    "Party",
    "PartyExtension",
    "PartyExtensions",
    "Person",
    "PersonExtensions",
]


class PartyExtension(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """The party property extension of an ``identity``."""

    extension_type: Literal["property-extension"]
    public_key: Annotated[str, Meta(pattern=PUBLIC_KEY_PATTERN)]
    node_url: Annotated[str, Meta(pattern=URL_PATTERN)] | None = None


class PartyExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a party."""

    party: PartyExtension = field(name=EXT_PARTY)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Party(RecordBase, frozen=True, kw_only=True):
    """A party: a partner running a node (STIX ``identity``, organization)."""

    type: Literal["identity"]
    id: Annotated[str, Meta(pattern=id_pattern("identity"))]
    name: NonEmptyStr
    identity_class: Literal["organization"]
    description: str | None = None
    extensions: PartyExtensions


class Group(RecordBase, frozen=True, kw_only=True):
    """An armed group (STIX ``threat-actor``)."""

    type: Literal["threat-actor"]
    id: Annotated[str, Meta(pattern=id_pattern("threat-actor"))]
    name: NonEmptyStr
    aliases: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    description: str | None = None
    threat_actor_types: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    extensions: PlainExtensions | None = None


class DesignationExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a designation."""

    definition: NewSdoEntry = field(name=EXT_DESIGNATION)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Designation(RecordBase, frozen=True, kw_only=True):
    """One party's designation of one group."""

    type: Literal["liaison-designation"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-designation"))]
    party_ref: IdentityRef
    group_ref: ThreatActorRef
    status: Literal["terrorist", "armed-opposition", "state-force", "other"]
    since: Timestamp
    basis: str | None = None
    extensions: DesignationExtensions


class Location(RecordBase, frozen=True, kw_only=True):
    """A place (STIX ``location`` with coordinates)."""

    type: Literal["location"]
    id: Annotated[str, Meta(pattern=id_pattern("location"))]
    latitude: Latitude
    longitude: Longitude
    precision: Precision | None = None
    name: NonEmptyStr | None = None
    country: CountryCode | None = None
    region: NonEmptyStr | None = None
    city: NonEmptyStr | None = None
    description: str | None = None
    extensions: PlainExtensions | None = None


class PersonExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a person record."""

    definition: NewSdoEntry = field(name=EXT_PERSON)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Person(RecordBase, frozen=True, kw_only=True):
    """A person record (foreign fighter); local only, never sent in clear."""

    type: Literal["liaison-person"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-person"))]
    names: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)]
    aliases: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    date_of_birth: Annotated[str, Meta(pattern=DATE_OF_BIRTH_PATTERN)] | None = None
    sex: Literal["female", "male", "unknown"] | None = None
    nationalities: Annotated[tuple[CountryCode, ...], Meta(min_length=1)] | None = None
    place_of_birth: NonEmptyStr | None = None
    affiliation_ref: ThreatActorRef | None = None
    last_known_country: CountryCode | None = None
    last_known_place: NonEmptyStr | None = None
    last_known_date: Timestamp | None = None
    status: Literal["active", "detained", "deceased", "returned", "unknown"]
    extensions: PersonExtensions
