"""Schema migrations, numbered; each backend applies the ones it has not applied yet.

Opening a store only reads the schema version. Only when it is behind does
`migrate` take the store's write lock (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an
advisory lock keyed by schema), read the version again — another process may
have migrated meanwhile — and apply what is missing, all in one transaction.
A store that is up to date is therefore opened without writing anything, so
readers never wait for a writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from liaison.store._types import StoreError

if TYPE_CHECKING:
    from liaison.store._sql import SqlStore

Dialect = Literal["sqlite", "postgres"]

_TYPES: dict[Dialect, dict[str, str]] = {
    "sqlite": {"blob": "BLOB", "pk": "INTEGER PRIMARY KEY", "bigint": "INTEGER"},
    "postgres": {"blob": "BYTEA", "pk": "BIGSERIAL PRIMARY KEY", "bigint": "BIGINT"},
}

_V1 = [
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE seals (
        batch_id {pk},
        root {blob} NOT NULL,
        signature {blob} NOT NULL,
        key_id TEXT NOT NULL,
        alg TEXT NOT NULL)""",
    """CREATE TABLE records (
        rid {pk},
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        kind TEXT NOT NULL,
        time_start {bigint},
        time_end {bigint},
        group_ref TEXT,
        party_ref TEXT,
        latitude DOUBLE PRECISION,
        longitude DOUBLE PRECISION,
        precision_m DOUBLE PRECISION,
        cell {bigint},
        cell_coarse {bigint},
        revoked SMALLINT NOT NULL,
        latest SMALLINT NOT NULL,
        body {blob} NOT NULL,
        digest {blob} NOT NULL,
        batch_id {bigint} NOT NULL REFERENCES seals (batch_id),
        leaf_index INTEGER NOT NULL,
        proof {blob} NOT NULL,
        received_from TEXT,
        UNIQUE (id, modified))""",
    "CREATE INDEX records_kind_time ON records (kind, time_start)",
    "CREATE INDEX records_group_time ON records (group_ref, time_start)",
    "CREATE INDEX records_party_time ON records (party_ref, time_start)",
    "CREATE INDEX records_cell_time ON records (cell, time_start)",
    "CREATE INDEX records_coarse_time ON records (cell_coarse, time_start)",
    """CREATE TABLE audit (
        seq {bigint} PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL)""",
]

# Migration 2: exchange between nodes — partners, per-partner release rows (the
# exact bytes served over TAXII, paged by a per-partner sequence), delayed
# releases, sync cursors and receipts (provenance of received versions).
_V2 = [
    """CREATE TABLE partners (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        public_key TEXT,
        party_id TEXT,
        unsigned SMALLINT NOT NULL,
        collection_id TEXT NOT NULL UNIQUE,
        token_hash TEXT,
        added TEXT NOT NULL)""",
    """CREATE TABLE releases (
        partner TEXT NOT NULL,
        pseq {bigint} NOT NULL,
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        type TEXT NOT NULL,
        date_added {bigint} NOT NULL,
        latest SMALLINT NOT NULL,
        revoked SMALLINT NOT NULL,
        rule TEXT NOT NULL,
        body {blob} NOT NULL,
        PRIMARY KEY (partner, pseq),
        UNIQUE (partner, id, modified))""",
    "CREATE INDEX releases_added ON releases (partner, date_added)",
    """CREATE TABLE release_pending (
        partner TEXT NOT NULL,
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        release_at {bigint} NOT NULL,
        PRIMARY KEY (partner, id))""",
    "CREATE INDEX release_pending_at ON release_pending (release_at)",
    """CREATE TABLE sync_cursors (
        partner TEXT PRIMARY KEY,
        next_token TEXT,
        added_after TEXT,
        objects {bigint} NOT NULL,
        updated TEXT NOT NULL)""",
    """CREATE TABLE receipts (
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        partner TEXT NOT NULL,
        verified SMALLINT NOT NULL,
        signature TEXT,
        received TEXT NOT NULL,
        PRIMARY KEY (id, modified, partner))""",
]

# Migration 3: `liaison audit log` reads entries by time and by action (one index
# each, in the order it prints them).
_V3 = [
    "CREATE INDEX audit_at ON audit (at, seq)",
    "CREATE INDEX audit_action_at ON audit (action, at, seq)",
]

# Migration 4: the release room re-decides per partner. Delayed releases are kept
# per version (every served version is re-decided, not only the latest), and each
# partner's release state records the fingerprint of the policy and designations
# its table was decided under (a change re-decides that partner's whole table).
# Pending rows are dropped: the first release run after the upgrade re-decides
# every partner (no fingerprint is stored yet) and writes them again.
_V4 = [
    "DROP TABLE IF EXISTS release_pending",
    """CREATE TABLE release_pending (
        partner TEXT NOT NULL,
        id TEXT NOT NULL,
        modified TEXT NOT NULL,
        release_at {bigint} NOT NULL,
        PRIMARY KEY (partner, id, modified))""",
    "CREATE INDEX IF NOT EXISTS release_pending_at ON release_pending (release_at)",
    "DROP TABLE IF EXISTS release_state",
    "DELETE FROM meta WHERE key = 'release_policy'",  # the one fingerprint before
    """CREATE TABLE release_state (
        partner TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL)""",
]

MIGRATIONS: tuple[list[str], ...] = (_V1, _V2, _V3, _V4)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(dialect: Dialect, version: int) -> list[str]:
    """The SQL statements of migration ``version`` (1-based) for a dialect."""
    return [s.format(**_TYPES[dialect]) for s in MIGRATIONS[version - 1]]


def migrate(store: SqlStore) -> None:
    """Bring ``store``'s schema up to date; writes (and locks) only when it is behind."""
    if _version(store) == SCHEMA_VERSION:
        return
    with store._transaction():  # the backend's write lock, held until commit
        store._prepare_schema()
        current = _version(store)
        for version in range(current + 1, SCHEMA_VERSION + 1):
            for sql in statements(store.dialect, version):
                store._execute(sql)
            store._set_meta("schema_version", str(version))


def _version(store: SqlStore) -> int:
    if not store._has_table("meta"):
        return 0
    current = int(store.get_meta("schema_version") or 0)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"store schema version {current} is newer than this liaison "
            f"({SCHEMA_VERSION}); upgrade liaison"
        )
    return current
