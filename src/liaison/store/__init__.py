"""Record stores: the `Store` protocol, with SQLite (embedded default) and PostgreSQL
backends behind it, chosen by URL (``sqlite:///path`` or ``postgresql://…``).

Code outside this package is typed against `Store`, `Writer` and `ExchangeTables`
only; the SQL classes implementing them stay inside."""

from __future__ import annotations

from pathlib import Path

from liaison.geodesy import distance_km
from liaison.store._protocol import ExchangeTables, Store, Writer
from liaison.store._sql import AuditRow
from liaison.store._types import (
    Near,
    NewVersion,
    Outcome,
    Query,
    Seal,
    StoreBusy,
    StoredVersion,
    StoreError,
    StoreUnreachable,
    VersionConflict,
)
from liaison.store.exchange import (
    Cursor,
    NewRelease,
    PartnerRow,
    Receipt,
    ReleaseChanges,
    ReleaseRow,
    Selection,
    ServedVersion,
    VersionFilter,
)

__all__ = [
    "AuditRow",
    "Cursor",
    "ExchangeTables",
    "Near",
    "NewRelease",
    "NewVersion",
    "Outcome",
    "PartnerRow",
    "Query",
    "Receipt",
    "ReleaseChanges",
    "ReleaseRow",
    "Seal",
    "Selection",
    "ServedVersion",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnreachable",
    "StoredVersion",
    "VersionConflict",
    "VersionFilter",
    "Writer",
    "distance_km",
    "open_store",
]


def open_store(url: str, *, create: bool = True) -> Store:
    """Open (and migrate) the store at ``url``.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` or
    ``postgresql://user@host:port/db[?schema=NAME]``.
    """
    if url.startswith("sqlite:///"):
        from liaison.store._sqlite import SqliteStore

        return SqliteStore(Path(url[len("sqlite:///") :]), create=create)
    if url.startswith(("postgresql://", "postgres://")):
        from liaison.store._postgres import PostgresStore

        return PostgresStore(url)
    raise StoreUnreachable(
        f"unsupported store URL {url.split('://')[0]!r}: use sqlite:///PATH or postgresql://…"
    )
