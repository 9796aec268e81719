"""The exchange tables of a SQL store, as the `ExchangeTables` protocol asks for them:
each method is the function of the same name in `liaison.store.exchange`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from liaison.store import exchange as x
from liaison.store._sql import SqlStore


class SqlExchangeTables:
    """The exchange tables of one `SqlStore` (``store.exchange``)."""

    __slots__ = ("_store",)

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    # -- partners -------------------------------------------------------------------
    def put_partner(self, p: x.PartnerRow) -> None:
        x.put_partner(self._store, p)

    def partners(self) -> list[x.PartnerRow]:
        return x.partners(self._store)

    def partner(self, name: str) -> x.PartnerRow | None:
        return x.partner(self._store, name)

    def set_token_hash(self, name: str, token_hash: str) -> None:
        x.set_token_hash(self._store, name, token_hash)

    def set_party_id(self, name: str, party_id: str) -> None:
        x.set_party_id(self._store, name, party_id)

    # -- release rows ---------------------------------------------------------------
    def served_versions(
        self, partner_name: str, ids: Sequence[str]
    ) -> dict[tuple[str, str], x.ServedVersion]:
        return x.served_versions(self._store, partner_name, ids)

    def write_releases(
        self, partner_name: str, changes: x.ReleaseChanges, now_us: int
    ) -> tuple[int, int, int]:
        return x.write_releases(self._store, partner_name, changes, now_us)

    def add_releases(
        self, partner_name: str, rows: Sequence[x.NewRelease], now_us: int
    ) -> tuple[int, int, int]:
        return x.add_releases(self._store, partner_name, rows, now_us)

    def select_releases(self, partner_name: str, sel: x.Selection) -> list[x.ReleaseRow]:
        return x.select_releases(self._store, partner_name, sel)

    def latest_release(self, partner_name: str, record_id: str) -> x.ReleaseRow | None:
        return x.latest_release(self._store, partner_name, record_id)

    def release_row(self, partner_name: str, record_id: str, modified: str) -> x.ReleaseRow | None:
        return x.release_row(self._store, partner_name, record_id, modified)

    def has_releases(self, partner_name: str) -> bool:
        return x.has_releases(self._store, partner_name)

    def release_count(self, partner_name: str) -> int:
        return x.release_count(self._store, partner_name)

    # -- delayed releases and release state ------------------------------------------
    def pending_of(self, partner_name: str, ids: Sequence[str]) -> dict[tuple[str, str], int]:
        return x.pending_of(self._store, partner_name, ids)

    def put_pending(self, partner_name: str, rows: Iterable[tuple[str, str, int]]) -> None:
        x.put_pending(self._store, partner_name, rows)

    def due_pending(self, now_ms: int, limit: int = 5000) -> list[tuple[str, str, str]]:
        return x.due_pending(self._store, now_ms, limit)

    def drop_pending(self, partner_name: str, keys: Sequence[tuple[str, str]]) -> None:
        x.drop_pending(self._store, partner_name, keys)

    def forget_partners(self, keep: Sequence[str]) -> None:
        x.forget_partners(self._store, keep)

    def pending_count(self) -> int:
        return x.pending_count(self._store)

    def fingerprints(self) -> dict[str, str]:
        return x.fingerprints(self._store)

    def set_fingerprint(self, partner_name: str, fingerprint: str) -> None:
        x.set_fingerprint(self._store, partner_name, fingerprint)

    # -- sync cursors and receipts --------------------------------------------------
    def cursor(self, partner_name: str) -> x.Cursor | None:
        return x.cursor(self._store, partner_name)

    def set_cursor(self, partner_name: str, c: x.Cursor, now: str) -> None:
        x.set_cursor(self._store, partner_name, c, now)

    def add_receipts(self, receipts: Sequence[x.Receipt]) -> None:
        x.add_receipts(self._store, receipts)

    def receipts_of(self, record_id: str) -> list[x.Receipt]:
        return x.receipts_of(self._store, record_id)
