"""``index_of``: the keys the store indexes a record by (see ``RecordIndex``)."""

from __future__ import annotations

from ._generic import TIME_WINDOW_OF_TYPE, StixObject
from ._index import RecordIndex
from ._kinds import Record
from ._kinds_analysis import Assessment, Corroboration
from ._kinds_core import Designation, Group, Location, Party, Person
from ._kinds_observed import Event, HarmAllegation, Logistics, Presence, StrikeReport
from ._time import _ms_unchecked

__all__ = ["index_of"]

_Point = tuple[float | None, float | None, float | None]
_NO_POINT: _Point = (None, None, None)


def _ms(value: str | None) -> int | None:
    return None if value is None else _ms_unchecked(value)


def _generic_index(record: StixObject) -> RecordIndex:
    """A verbatim object: its type, its time window (by type), creator, group refs."""
    props = record.properties
    start = end = None
    window = TIME_WINDOW_OF_TYPE.get(record.kind)
    if window is not None:
        start = props.get(window[0])
        end = props.get(window[1]) if window[1] is not None else None
        end = end if end is not None else start
    group = next(
        (
            ref
            for ref in (
                props.get("sighting_of_ref"),
                props.get("source_ref"),
                props.get("target_ref"),
            )
            if isinstance(ref, str) and ref.startswith("threat-actor--")
        ),
        None,
    )
    return RecordIndex(
        id=record.id,
        modified=record.version,
        kind=record.kind,
        time_start_ms=_ms(start),
        time_end_ms=_ms(end),
        group_ref=group,
        party_ref=record.created_by_ref,
        latitude=None,
        longitude=None,
        precision_m=None,
        revoked=record.revoked,
    )


def index_of(record: Record) -> RecordIndex:
    """The index keys of a (validated) record: kind, time window, group, party, point."""
    if isinstance(record, StixObject):
        return _generic_index(record)
    start: str | None = None
    end: str | None = None
    group: str | None = None
    party: str | None = record.created_by_ref
    point: _Point = _NO_POINT
    match record:
        case Party():
            kind, party = "party", record.id
        case Group():
            kind, group = "group", record.id
        case Designation():
            kind, start, group, party = (
                "designation",
                record.since,
                record.group_ref,
                record.party_ref,
            )
        case Location():
            kind = "location"
            point = (record.latitude, record.longitude, record.precision)
        case StrikeReport():
            kind, start, end = "strike-report", record.time_start, record.time_end
            group, party = record.target_group_ref, record.party_ref
            point = (record.latitude, record.longitude, record.precision)
        case Presence():
            kind, start, end = "presence", record.first_seen, record.last_seen
            group = record.sighting_of_ref
            ext = record.extensions.presence
            point = (ext.latitude, ext.longitude, ext.precision)
        case Logistics():
            kind, start, end, group = (
                "logistics",
                record.time_start,
                record.time_end,
                record.group_ref,
            )
            point = (record.latitude, record.longitude, record.precision)
        case Event():
            kind, start, end = "event", record.time_start, record.time_end
            initiator = record.initiator_ref
            group = initiator if initiator and initiator.startswith("threat-actor--") else None
            point = (record.latitude, record.longitude, record.precision)
        case HarmAllegation():
            kind, start, end = "harm-allegation", record.time_start, record.time_end
            party = record.alleged_party_ref
            point = (record.latitude, record.longitude, record.precision)
        case Person():
            kind, start, end = "person", record.last_known_date, record.last_known_date
            group = record.affiliation_ref
        case Corroboration():
            kind = "corroboration"
        case Assessment():
            kind, start, end = "assessment", record.period_start, record.period_end
            subjects = record.subject_refs or ()
            group = next((s for s in subjects if s.startswith("threat-actor--")), None)
    return RecordIndex(
        id=record.id,
        modified=record.modified,
        kind=kind,
        time_start_ms=_ms(start),
        time_end_ms=_ms(end),
        group_ref=group,
        party_ref=party,
        latitude=point[0],
        longitude=point[1],
        precision_m=point[2],
        revoked=record.revoked is True,
    )
