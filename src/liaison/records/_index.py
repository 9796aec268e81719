"""What the store indexes of a record: the contract between `records` and `store`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RecordIndex:
    """Index keys of one record version, extracted from its validated STIX form.

    Times are epoch milliseconds (UTC). Coordinates are WGS 84 degrees and the
    location precision is in metres. ``None`` means the record has no such key.
    """

    id: str
    modified: str
    kind: str
    time_start_ms: int | None
    time_end_ms: int | None
    group_ref: str | None
    party_ref: str | None
    latitude: float | None
    longitude: float | None
    precision_m: float | None
    revoked: bool
