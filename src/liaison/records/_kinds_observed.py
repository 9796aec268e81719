"""Record kinds about what was observed or claimed on the ground."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from ._common import (
    ActorRef,
    CountryCode,
    Credibility,
    IdentityRef,
    Latitude,
    Longitude,
    NewSdoEntry,
    NonEmptyStr,
    NonNegativeNumber,
    Precision,
    RecordBase,
    Reliability,
    ThreatActorRef,
    Timestamp,
    Vocab,
)
from ._ids import (
    EXT_EVENT,
    EXT_HARM_ALLEGATION,
    EXT_LOGISTICS,
    EXT_PRESENCE,
    EXT_SIGNATURE,
    EXT_STRIKE_REPORT,
    id_pattern,
)

__all__ = [
    "Event",
    "EventExtensions",
    "HarmAllegation",
    "HarmAllegationExtensions",
    "Logistics",
    "LogisticsExtensions",
    "Presence",
    "PresenceExtension",
    "PresenceExtensions",
    "StrikeReport",
    "StrikeReportExtensions",
]

NonNegative = Annotated[int, Meta(ge=0)]
SightedRef = Annotated[str, Meta(pattern=id_pattern("location", "identity"))]
ObservedDataRef = Annotated[str, Meta(pattern=id_pattern("observed-data"))]


class StrikeReportExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a strike report."""

    definition: NewSdoEntry = field(name=EXT_STRIKE_REPORT)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class StrikeReport(RecordBase, frozen=True, kw_only=True):
    """A party's report of its strikes: where, when, on what, with what claimed effect."""

    type: Literal["liaison-strike-report"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-strike-report"))]
    party_ref: IdentityRef
    means: Literal["air", "artillery", "missile", "ground-raid"]
    time_start: Timestamp
    time_end: Timestamp
    latitude: Latitude
    longitude: Longitude
    precision: Precision
    place_name: NonEmptyStr | None = None
    country: CountryCode | None = None
    target_category: Vocab
    target_group_ref: ThreatActorRef | None = None
    strikes: Annotated[int, Meta(ge=1)]
    munitions: NonNegative | None = None
    claimed_effect: Literal["destroyed", "damaged", "struck", "missed", "unknown"]
    bda_phase: Literal["none", "physical", "functional", "target-system"]
    target_description: str | None = None
    reliability: Reliability
    credibility: Credibility
    extensions: StrikeReportExtensions


class PresenceExtension(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """The presence property extension of a ``sighting``."""

    extension_type: Literal["property-extension"]
    presence_kind: Literal["sighting", "control", "movement"]
    strength: NonNegative | None = None
    latitude: Latitude
    longitude: Longitude
    precision: Precision
    place_name: NonEmptyStr | None = None
    country: CountryCode | None = None
    reliability: Reliability
    credibility: Credibility


class PresenceExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a presence report."""

    presence: PresenceExtension = field(name=EXT_PRESENCE)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Presence(RecordBase, frozen=True, kw_only=True):
    """A group seen at, controlling or moving through a place (STIX ``sighting``)."""

    type: Literal["sighting"]
    id: Annotated[str, Meta(pattern=id_pattern("sighting"))]
    sighting_of_ref: ThreatActorRef
    first_seen: Timestamp
    last_seen: Timestamp
    count: Annotated[int, Meta(ge=0, le=999_999_999)] | None = None
    where_sighted_refs: Annotated[tuple[SightedRef, ...], Meta(min_length=1)] | None = None
    observed_data_refs: Annotated[tuple[ObservedDataRef, ...], Meta(min_length=1)] | None = None
    summary: bool | None = None
    description: str | None = None
    extensions: PresenceExtensions


class LogisticsExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a logistics observation."""

    definition: NewSdoEntry = field(name=EXT_LOGISTICS)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Logistics(RecordBase, frozen=True, kw_only=True):
    """An observation of a group's traffic or logistics (trade, convoy, route, crossing)."""

    type: Literal["liaison-logistics"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-logistics"))]
    group_ref: ThreatActorRef
    logistics_kind: Literal["oil-trade", "convoy", "supply-route", "border-crossing", "other"]
    time_start: Timestamp
    time_end: Timestamp
    latitude: Latitude
    longitude: Longitude
    precision: Precision
    place_name: NonEmptyStr | None = None
    country: CountryCode | None = None
    route: Annotated[tuple[tuple[Latitude, Longitude], ...], Meta(min_length=2)] | None = None
    count: NonNegative | None = None
    volume: NonNegativeNumber | None = None
    unit: NonEmptyStr | None = None
    reliability: Reliability
    credibility: Credibility
    extensions: LogisticsExtensions


class EventExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of an event."""

    definition: NewSdoEntry = field(name=EXT_EVENT)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Event(RecordBase, frozen=True, kw_only=True):
    """An event of political violence (e.g. from an open event dataset)."""

    type: Literal["liaison-event"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-event"))]
    event_type: Vocab
    actor_refs: Annotated[tuple[ActorRef, ...], Meta(min_length=1)] | None = None
    initiator_ref: ActorRef | None = None
    time_start: Timestamp
    time_end: Timestamp
    latitude: Latitude
    longitude: Longitude
    precision: Precision
    place_name: NonEmptyStr | None = None
    country: CountryCode | None = None
    fatalities_low: NonNegative | None = None
    fatalities_best: NonNegative | None = None
    fatalities_high: NonNegative | None = None
    source_dataset: NonEmptyStr | None = None
    source_id: NonEmptyStr | None = None
    reliability: Reliability | None = None
    credibility: Credibility | None = None
    extensions: EventExtensions


class HarmAllegationExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a harm allegation."""

    definition: NewSdoEntry = field(name=EXT_HARM_ALLEGATION)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class HarmAllegation(RecordBase, frozen=True, kw_only=True):
    """An allegation of civilian harm, possibly attributed to a party."""

    type: Literal["liaison-harm-allegation"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-harm-allegation"))]
    time_start: Timestamp
    time_end: Timestamp
    latitude: Latitude
    longitude: Longitude
    precision: Precision
    place_name: NonEmptyStr | None = None
    country: CountryCode | None = None
    alleged_party_ref: IdentityRef | None = None
    civilian_casualties_low: NonNegative | None = None
    civilian_casualties_high: NonNegative | None = None
    grading: Literal["confirmed", "fair", "weak", "contested", "discounted"]
    sources: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    description: str | None = None
    extensions: HarmAllegationExtensions
