"""Values that cross the store boundary: versions to write, versions read, queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from liaison.records import RecordIndex


class StoreError(Exception):
    """A store operation failed; the message says what and why."""


class StoreUnreachable(StoreError):
    """The store URL could not be opened (bad path, server down, bad credentials)."""


class StoreBusy(StoreError):
    """Another process held the store's write lock for longer than the wait allowed."""


class VersionConflict(StoreError):
    """A different body was offered under an existing ``(id, modified)`` version."""

    def __init__(self, record_id: str, modified: str) -> None:
        super().__init__(
            f"{record_id}: version {modified} already stored with a different body; "
            "a changed record needs a new 'modified' timestamp"
        )
        self.record_id = record_id
        self.modified = modified


class Outcome(StrEnum):
    """What storing one version did."""

    ACCEPTED = "accepted"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Seal:
    """A signed Merkle root covering one batch of stored versions."""

    root: bytes
    signature: bytes
    key_id: str
    alg: str


@dataclass(frozen=True, slots=True)
class NewVersion:
    """One validated, canonicalised record version ready to be written."""

    index: RecordIndex
    body: bytes
    digest: bytes
    leaf_index: int
    proof: bytes
    received_from: str | None = None


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One record version as read back from the store."""

    rid: int
    index: RecordIndex
    body: bytes
    digest: bytes
    batch_id: int
    leaf_index: int
    proof: bytes
    received_from: str | None
    latest: bool


@dataclass(frozen=True, slots=True)
class Near:
    """A circle on the ground: centre in degrees, radius in kilometres."""

    latitude: float
    longitude: float
    radius_km: float

    def __post_init__(self) -> None:
        if not -90.0 <= self.latitude <= 90.0:
            raise ValueError(f"near: latitude must be within -90..90 (got {self.latitude})")
        if not -180.0 <= self.longitude <= 180.0:
            raise ValueError(f"near: longitude must be within -180..180 (got {self.longitude})")
        if not 0.0 < self.radius_km <= 2000.0:
            raise ValueError(f"near: radius must be within 0..2000 km (got {self.radius_km})")


@dataclass(frozen=True, slots=True)
class Query:
    """A selection of stored versions; every criterion is served by an index.

    Time filters select versions whose window overlaps ``[since_ms, until_ms]``.
    ``cells`` are H3 cells (any resolution) as integers or hex strings.
    """

    kinds: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    group: str | None = None
    party: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    near: Near | None = None
    cells: tuple[int | str, ...] = ()
    latest_only: bool = True
    include_revoked: bool = True
    after_rid: int = 0
    limit: int | None = None
    exclude_kinds: tuple[str, ...] = field(default_factory=tuple)
