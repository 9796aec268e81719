"""Field types and the parts every record kind shares."""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from ._ids import EXT_SIGNATURE, UUID_PATTERN, id_pattern
from ._time import MS_TIMESTAMP_PATTERN, TIMESTAMP_PATTERN

__all__ = [
    "DATE_OF_BIRTH_PATTERN",
    "PATTERN_HINTS",
    "PUBLIC_KEY_PATTERN",
    "SHA256_PATTERN",
    "URL_PATTERN",
    "ActorRef",
    "AnyRef",
    "CountryCode",
    "Credibility",
    "ExternalReference",
    "Fraction",
    "GranularMarking",
    "IdentityRef",
    "Latitude",
    "LocationRef",
    "Longitude",
    "MarkingRef",
    "MsTimestamp",
    "NewSdoEntry",
    "NonEmptyStr",
    "NonNegativeNumber",
    "PlainExtensions",
    "Precision",
    "RecordBase",
    "Reliability",
    "SignatureExtension",
    "ThreatActorRef",
    "Timestamp",
    "Vocab",
]

Timestamp = Annotated[str, Meta(pattern=TIMESTAMP_PATTERN)]
MsTimestamp = Annotated[str, Meta(pattern=MS_TIMESTAMP_PATTERN)]
# Numbers keep their JSON form: an integer stays an int, so that a record's
# STIX form (and its canonical bytes) is exactly what was received.
Latitude = Annotated[int, Meta(ge=-90, le=90)] | Annotated[float, Meta(ge=-90.0, le=90.0)]
Longitude = Annotated[int, Meta(ge=-180, le=180)] | Annotated[float, Meta(ge=-180.0, le=180.0)]
Precision = Annotated[int, Meta(gt=0)] | Annotated[float, Meta(gt=0.0)]
NonNegativeNumber = Annotated[int, Meta(ge=0)] | Annotated[float, Meta(ge=0.0)]
Fraction = Annotated[int, Meta(ge=0, le=1)] | Annotated[float, Meta(ge=0.0, le=1.0)]
Reliability = Literal["A", "B", "C", "D", "E", "F"]
Credibility = Annotated[int, Meta(ge=1, le=6)]
CountryCode = Annotated[str, Meta(pattern="^[A-Z]{2}$")]
NonEmptyStr = Annotated[str, Meta(min_length=1)]
#: An open-vocabulary value: lower case words joined by hyphens.
Vocab = Annotated[str, Meta(pattern="^[a-z0-9]+(-[a-z0-9]+)*$")]

#: Base64 of exactly 32 bytes (an Ed25519 public key).
PUBLIC_KEY_PATTERN = "^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"
URL_PATTERN = "^https?://[^ ]+$"
SHA256_PATTERN = "^[0-9a-f]{64}$"
DATE_OF_BIRTH_PATTERN = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"

_ANY_REF_PATTERN = f"^[a-z0-9]+(-[a-z0-9]+)*--{UUID_PATTERN}$"
AnyRef = Annotated[str, Meta(pattern=_ANY_REF_PATTERN)]
IdentityRef = Annotated[str, Meta(pattern=id_pattern("identity"))]
ThreatActorRef = Annotated[str, Meta(pattern=id_pattern("threat-actor"))]
ActorRef = Annotated[str, Meta(pattern=id_pattern("threat-actor", "identity"))]
LocationRef = Annotated[str, Meta(pattern=id_pattern("location"))]
MarkingRef = Annotated[str, Meta(pattern=id_pattern("marking-definition"))]

#: Human wording of the regular expressions above, for error messages.
PATTERN_HINTS: MappingProxyType[str, str] = MappingProxyType(
    {
        TIMESTAMP_PATTERN: "must be an RFC 3339 UTC timestamp ending in Z",
        MS_TIMESTAMP_PATTERN: (
            "must be a timestamp of the form YYYY-MM-DDTHH:MM:SS.sssZ "
            "(at least millisecond precision)"
        ),
        "^[A-Z]{2}$": "must be an ISO 3166-1 alpha-2 country code",
        "^[a-z0-9]+(-[a-z0-9]+)*$": "must be lower-case words joined by hyphens",
        _ANY_REF_PATTERN: "must be a STIX id (TYPE--UUID)",
        PUBLIC_KEY_PATTERN: "must be the base64 of a 32-byte Ed25519 public key",
        URL_PATTERN: "must be an http(s) URL",
        SHA256_PATTERN: "must be 64 lower-case hex digits (a SHA-256 digest)",
        DATE_OF_BIRTH_PATTERN: "must be a date of the form YYYY, YYYY-MM or YYYY-MM-DD",
    }
)


class ExternalReference(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """A STIX external reference (a source)."""

    source_name: NonEmptyStr
    description: str | None = None
    url: str | None = None
    hashes: dict[str, str] | None = None
    external_id: str | None = None


class GranularMarking(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """A STIX granular marking: a marking (or a language) applied to some properties."""

    selectors: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)]
    marking_ref: MarkingRef | None = None
    lang: NonEmptyStr | None = None


class RecordBase(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """The STIX common properties (``type``, ``id`` and ``extensions`` are per kind).

    ``custom`` holds the record's ``x_`` properties verbatim, ``foreign_extensions``
    the entries of other projects' extensions (e.g. OpenCTI's) verbatim; neither is
    a STIX property: ``to_stix`` puts them back where they came from.
    """

    spec_version: Literal["2.1"]
    created: MsTimestamp
    modified: MsTimestamp
    created_by_ref: IdentityRef | None = None
    revoked: bool | None = None
    labels: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    confidence: Annotated[int, Meta(ge=0, le=100)] | None = None
    lang: NonEmptyStr | None = None
    object_marking_refs: Annotated[tuple[MarkingRef, ...], Meta(min_length=1)] | None = None
    external_references: Annotated[tuple[ExternalReference, ...], Meta(min_length=1)] | None = None
    granular_markings: Annotated[tuple[GranularMarking, ...], Meta(min_length=1)] | None = None
    custom: dict[str, Any] | None = None
    foreign_extensions: dict[str, dict[str, Any]] | None = None


class NewSdoEntry(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The ``extensions`` entry that declares a new liaison object type."""

    extension_type: Literal["new-sdo"]


class PlainExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a plain STIX kind (group, location): only a signature."""

    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class SignatureExtension(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The signature property extension a releasing node puts on an object.

    ``parse_record`` keeps this entry as a plain dict, verbatim; the crypto module
    owns its meaning. The struct documents the fields and yields the JSON schema.
    """

    extension_type: Literal["property-extension"]
    alg: NonEmptyStr
    key_id: NonEmptyStr
    signature: NonEmptyStr
    root: NonEmptyStr | None = None
    leaves: Annotated[int, Meta(ge=1)] | None = None
    index: Annotated[int, Meta(ge=0)] | None = None
    proof: tuple[str, ...] | None = None
