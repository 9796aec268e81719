"""PostgreSQL backend, over one psycopg connection."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql

from liaison.store._sql import RECORD_COLUMNS, SqlStore
from liaison.store._types import StoreError, StoreUnreachable

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def split_schema(url: str) -> tuple[str, str | None]:
    """Remove liaison's own ``schema=NAME`` query parameter from a PostgreSQL URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    if schema is not None and not _SCHEMA_NAME.match(schema):
        raise StoreUnreachable(f"bad schema name {schema!r} in store URL")
    return urlunsplit(parts._replace(query=rest)), schema


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = parts.username or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


class PostgresStore(SqlStore):
    """A store in a PostgreSQL database (optionally in its own schema)."""

    dialect = "postgres"

    def __init__(self, url: str, *, connect_timeout: float = 5.0) -> None:
        self.url = redact(url)
        conninfo, self.schema = split_schema(url)
        try:
            self._conn = psycopg.connect(conninfo, connect_timeout=int(connect_timeout))
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreUnreachable(f"cannot reach store {self.url}: {reason}") from exc
        self._conn.autocommit = True
        if self.schema is not None:
            ident = pgsql.Identifier(self.schema)
            self._conn.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
            self._conn.execute(pgsql.SQL("SET search_path TO {}").format(ident))
        self._migrate()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(sql.replace("?", "%s"), params, prepare=False)
        except psycopg.Error as exc:
            raise StoreError(f"postgresql: {exc}") from exc

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            with self._conn.cursor() as cur:
                cur.executemany(sql.replace("?", "%s"), rows)
        except psycopg.Error as exc:
            raise StoreError(f"postgresql: {exc}") from exc

    def _in_list(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        return f"{column} = ANY(?)", list(values)

    @contextmanager
    def _outer_transaction(self) -> Iterator[None]:
        try:
            with self._conn.transaction():
                yield
        except psycopg.Error as exc:
            raise StoreError(f"postgresql: {exc}") from exc

    def _bulk_insert_records(self, rows: Sequence[tuple[Any, ...]]) -> None:
        try:
            with (
                self._conn.cursor() as cur,
                cur.copy(f"COPY records ({RECORD_COLUMNS}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        except psycopg.Error as exc:
            raise StoreError(f"postgresql: {exc}") from exc

    def close(self) -> None:
        self._conn.close()
