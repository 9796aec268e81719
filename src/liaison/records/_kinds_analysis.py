"""Record kinds produced by analysis: corroboration and assessment."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct, field

from ._common import (
    SHA256_PATTERN,
    AnyRef,
    Fraction,
    NewSdoEntry,
    NonEmptyStr,
    RecordBase,
    Timestamp,
)
from ._ids import EXT_ASSESSMENT, EXT_CORROBORATION, EXT_SIGNATURE, id_pattern

__all__ = [
    "Assessment",
    "AssessmentExtensions",
    "Corroboration",
    "CorroborationExtension",
    "CorroborationExtensions",
]


class CorroborationExtension(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """The corroboration property extension of an ``opinion``."""

    extension_type: Literal["property-extension"]
    evidence_refs: Annotated[tuple[AnyRef, ...], Meta(min_length=1)] | None = None
    agreement: Fraction | None = None


class CorroborationExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of a corroboration."""

    corroboration: CorroborationExtension = field(name=EXT_CORROBORATION)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Corroboration(RecordBase, frozen=True, kw_only=True):
    """How far observations agree with claims (STIX ``opinion``)."""

    type: Literal["opinion"]
    id: Annotated[str, Meta(pattern=id_pattern("opinion"))]
    object_refs: Annotated[tuple[AnyRef, ...], Meta(min_length=1)]
    opinion: Literal["strongly-disagree", "disagree", "neutral", "agree", "strongly-agree"]
    explanation: str | None = None
    authors: Annotated[tuple[NonEmptyStr, ...], Meta(min_length=1)] | None = None
    extensions: CorroborationExtensions


class AssessmentExtensions(
    Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """``extensions`` of an assessment."""

    definition: NewSdoEntry = field(name=EXT_ASSESSMENT)
    signature: dict[str, Any] | None = field(default=None, name=EXT_SIGNATURE)


class Assessment(RecordBase, frozen=True, kw_only=True):
    """A result of the method, with what it needs to be reproduced."""

    type: Literal["liaison-assessment"]
    id: Annotated[str, Meta(pattern=id_pattern("liaison-assessment"))]
    assessment_type: Literal[
        "group-state", "targeting-share", "strike-effect", "corroboration", "designations", "full"
    ]
    subject_refs: Annotated[tuple[AnyRef, ...], Meta(min_length=1)] | None = None
    period_start: Timestamp | None = None
    period_end: Timestamp | None = None
    method_version: NonEmptyStr
    parameters: dict[str, Any]
    results: dict[str, Any]
    inputs_digest: Annotated[str, Meta(pattern=SHA256_PATTERN)]
    extensions: AssessmentExtensions
