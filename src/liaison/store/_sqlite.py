"""SQLite backend: the embedded default (WAL mode, one file per node).

Readers never wait for a writer: in WAL mode a read sees the last committed
state while a write transaction is open, and opening an up-to-date store writes
nothing. Writers take the database's single write lock when their transaction
begins (``BEGIN IMMEDIATE``), so they run one after the other; a writer that
cannot get the lock within ``lock_timeout`` seconds fails with `StoreBusy`
(nothing written). Commits are synchronous (``synchronous=FULL``): once a
transaction has committed it survives a power loss, which the audit head
anchor relies on (see docs/trust.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import orjson

from liaison.store._migrations import migrate
from liaison.store._sql import RECORD_COLUMNS, SqlStore
from liaison.store._types import StoreBusy, StoreError, StoreUnreachable

#: Seconds a writer waits for another one to finish before giving up.
DEFAULT_LOCK_TIMEOUT = 60.0
_OPTIONS = ("lock_timeout",)


def split_options(path: Path) -> tuple[Path, dict[str, str]]:
    """Separate liaison's options (``…/store.db?lock_timeout=SECONDS``) from the path."""
    text = str(path)
    base, sep, query = text.rpartition("?")
    if not sep:
        return path, {}
    options = dict(parse_qsl(query, keep_blank_values=True))
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise StoreUnreachable(
            f"unknown store option(s) {', '.join(unknown)} in {text!r} "
            f"(known: {', '.join(_OPTIONS)})"
        )
    return Path(base), options


def lock_timeout_option(options: dict[str, str], default: float) -> float:
    """The ``lock_timeout`` option in seconds (a positive number)."""
    raw = options.get("lock_timeout")
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise StoreUnreachable(
            f"lock_timeout must be a number of seconds in (0, 86400], not {raw!r}"
        )
    return value


class SqliteStore(SqlStore):
    """A store in one SQLite database file."""

    dialect = "sqlite"

    def __init__(
        self, path: Path, *, create: bool = True, lock_timeout: float | None = None
    ) -> None:
        path, options = split_options(path)
        self.lock_timeout = lock_timeout or lock_timeout_option(options, DEFAULT_LOCK_TIMEOUT)
        self.url = f"sqlite:///{path}"
        self.path = path
        if not create and not path.exists():
            raise StoreUnreachable(f"no store at {path} (sqlite file does not exist)")
        if not path.parent.is_dir():
            raise StoreUnreachable(f"cannot open store {self.url}: folder {path.parent} missing")
        try:
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=self.lock_timeout
            )
            # The busy timeout first: switching a new file to WAL needs a lock.
            self._conn.execute(f"PRAGMA busy_timeout={int(self.lock_timeout * 1000)}")
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            # A larger page cache keeps the index B-trees in memory during bulk ingest.
            self._conn.execute("PRAGMA cache_size=-131072")
            self._conn.execute("PRAGMA temp_store=MEMORY")
        except sqlite3.Error as exc:
            raise StoreUnreachable(f"cannot open store {self.url}: {exc}") from exc
        try:
            migrate(self)
        except BaseException:
            self._conn.close()
            raise

    def _busy(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
            return StoreBusy(
                f"store {self.path} is busy: another process has been writing to it for "
                f"more than {self.lock_timeout:g} s; nothing was written. Try again when it "
                "has finished (or allow a longer wait: ?lock_timeout=SECONDS in the store URL)"
            )
        return StoreError(f"sqlite: {exc}")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._busy(exc) from exc

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._busy(exc) from exc

    def _in_list(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} IN (SELECT value FROM json_each(?))", orjson.dumps(list(values)).decode()

    def _has_table(self, name: str) -> bool:
        row = self._execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def _prepare_schema(self) -> None:
        """Nothing to prepare: the database file is the schema."""

    @contextmanager
    def _outer_transaction(self) -> Iterator[None]:
        self._execute("BEGIN IMMEDIATE")  # the write lock, or StoreBusy after lock_timeout
        try:
            yield
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        try:
            self._execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _bulk_insert_records(self, rows: Sequence[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * 20)
        self._executemany(f"INSERT INTO records ({RECORD_COLUMNS}) VALUES ({marks})", rows)

    def close(self) -> None:
        self._conn.close()
