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
    """``extensions`` of a party (the party entry is absent on an external party)."""

    party: PartyExtension | None = field(default=None, name=EXT_PARTY)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Party(RecordBase, frozen=True, kw_only=True):
    """A party (STIX ``identity``, organization): a partner running a node when it
    carries the party extension (its key), an external party or organization
    (one that runs no liaison node, or another platform's) when it does not."""

    type: Literal["identity"]
    id: Annotated[str, Meta(pattern=id_pattern("identity"))]
    name: NonEmptyStr
    identity_class: Literal["organization"]
    description: str | None = None
    roles: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    sectors: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    contact_information: NonEmptyStr | None = None
    extensions: PartyExtensions | None = None


class Group(RecordBase, frozen=True, kw_only=True):
    """An armed group (STIX ``threat-actor``)."""

    type: Literal["threat-actor"]
    id: Annotated[str, Meta(pattern=id_pattern("threat-actor"))]
    name: NonEmptyStr
    aliases: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    description: str | None = None
    threat_actor_types: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    first_seen: Timestamp | None = None
    last_seen: Timestamp | None = None
    roles: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    goals: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    sophistication: NonEmptyStr | None = None
    resource_level: NonEmptyStr | None = None
    primary_motivation: NonEmptyStr | None = None
    secondary_motivations: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    personal_motivations: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
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
    """A place (STIX ``location``): coordinates, or only a country, region or city."""

    type: Literal["location"]
    id: Annotated[str, Meta(pattern=id_pattern("location"))]
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    precision: Precision | None = None
    name: NonEmptyStr | None = None
    country: CountryCode | None = None
    region: NonEmptyStr | None = None
    administrative_area: NonEmptyStr | None = None
    city: NonEmptyStr | None = None
    street_address: NonEmptyStr | None = None
    postal_code: NonEmptyStr | None = None
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
