"""liaison's record kinds: typed records, their STIX 2.1 form, extension definitions.

``parse_record`` validates a STIX object (a dict decoded from JSON) into a typed,
frozen record — or, for a valid STIX 2.1 object of no liaison kind, a verbatim
``StixObject``; ``to_stix`` turns it back into the same dict; ``index_of`` gives
the keys the store indexes it by. The reference is ``docs/records.md``.
"""

from __future__ import annotations

from ._common import (
    ExternalReference,
    GranularMarking,
    NewSdoEntry,
    PlainExtensions,
    SignatureExtension,
)
from ._errors import RecordError
from ._extdefs import (
    EXTENSION_OF_KIND,
    extension_definitions,
    extension_entry,
    json_schema,
    liaison_identity,
)
from ._generic import SCO_TYPES, UNVERSIONED, StixObject
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
    LIAISON_NAMESPACE,
    new_id,
)
from ._index import RecordIndex
from ._indexing import index_of
from ._kinds import CLASS_OF_KIND, KIND_OF_TYPE, KINDS, LOCAL_ONLY_KINDS, TYPE_OF_KIND, Record
from ._kinds_analysis import Assessment, Corroboration, CorroborationExtension
from ._kinds_core import Designation, Group, Location, Party, PartyExtension, Person
from ._kinds_observed import (
    Event,
    HarmAllegation,
    Logistics,
    Presence,
    PresenceExtension,
    StrikeReport,
)
from ._parse import kind_of, parse_record, to_stix, warnings_of
from ._time import format_timestamp, timestamp_ms
from ._tlp import EXT_TLP2, TLP_LEVELS, TLP_MARKING_IDS, tlp_level

__all__ = [
    "CLASS_OF_KIND",
    "EXTENSION_OF_KIND",
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
    "EXT_TLP2",
    "KINDS",
    "KIND_OF_TYPE",
    "LIAISON_IDENTITY_ID",
    "LIAISON_NAMESPACE",
    "LOCAL_ONLY_KINDS",
    "SCO_TYPES",
    "TLP_LEVELS",
    "TLP_MARKING_IDS",
    "TYPE_OF_KIND",
    "UNVERSIONED",
    "Assessment",
    "Corroboration",
    "CorroborationExtension",
    "Designation",
    "Event",
    "ExternalReference",
    "GranularMarking",
    "Group",
    "HarmAllegation",
    "Location",
    "Logistics",
    "NewSdoEntry",
    "Party",
    "PartyExtension",
    "Person",
    "PlainExtensions",
    "Presence",
    "PresenceExtension",
    "Record",
    "RecordError",
    "RecordIndex",
    "SignatureExtension",
    "StixObject",
    "StrikeReport",
    "extension_definitions",
    "extension_entry",
    "format_timestamp",
    "index_of",
    "json_schema",
    "kind_of",
    "liaison_identity",
    "new_id",
    "parse_record",
    "timestamp_ms",
    "tlp_level",
    "to_stix",
    "warnings_of",
]
