"""PostgreSQL backend, over one psycopg connection.

Writers of one store run one after the other: every write transaction first
takes a transaction-level advisory lock keyed by the store's schema (so stores
in other schemas — parallel test runs, other nodes — never wait for each
other). Reads need no lock (MVCC). A writer that cannot get the lock within
``lock_timeout`` seconds fails with `StoreBusy`, nothing written; a writer
killed while holding it releases it when its connection drops.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import errors as pgerrors
from psycopg import sql as pgsql

from liaison.store._migrations import migrate
from liaison.store._sql import RECORD_COLUMNS, SqlStore
from liaison.store._sqlite import DEFAULT_LOCK_TIMEOUT, lock_timeout_option
from liaison.store._types import StoreBusy, StoreError, StoreUnreachable

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Liaison's own URL parameters (removed before connecting).
_OPTIONS = ("schema", "lock_timeout")
#: First key of liaison's advisory locks (the second is derived from the schema).
_LOCK_CLASS = 0x6C69_6173  # "lias"


def split_options(url: str) -> tuple[str, dict[str, str]]:
    """Remove liaison's own query parameters (``schema``, ``lock_timeout``) from a URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = {k: v for k, v in query if k in _OPTIONS}
    rest = urlencode([(k, v) for k, v in query if k not in _OPTIONS])
    schema = options.get("schema")
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise StoreUnreachable(f"bad schema name {schema!r} in store URL")
    return urlunsplit(parts._replace(query=rest)), options


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def lock_key(schema: str) -> int:
    """The second advisory-lock key of a schema (a stable signed 32-bit integer)."""
    return int.from_bytes(hashlib.sha256(schema.encode()).digest()[:4], "big", signed=True)


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database (optionally in its own schema)."""

    dialect = "postgres"

    def __init__(
        self, url: str, *, connect_timeout: float = 5.0, lock_timeout: float | None = None
    ) -> None:
        self.url = redact(url)
        conninfo, options = split_options(url)
        self.schema = options.get("schema")
        self.lock_timeout = lock_timeout or lock_timeout_option(options, DEFAULT_LOCK_TIMEOUT)
        try:
            self._conn = psycopg.connect(conninfo, connect_timeout=int(connect_timeout))
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnreachable(f"cannot reach store {self.url}: {reason}") from exc
        try:
            self._conn.autocommit = True
            # Every lock wait (the writers' lock, rows, tables) is bounded.
            self._conn.execute(
                pgsql.SQL("SET lock_timeout = {}").format(
                    pgsql.Literal(f"{int(self.lock_timeout * 1000)}ms")
                )
            )
            if self.schema is not None:
                ident = pgsql.Identifier(self.schema)
                self._conn.execute(pgsql.SQL("SET search_path TO {}").format(ident))
                self._lock_schema = self.schema
            else:
                row = self._conn.execute("SELECT current_schema()").fetchone()
                self._lock_schema = str(row[0]) if row and row[0] else "public"
            self._lock_key = lock_key(self._lock_schema)
            migrate(self)
        except psycopg.Error as exc:
            self._conn.close()
            raise StoreError(f"postgresql: {exc}") from exc
        except BaseException:
            self._conn.close()
            raise

    def _error(self, exc: psycopg.Error) -> StoreError:
        if isinstance(exc, pgerrors.LockNotAvailable):
            return StoreBusy(
                f"store {self.url} is busy: another process has been writing to it for more "
                f"than {self.lock_timeout:g} s; nothing was written. Try again when it has "
                "finished (or allow a longer wait: &lock_timeout=SECONDS in the store URL)"
            )
        return StoreError(f"postgresql: {exc}")

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql.replace("?", "%s"), params, prepare=False)
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def _in_list(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} = ANY(?)", list(values)

    def _has_table(self, name: str) -> bool:
        row = self._execute("SELECT to_regclass(?) IS NOT NULL", (name,)).fetchone()
        return bool(row[0])

    def _prepare_schema(self) -> None:
        if self.schema is not None:
            ident = pgsql.Identifier(self.schema)
            try:
                self._conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
            except psycopg.Error as exc:
                raise self._error(exc) from exc

    @contextmanager
    def _outer_transaction(self) -> Iterator[None]:
        try:
            with self._conn.transaction():
                self._conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", (_LOCK_CLASS, self._lock_key)
                )
                yield
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def _bulk_insert_records(self, rows: Sequence[tuple[Any, ...]]) -> None:
        try:
            with (
                self._conn.cursor() as cur,
                cur.copy(f"COPY records ({RECORD_COLUMNS}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def close(self) -> None:
        self._conn.close()
