"""What the rest of liaison may ask of a store: the `Store` protocol.

Everything outside ``liaison.store`` is typed against `Store`, `Writer` and
`ExchangeTables`, never against the SQL classes behind them (`SqliteStore`,
`PostgresStore`). The exchange tables (partners, release rows, delayed releases,
release state, sync cursors, receipts) are reached through ``store.exchange``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from liaison.store._sql import AuditRow
from liaison.store._types import NewVersion, Query, Seal, StoredVersion
from liaison.store.exchange import (
    Cursor,
    NewRelease,
    PartnerRow,
    Receipt,
    ReleaseChanges,
    ReleaseRow,
    Selection,
    ServedVersion,
)


@runtime_checkable
class Writer(Protocol):
    """Writes within one open transaction of a store."""

    def add_seal(self, seal: Seal) -> int: ...

    def add_versions(
        self,
        batch_id: int,
        versions: Sequence[NewVersion],
        *,
        latest: Mapping[str, str] | None = None,
    ) -> None: ...

    def append_audit(self, rows: Sequence[AuditRow]) -> None: ...

    def set_meta(self, key: str, value: str) -> None: ...


@runtime_checkable
class ExchangeTables(Protocol):
    """A store's rows for exchange between nodes (see `liaison.store.exchange`).

    Writes join the caller's open transaction, if any.
    """

    # partners
    def put_partner(self, p: PartnerRow) -> None: ...
    def partners(self) -> list[PartnerRow]: ...
    def partner(self, name: str) -> PartnerRow | None: ...
    def set_token_hash(self, name: str, token_hash: str) -> None: ...
    def set_party_id(self, name: str, party_id: str) -> None: ...

    # release rows
    def served_versions(
        self, partner_name: str, ids: Sequence[str]
    ) -> dict[tuple[str, str], ServedVersion]: ...
    def write_releases(
        self, partner_name: str, changes: ReleaseChanges, now_us: int
    ) -> tuple[int, int, int]: ...
    def add_releases(
        self, partner_name: str, rows: Sequence[NewRelease], now_us: int
    ) -> tuple[int, int, int]: ...
    def select_releases(self, partner_name: str, sel: Selection) -> list[ReleaseRow]: ...
    def latest_release(self, partner_name: str, record_id: str) -> ReleaseRow | None: ...
    def release_row(
        self, partner_name: str, record_id: str, modified: str
    ) -> ReleaseRow | None: ...
    def has_releases(self, partner_name: str) -> bool: ...
    def release_count(self, partner_name: str) -> int: ...

    # delayed releases and release state
    def pending_of(self, partner_name: str, ids: Sequence[str]) -> dict[tuple[str, str], int]: ...
    def put_pending(self, partner_name: str, rows: Iterable[tuple[str, str, int]]) -> None: ...
    def due_pending(self, now_ms: int, limit: int = 5000) -> list[tuple[str, str, str]]: ...
    def drop_pending(self, partner_name: str, keys: Sequence[tuple[str, str]]) -> None: ...
    def forget_partners(self, keep: Sequence[str]) -> None: ...
    def pending_count(self) -> int: ...
    def fingerprints(self) -> dict[str, str]: ...
    def set_fingerprint(self, partner_name: str, fingerprint: str) -> None: ...

    # sync cursors and receipts
    def cursor(self, partner_name: str) -> Cursor | None: ...
    def set_cursor(self, partner_name: str, c: Cursor, now: str) -> None: ...
    def add_receipts(self, receipts: Sequence[Receipt]) -> None: ...
    def receipts_of(self, record_id: str) -> list[Receipt]: ...


@runtime_checkable
class Store(Protocol):
    """A record store: versioned records, batch seals, the audit chain, meta values
    and the exchange tables. Not thread-safe: one per thread."""

    #: The file outside the store that anchors its signed audit head (set by the
    #: node that owns the store; see liaison.audit.anchor). None: not anchored.
    audit_anchor: Path | None

    @property
    def url(self) -> str:
        """Where the store is (password redacted)."""
        ...

    @property
    def dialect(self) -> str:
        """The backend: ``"sqlite"`` or ``"postgres"``."""
        ...

    @property
    def exchange(self) -> ExchangeTables:
        """The store's exchange tables."""
        ...

    # writing
    def transaction(self) -> AbstractContextManager[Writer]:
        """All writes inside commit together or not at all; nested uses join the outer one."""
        ...

    def after_commit(self, key: str, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the current transaction has committed."""
        ...

    # records
    def query(self, q: Query) -> Iterator[StoredVersion]: ...
    def explain(self, q: Query) -> str: ...
    def get(self, record_id: str, modified: str | None = None) -> StoredVersion | None: ...
    def versions(self, record_id: str) -> list[StoredVersion]: ...
    def counts(self) -> dict[str, int]: ...
    def existing_digests(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bytes]: ...
    def latest_modified(self, ids: Sequence[str]) -> dict[str, str]: ...
    def stored_versions_of(
        self, ids: Sequence[str]
    ) -> tuple[dict[tuple[str, str], bytes], dict[str, str]]: ...
    def seal(self, batch_id: int) -> Seal: ...

    # audit and meta
    def audit_rows(self, after_seq: int = 0, batch: int = 10_000) -> Iterator[AuditRow]: ...
    def last_audit_row(self) -> AuditRow | None: ...
    def audit_by_time(
        self, action: str | None, since: str | None, page: int = 1000
    ) -> Iterator[AuditRow]:
        """Entries (of one ``action``, or all) with ``at >= since``, by ``(at, seq)``."""
        ...

    def explain_audit_by_time(self, action: str | None, since: str | None) -> str: ...
    def get_meta(self, key: str) -> str | None: ...

    def close(self) -> None: ...


if TYPE_CHECKING:  # mypy checks that both backends implement the protocols
    from liaison.store._postgres import PostgresStore
    from liaison.store._sql import SqlStore
    from liaison.store._sql import Writer as SqlWriter
    from liaison.store._sqlite import SqliteStore
    from liaison.store._tables import SqlExchangeTables

    def _conforms(
        a: SqliteStore, b: PostgresStore, s: SqlStore, w: SqlWriter, t: SqlExchangeTables
    ) -> tuple[Store, Store, Store, Writer, ExchangeTables]:
        return a, b, s, w, t
