"""SQLite backend: the embedded default (WAL mode, one file per node)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from liaison.store._sql import RECORD_COLUMNS, SqlStore
from liaison.store._types import StoreError, StoreUnreachable


class SqliteStore(SqlStore):
    """A store in one SQLite database file."""

    dialect = "sqlite"

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.url = f"sqlite:///{path}"
        self.path = path
        if not create and not path.exists():
            raise StoreUnreachable(f"no store at {path} (sqlite file does not exist)")
        if not path.parent.is_dir():
            raise StoreUnreachable(f"cannot open store {self.url}: folder {path.parent} missing")
        try:
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=10000")
            # A larger page cache keeps the index B-trees in memory during bulk ingest.
            self._conn.execute("PRAGMA cache_size=-131072")
            self._conn.execute("PRAGMA temp_store=MEMORY")
        except sqlite3.Error as exc:
            raise StoreUnreachable(f"cannot open store {self.url}: {exc}") from exc
        self._migrate()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite: {exc}") from exc

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite: {exc}") from exc

    def _in_list(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} IN (SELECT value FROM json_each(?))", orjson.dumps(list(values)).decode()

    @contextmanager
    def _outer_transaction(self) -> Iterator[None]:
        self._execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._execute("COMMIT")

    def _bulk_insert_records(self, rows: Sequence[tuple[Any, ...]]) -> None:
        marks = ", ".join("?" * 20)
        self._executemany(f"INSERT INTO records ({RECORD_COLUMNS}) VALUES ({marks})", rows)

    def close(self) -> None:
        self._conn.close()
