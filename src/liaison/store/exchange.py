"""Store rows for exchange between nodes (schema migration 2).

Partners, per-partner release rows (the exact bytes a partner is served, numbered
by a per-partner sequence ``pseq``), delayed releases, sync cursors and receipts.
Plain functions over a `SqlStore`; nothing here knows about HTTP or TAXII: rows
are served by partner, sequence, date added, id and type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from liaison.store._sql import SqlStore, _bytes

_CHUNK = 5000
_PARTNER_COLUMNS = "name, url, public_key, party_id, unsigned, collection_id, token_hash, added"
_RELEASE_COLUMNS = "pseq, id, modified, type, date_added, latest, revoked, body"

VersionFilter = Literal["last", "first", "all"]


@dataclass(frozen=True, slots=True)
class PartnerRow:
    """A partner node: where its TAXII API root is, its pinned key, our collection for it."""

    name: str
    url: str
    public_key: str | None
    party_id: str | None
    unsigned: bool
    collection_id: str
    token_hash: str | None
    added: str


@dataclass(frozen=True, slots=True)
class NewRelease:
    """One signed object to put in a partner's release table."""

    id: str
    modified: str
    type: str
    revoked: bool
    rule: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ReleaseRow:
    """One row of a partner's release table, as served."""

    pseq: int
    id: str
    modified: str
    type: str
    date_added_us: int
    latest: bool
    revoked: bool
    body: bytes


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rows of one partner's table to read, in ``pseq`` order."""

    after_pseq: int = 0
    added_after_us: int | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    versions: tuple[VersionFilter, ...] = ("last",)
    limit: int = 1000


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the sync of one partner's collection stands."""

    next_token: str | None
    added_after: str | None
    objects: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """Provenance of one received version."""

    id: str
    modified: str
    partner: str
    verified: bool
    signature: str | None
    received: str


# -- partners -----------------------------------------------------------------------
def put_partner(store: SqlStore, p: PartnerRow) -> None:
    """Insert or replace a partner (inside the caller's transaction, if any)."""
    with store._transaction():
        store._execute("DELETE FROM partners WHERE name = ?", (p.name,))
        store._execute(
            f"INSERT INTO partners ({_PARTNER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (p.name, p.url, p.public_key, p.party_id, int(p.unsigned), p.collection_id,
             p.token_hash, p.added),
        )  # fmt: skip


def partners(store: SqlStore) -> list[PartnerRow]:
    """Every partner, by name."""
    rows = store._execute(f"SELECT {_PARTNER_COLUMNS} FROM partners ORDER BY name").fetchall()
    return [_partner(r) for r in rows]


def partner(store: SqlStore, name: str) -> PartnerRow | None:
    row = store._execute(
        f"SELECT {_PARTNER_COLUMNS} FROM partners WHERE name = ?", (name,)
    ).fetchone()
    return None if row is None else _partner(row)


def set_token_hash(store: SqlStore, name: str, token_hash: str) -> None:
    with store._transaction():
        store._execute("UPDATE partners SET token_hash = ? WHERE name = ?", (token_hash, name))


def set_party_id(store: SqlStore, name: str, party_id: str) -> None:
    with store._transaction():
        store._execute("UPDATE partners SET party_id = ? WHERE name = ?", (party_id, name))


def _partner(r: Sequence[Any]) -> PartnerRow:
    return PartnerRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7])


# -- release rows -------------------------------------------------------------------
def add_releases(
    store: SqlStore, partner_name: str, rows: Sequence[NewRelease], now_us: int
) -> tuple[int, int, int]:
    """Append rows to a partner's table, replacing rows of the same ``(id, modified)``.

    All rows of the call share one ``date_added``, strictly later than any earlier
    row's, so ``added_after`` of the last date seen never skips a later row.
    Returns ``(first pseq, last pseq, date_added_us)``. Call inside a transaction.
    """
    if store.dialect == "postgres":  # serialise writers of one partner's sequence
        store._execute("SELECT name FROM partners WHERE name = ? FOR UPDATE", (partner_name,))
    # Two sub-selects, so that each maximum is read from its own index (one
    # statement with both aggregates makes SQLite scan the partner's rows).
    top, last_added = store._execute(
        "SELECT COALESCE((SELECT MAX(pseq) FROM releases WHERE partner = ?), 0), "
        "COALESCE((SELECT MAX(date_added) FROM releases WHERE partner = ?), 0)",
        (partner_name, partner_name),
    ).fetchone()
    date_added = max(now_us, int(last_added) + 1000)
    if not rows:
        return int(top) + 1, int(top), date_added
    ids = sorted({r.id for r in rows})
    newest: dict[str, str] = {}
    for r in rows:
        if r.modified > newest.get(r.id, ""):
            newest[r.id] = r.modified
    existing = _versions_of(store, partner_name, ids)
    stored_latest = {i: m for (i, m), is_latest in existing.items() if is_latest}
    replaced = [(partner_name, r.id, r.modified) for r in rows if (r.id, r.modified) in existing]
    if replaced:
        store._executemany(
            "DELETE FROM releases WHERE partner = ? AND id = ? AND modified = ?", replaced
        )
    demote = [
        (partner_name, i, stored_latest[i])
        for i, m in newest.items()
        if i in stored_latest and stored_latest[i] < m
    ]
    if demote:
        store._executemany(
            "UPDATE releases SET latest = 0 WHERE partner = ? AND id = ? AND modified = ?", demote
        )
    values = []
    pseq = int(top)
    for r in rows:
        pseq += 1
        is_latest = int(newest[r.id] == r.modified and stored_latest.get(r.id, "") <= r.modified)
        values.append(
            (partner_name, pseq, r.id, r.modified, r.type, date_added, is_latest,
             int(r.revoked), r.rule, r.body)
        )  # fmt: skip
    store._executemany(
        "INSERT INTO releases (partner, pseq, id, modified, type, date_added, latest, revoked, "
        "rule, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    return int(top) + 1, pseq, date_added


def withdraw_releases(store: SqlStore, partner_name: str, ids: Sequence[str]) -> int:
    """Remove every row of the given ids from a partner's table; returns the count."""
    removed = 0
    for start in range(0, len(ids), _CHUNK):
        frag, param = store._in_list("id", list(ids[start : start + _CHUNK]))
        cur = store._execute(
            f"DELETE FROM releases WHERE partner = ? AND {frag}", (partner_name, param)
        )
        removed += max(int(cur.rowcount), 0)
    return removed


def select_releases(store: SqlStore, partner_name: str, sel: Selection) -> list[ReleaseRow]:
    """Rows of one partner's table matching ``sel``, in ``pseq`` order (at most ``limit``)."""
    where = ["partner = ?", "pseq > ?"]
    params: list[Any] = [partner_name, sel.after_pseq]
    if sel.added_after_us is not None:
        first = store._execute(
            "SELECT MIN(pseq) FROM releases WHERE partner = ? AND date_added > ?",
            (partner_name, sel.added_after_us),
        ).fetchone()[0]
        if first is None:
            return []
        params[1] = max(sel.after_pseq, int(first) - 1)
    for column, values in (("id", sel.ids), ("type", sel.types)):
        if values:
            frag, param = store._in_list(column, list(values))
            where.append(frag)
            params.append(param)
    version_terms: list[str] = []
    if "all" not in sel.versions:
        if "last" in sel.versions:
            version_terms.append("latest = 1")
        if "first" in sel.versions:
            version_terms.append(
                "modified = (SELECT MIN(r2.modified) FROM releases r2 "
                "WHERE r2.partner = releases.partner AND r2.id = releases.id)"
            )
        if sel.modified:
            frag, param = store._in_list("modified", list(sel.modified))
            version_terms.append(frag)
            params.append(param)
        where.append("(" + " OR ".join(version_terms or ["1 = 0"]) + ")")
    sql = (
        f"SELECT {_RELEASE_COLUMNS} FROM releases WHERE {' AND '.join(where)} "
        f"ORDER BY pseq LIMIT {int(sel.limit)}"
    )
    return [_release(r) for r in store._execute(sql, params)]


def _versions_of(
    store: SqlStore, partner_name: str, ids: Sequence[str]
) -> dict[tuple[str, str], bool]:
    """``(id, modified) -> latest`` of the partner's rows for the given ids."""
    out: dict[tuple[str, str], bool] = {}
    for start in range(0, len(ids), _CHUNK):
        frag, param = store._in_list("id", list(ids[start : start + _CHUNK]))
        cur = store._execute(
            f"SELECT id, modified, latest FROM releases WHERE partner = ? AND {frag}",
            (partner_name, param),
        )
        out.update({(str(i), str(m)): bool(latest) for i, m, latest in cur})
    return out


def released_ids(store: SqlStore, partner_name: str, ids: Sequence[str]) -> dict[str, str]:
    """For the given ids, the latest modified released to the partner (if any)."""
    return {i: m for (i, m), latest in _versions_of(store, partner_name, ids).items() if latest}


def latest_bodies(store: SqlStore, partner_name: str, ids: Sequence[str]) -> dict[str, bytes]:
    """For the given ids, the body of the latest row released to the partner (if any)."""
    out: dict[str, bytes] = {}
    for start in range(0, len(ids), _CHUNK):
        frag, param = store._in_list("id", list(ids[start : start + _CHUNK]))
        cur = store._execute(
            f"SELECT id, body, latest FROM releases WHERE partner = ? AND {frag}",
            (partner_name, param),
        )
        out.update({str(i): _bytes(b) for i, b, latest in cur if latest})
    return out


def served_ids(store: SqlStore, partner_name: str) -> set[str]:
    """Every id with a row in the partner's table."""
    cur = store._execute("SELECT DISTINCT id FROM releases WHERE partner = ?", (partner_name,))
    return {str(r[0]) for r in cur}


def latest_release(store: SqlStore, partner_name: str, record_id: str) -> ReleaseRow | None:
    row = store._execute(
        f"SELECT {_RELEASE_COLUMNS} FROM releases WHERE partner = ? AND id = ? AND latest = 1",
        (partner_name, record_id),
    ).fetchone()
    return None if row is None else _release(row)


def has_releases(store: SqlStore, partner_name: str) -> bool:
    row = store._execute("SELECT 1 FROM releases WHERE partner = ? LIMIT 1", (partner_name,))
    return row.fetchone() is not None


def release_count(store: SqlStore, partner_name: str) -> int:
    row = store._execute(
        "SELECT COUNT(*) FROM releases WHERE partner = ?", (partner_name,)
    ).fetchone()
    return int(row[0])


def _release(r: Sequence[Any]) -> ReleaseRow:
    return ReleaseRow(int(r[0]), r[1], r[2], r[3], int(r[4]), bool(r[5]), bool(r[6]), _bytes(r[7]))


# -- delayed releases ---------------------------------------------------------------
def put_pending(store: SqlStore, partner_name: str, rows: Iterable[tuple[str, str, int]]) -> None:
    """Remember ``(id, modified, release_at_ms)`` rows due later (replacing older ones)."""
    values = [(partner_name, i, m, at) for i, m, at in rows]
    if not values:
        return
    store._executemany(
        "DELETE FROM release_pending WHERE partner = ? AND id = ?", [v[:2] for v in values]
    )
    store._executemany(
        "INSERT INTO release_pending (partner, id, modified, release_at) VALUES (?, ?, ?, ?)",
        values,
    )


def due_pending(store: SqlStore, now_ms: int, limit: int = _CHUNK) -> list[tuple[str, str, str]]:
    """``(partner, id, modified)`` of delayed releases due by ``now_ms``."""
    rows = store._execute(
        "SELECT partner, id, modified FROM release_pending WHERE release_at <= ? "
        f"ORDER BY release_at, partner, id LIMIT {int(limit)}",
        (now_ms,),
    ).fetchall()
    return [(str(p), str(i), str(m)) for p, i, m in rows]


def drop_pending(store: SqlStore, keys: Sequence[tuple[str, str]]) -> None:
    """Forget the delayed releases of the given ``(partner, id)`` pairs."""
    if keys:
        store._executemany("DELETE FROM release_pending WHERE partner = ? AND id = ?", keys)


def clear_pending(store: SqlStore) -> None:
    store._execute("DELETE FROM release_pending")


def pending_count(store: SqlStore) -> int:
    return int(store._execute("SELECT COUNT(*) FROM release_pending").fetchone()[0])


# -- sync cursors and receipts ------------------------------------------------------
def cursor(store: SqlStore, partner_name: str) -> Cursor | None:
    row = store._execute(
        "SELECT next_token, added_after, objects FROM sync_cursors WHERE partner = ?",
        (partner_name,),
    ).fetchone()
    return None if row is None else Cursor(row[0], row[1], int(row[2]))


def set_cursor(store: SqlStore, partner_name: str, c: Cursor, now: str) -> None:
    """Persist a sync cursor (call in the transaction that stores the page)."""
    store._execute("DELETE FROM sync_cursors WHERE partner = ?", (partner_name,))
    store._execute(
        "INSERT INTO sync_cursors (partner, next_token, added_after, objects, updated) "
        "VALUES (?, ?, ?, ?, ?)",
        (partner_name, c.next_token, c.added_after, c.objects, now),
    )


def add_receipts(store: SqlStore, receipts: Sequence[Receipt]) -> None:
    """Record provenance of received versions (existing ones are kept)."""
    if not receipts:
        return
    conflict = " ON CONFLICT DO NOTHING"
    store._executemany(
        "INSERT INTO receipts (id, modified, partner, verified, signature, received) "
        f"VALUES (?, ?, ?, ?, ?, ?){conflict}",
        [(r.id, r.modified, r.partner, int(r.verified), r.signature, r.received)
         for r in receipts],
    )  # fmt: skip


def receipts_of(store: SqlStore, record_id: str) -> list[Receipt]:
    rows = store._execute(
        "SELECT id, modified, partner, verified, signature, received FROM receipts "
        "WHERE id = ? ORDER BY modified, partner",
        (record_id,),
    ).fetchall()
    return [Receipt(r[0], r[1], r[2], bool(r[3]), r[4], r[5]) for r in rows]
