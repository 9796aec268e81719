"""The store logic shared by the SQL backends; each backend supplies a connection
and the few statements whose spelling differs (placeholders, arrays, bulk copy)."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from liaison.geodesy import distance_km
from liaison.records import RecordIndex
from liaison.store import _area
from liaison.store._migrations import Dialect
from liaison.store._types import (
    NewVersion,
    Query,
    Seal,
    StoredVersion,
    StoreError,
    VersionConflict,
)

if TYPE_CHECKING:
    from liaison.store._tables import SqlExchangeTables

RECORD_COLUMNS = (
    "id, modified, kind, time_start, time_end, group_ref, party_ref, latitude, longitude, "
    "precision_m, cell, cell_coarse, revoked, latest, body, digest, batch_id, leaf_index, "
    "proof, received_from"
)
_READ_COLUMNS = (
    "rid, id, modified, kind, time_start, time_end, group_ref, party_ref, latitude, "
    "longitude, precision_m, revoked, body, digest, batch_id, leaf_index, proof, "
    "received_from, latest"
)
_CHUNK = 5000


class AuditRow:
    """One stored audit entry, fields as written (``detail`` is canonical JSON text)."""

    __slots__ = ("action", "at", "detail", "hash", "prev", "seq", "subject")

    def __init__(
        self, seq: int, at: str, action: str, subject: str, detail: str, prev: str, hash: str
    ) -> None:
        self.seq, self.at, self.action, self.subject = seq, at, action, subject
        self.detail, self.prev, self.hash = detail, prev, hash

    def as_tuple(self) -> tuple[int, str, str, str, str, str, str]:
        return (self.seq, self.at, self.action, self.subject, self.detail, self.prev, self.hash)


class SqlStore(abc.ABC):
    """A record store over one SQL connection. Not thread-safe: one per thread."""

    dialect: Dialect
    url: str

    # -- what each backend provides -------------------------------------------------
    @abc.abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` placeholders) and return a cursor."""

    @abc.abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abc.abstractmethod
    def _in_list(self, column: str, values: Sequence[Any]) -> tuple[str, Any]:
        """SQL fragment ``column IN <values>`` taking the values as one parameter."""

    @abc.abstractmethod
    @contextmanager
    def _outer_transaction(self) -> Iterator[None]:
        """Begin, then commit (or roll back on an exception) one database transaction."""

    _depth: int = 0
    _on_commit: dict[str, Callable[[], object]] | None = None
    #: The file outside the store that anchors its signed audit head (set by the
    #: node that owns the store; see liaison.audit.anchor). None: not anchored.
    audit_anchor: Path | None = None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A transaction; nested uses join the outermost one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        self._on_commit = {}
        try:
            with self._outer_transaction():
                yield
            callbacks = list(self._on_commit.values())
        finally:
            self._depth = 0
            self._on_commit = None
        for callback in callbacks:
            callback()

    def after_commit(self, key: str, callback: Callable[[], object]) -> None:
        """Run ``callback`` once the current transaction has committed (never if it
        rolls back). A later callback under the same ``key`` replaces the earlier."""
        if self._on_commit is None:
            raise StoreError("after_commit needs an open transaction")
        self._on_commit.pop(key, None)
        self._on_commit[key] = callback

    @abc.abstractmethod
    def _bulk_insert_records(self, rows: Sequence[tuple[Any, ...]]) -> None: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    # -- schema (applied by _migrations.migrate) ----------------------------------
    @abc.abstractmethod
    def _has_table(self, name: str) -> bool:
        """Whether the store's schema has this table (a read; takes no lock)."""

    @abc.abstractmethod
    def _prepare_schema(self) -> None:
        """Run first inside the migration transaction (PostgreSQL: create the schema)."""

    # -- meta -------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._execute("DELETE FROM meta WHERE key = ?", (key,))
        self._execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- writing ------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        """All writes inside commit together or not at all."""
        with self._transaction():
            yield Writer(self)

    # -- reading ------------------------------------------------------------------
    def existing_digests(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        """Digests of the given ``(id, modified)`` versions that are already stored."""
        digests, _ = self.stored_versions_of([k[0] for k in keys])
        wanted = set(keys)
        return {k: d for k, d in digests.items() if k in wanted}

    def latest_modified(self, ids: Sequence[str]) -> dict[str, str]:
        """The newest stored ``modified`` of each given id that exists."""
        return self.stored_versions_of(ids)[1]

    def stored_versions_of(
        self, ids: Sequence[str]
    ) -> tuple[dict[tuple[str, str], bytes], dict[str, str]]:
        """For the given ids: digest of every stored version, and each id's latest
        ``modified`` — one indexed query per chunk of ids."""
        digests: dict[tuple[str, str], bytes] = {}
        latest: dict[str, str] = {}
        uniq = sorted(set(ids))
        for start in range(0, len(uniq), _CHUNK):
            frag, param = self._in_list("id", uniq[start : start + _CHUNK])
            sql = f"SELECT id, modified, digest, latest FROM records WHERE {frag}"
            for rid, mod, dig, is_latest in self._execute(sql, (param,)):
                digests[(rid, mod)] = _bytes(dig)
                if is_latest:
                    latest[rid] = mod
        return digests, latest

    def query(self, q: Query) -> Iterator[StoredVersion]:
        """Versions matching ``q`` in storage order (``rid``)."""
        sql, params = self._select(q)
        emitted = 0
        for row in self._execute(sql, params):
            version = _stored(row)
            if not _refine(version.index, q):
                continue
            yield version
            emitted += 1
            if q.limit is not None and emitted >= q.limit:
                return

    def explain(self, q: Query) -> str:
        """The database's query plan for ``q`` (to check that an index serves it)."""
        sql, params = self._select(q)
        prefix = "EXPLAIN QUERY PLAN " if self.dialect == "sqlite" else "EXPLAIN "
        rows = self._execute(prefix + sql, params).fetchall()
        return "\n".join(" ".join(str(c) for c in row) for row in rows)

    def _select(self, q: Query) -> tuple[str, list[Any]]:
        where: list[str] = ["rid > ?"]
        params: list[Any] = [q.after_rid]
        if q.latest_only:
            where.append("latest = 1")
        if not q.include_revoked:
            where.append("revoked = 0")
        for column, values in (("kind", q.kinds), ("id", q.ids)):
            if values:
                frag, param = self._in_list(column, list(values))
                where.append(frag)
                params.append(param)
        if q.exclude_kinds:
            frag, param = self._in_list("kind", list(q.exclude_kinds))
            where.append(f"NOT ({frag})")
            params.append(param)
        for column, value in (("group_ref", q.group), ("party_ref", q.party)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if q.since_ms is not None or q.until_ms is not None:
            self._time_window(q, where, params)
        if q.near is not None:
            column, cells = _area.cells_near(q.near.latitude, q.near.longitude, q.near.radius_km)
            frag, param = self._in_list(column, cells)
            where.append(frag)
            params.append(param)
        elif q.cells:
            column, cells = _area.cells_covering(q.cells)
            frag, param = self._in_list(column, cells)
            where.append(frag)
            params.append(param)
        sql = f"SELECT {_READ_COLUMNS} FROM records WHERE {' AND '.join(where)} ORDER BY rid"
        if q.limit is not None and q.near is None and not q.cells:
            sql += f" LIMIT {int(q.limit)}"
        return sql, params

    def _time_window(self, q: Query, where: list[str], params: list[Any]) -> None:
        since = q.since_ms if q.since_ms is not None else -(2**62)
        until = q.until_ms if q.until_ms is not None else 2**62
        # Overlap test. The lower bound on time_start (since minus the longest
        # window stored) lets every time index serve the query as a range scan.
        span = int(self.get_meta("max_span_ms") or 0)
        where.append("time_start >= ? AND time_start <= ? AND time_end >= ?")
        params.extend([since - span, until, since])

    def get(self, record_id: str, modified: str | None = None) -> StoredVersion | None:
        """The latest version of a record, or a given version."""
        if modified is None:
            sql, params = (
                f"SELECT {_READ_COLUMNS} FROM records WHERE id = ? AND latest = 1",
                [record_id],
            )
        else:
            sql = f"SELECT {_READ_COLUMNS} FROM records WHERE id = ? AND modified = ?"
            params = [record_id, modified]
        row = self._execute(sql, params).fetchone()
        return None if row is None else _stored(row)

    def versions(self, record_id: str) -> list[StoredVersion]:
        """Every stored version of a record, oldest first."""
        rows = self._execute(
            f"SELECT {_READ_COLUMNS} FROM records WHERE id = ? ORDER BY modified", (record_id,)
        ).fetchall()
        return [_stored(r) for r in rows]

    def seal(self, batch_id: int) -> Seal:
        row = self._execute(
            "SELECT root, signature, key_id, alg FROM seals WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no seal {batch_id} in the store")
        return Seal(bytes(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def counts(self) -> dict[str, int]:
        """Number of current (latest) records per kind."""
        rows = self._execute(
            "SELECT kind, COUNT(*) FROM records WHERE latest = 1 GROUP BY kind ORDER BY kind"
        ).fetchall()
        return {str(k): int(n) for k, n in rows}

    def audit_rows(self, after_seq: int = 0, batch: int = 10_000) -> Iterator[AuditRow]:
        """Audit entries in ``seq`` order, streamed in pages."""
        last = after_seq
        while True:
            rows = self._execute(
                "SELECT seq, at, action, subject, detail, prev, hash FROM audit "
                f"WHERE seq > ? ORDER BY seq LIMIT {int(batch)}",
                (last,),
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield AuditRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
            last = int(rows[-1][0])

    def last_audit_row(self) -> AuditRow | None:
        r = self._execute(
            "SELECT seq, at, action, subject, detail, prev, hash FROM audit "
            "ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        return None if r is None else AuditRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])

    # -- through other modules of the package ------------------------------------------
    def audit_by_time(
        self, action: str | None, since: str | None, page: int = 1000
    ) -> Iterator[AuditRow]:
        """Audit entries (of one ``action``, or all) with ``at >= since``, by ``(at, seq)``."""
        from liaison.store import audit

        return audit.by_time(self, action, since, page)

    def explain_audit_by_time(self, action: str | None, since: str | None) -> str:
        """The query plan of one page of `audit_by_time` (to check that an index serves it)."""
        from liaison.store import audit

        return audit.explain_by_time(self, action, since)

    @property
    def exchange(self) -> SqlExchangeTables:
        """The store's exchange tables (partners, release rows, cursors, receipts…)."""
        from liaison.store._tables import SqlExchangeTables

        return SqlExchangeTables(self)


class Writer:
    """Writes within one open transaction of a store."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def add_seal(self, seal: Seal) -> int:
        """Store a batch seal; returns its batch id."""
        cur = self._store._execute(
            "INSERT INTO seals (root, signature, key_id, alg) VALUES (?, ?, ?, ?) "
            "RETURNING batch_id",
            (seal.root, seal.signature, seal.key_id, seal.alg),
        )
        return int(cur.fetchone()[0])

    def add_versions(
        self,
        batch_id: int,
        versions: Sequence[NewVersion],
        *,
        latest: Mapping[str, str] | None = None,
    ) -> None:
        """Insert new versions (callers filter out already-stored ones first).

        ``latest`` is the stored latest ``modified`` of the batch's ids, when the
        caller has just read it in this transaction (saves a query). Raises
        VersionConflict if one of the versions exists with another body.
        """
        if not versions:
            return
        store = self._store
        newest = _newest_in_batch(versions)
        previous = latest if latest is not None else store.latest_modified(list(newest))
        demote = [i for i, m in newest.items() if i in previous and previous[i] < m]
        keep_old = {i for i, m in newest.items() if i in previous and previous[i] >= m}
        for start in range(0, len(demote), _CHUNK):
            frag, param = store._in_list("id", demote[start : start + _CHUNK])
            store._execute(f"UPDATE records SET latest = 0 WHERE latest = 1 AND {frag}", (param,))
        rows = []
        max_span = 0
        for v in versions:
            ix = v.index
            fine, coarse = _area.cell_keys(ix.latitude, ix.longitude)
            is_latest = 1 if (ix.id not in keep_old and newest[ix.id] == ix.modified) else 0
            if ix.time_start_ms is not None and ix.time_end_ms is not None:
                max_span = max(max_span, ix.time_end_ms - ix.time_start_ms)
            rows.append(
                (
                    ix.id, ix.modified, ix.kind, ix.time_start_ms, ix.time_end_ms,
                    ix.group_ref, ix.party_ref, ix.latitude, ix.longitude, ix.precision_m,
                    fine, coarse, int(ix.revoked), is_latest, v.body, v.digest, batch_id,
                    v.leaf_index, v.proof, v.received_from,
                )
            )  # fmt: skip
        # The UNIQUE (id, modified) index is the final guard; a savepoint keeps the
        # transaction usable (PostgreSQL) so that a clash can be explained.
        store._execute("SAVEPOINT liaison_insert")
        try:
            store._bulk_insert_records(rows)
        except StoreError:
            store._execute("ROLLBACK TO SAVEPOINT liaison_insert")
            self._raise_conflict(versions)
            raise
        store._execute("RELEASE SAVEPOINT liaison_insert")
        if max_span > int(store.get_meta("max_span_ms") or 0):
            store._set_meta("max_span_ms", str(max_span))

    def _raise_conflict(self, versions: Sequence[NewVersion]) -> None:
        """Explain a failed insert: a version already stored (with which body)."""
        keys = [(v.index.id, v.index.modified) for v in versions]
        stored = self._store.existing_digests(keys)
        for v in versions:
            got = stored.get((v.index.id, v.index.modified))
            if got is not None:
                if got != v.digest:
                    raise VersionConflict(v.index.id, v.index.modified)
                raise StoreError(
                    f"{v.index.id}: version {v.index.modified} is already stored; "
                    "callers must leave out unchanged versions"
                )

    def append_audit(self, rows: Sequence[AuditRow]) -> None:
        """Append audit entries (already chained by the caller)."""
        self._store._executemany(
            "INSERT INTO audit (seq, at, action, subject, detail, prev, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [r.as_tuple() for r in rows],
        )

    def set_meta(self, key: str, value: str) -> None:
        self._store._set_meta(key, value)


def _newest_in_batch(versions: Sequence[NewVersion]) -> dict[str, str]:
    newest: dict[str, str] = {}
    for v in versions:
        cur = newest.get(v.index.id)
        if cur is None or v.index.modified > cur:
            newest[v.index.id] = v.index.modified
    return newest


def _stored(row: Sequence[Any]) -> StoredVersion:
    index = RecordIndex(
        id=row[1],
        modified=row[2],
        kind=row[3],
        time_start_ms=row[4],
        time_end_ms=row[5],
        group_ref=row[6],
        party_ref=row[7],
        latitude=row[8],
        longitude=row[9],
        precision_m=row[10],
        revoked=bool(row[11]),
    )
    return StoredVersion(
        rid=int(row[0]),
        index=index,
        body=_bytes(row[12]),
        digest=_bytes(row[13]),
        batch_id=int(row[14]),
        leaf_index=int(row[15]),
        proof=_bytes(row[16]),
        received_from=row[17],
        latest=bool(row[18]),
    )


def _bytes(value: Any) -> bytes:
    """A blob column's value (tolerating text written there by other tools)."""
    return value.encode() if isinstance(value, str) else bytes(value)


def _refine(ix: RecordIndex, q: Query) -> bool:
    """Exact spatial test for candidates found through the cell index."""
    if ix.latitude is None or ix.longitude is None:
        return q.near is None and not q.cells
    if q.near is not None:
        d = distance_km(q.near.latitude, q.near.longitude, ix.latitude, ix.longitude)
        return d <= q.near.radius_km
    if q.cells:
        return _area.within_cells(ix.latitude, ix.longitude, q.cells)
    return True
