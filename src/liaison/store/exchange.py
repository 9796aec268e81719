"""Store rows for exchange between nodes (schema migration 2).

Partners, per-partner release rows (the exact bytes a partner is served, numbered
by a per-partner sequence ``pseq``), delayed releases (per version), each partner's
release state (migration 4), sync cursors and receipts.
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
@dataclass(frozen=True, slots=True)
class ServedVersion:
    """What a partner's table holds for one version: enough to compare and re-render."""

    latest: bool
    revoked: bool
    rule: str
    body: bytes


@dataclass(frozen=True, slots=True)
class ReleaseChanges:
    """One batch of changes to a partner's table, decided against ``existing``.

    ``existing``: every row the table held for the ids of the batch, as read in the
    same transaction. ``add`` are new rows (new ``pseq``); ``replace`` rows of an
    existing ``(id, modified)`` re-rendered in place (same ``pseq``: nothing is
    served twice); ``withdraw`` the ``(id, modified)`` rows to remove.
    """

    existing: dict[tuple[str, str], ServedVersion]
    add: Sequence[NewRelease] = ()
    replace: Sequence[NewRelease] = ()
    withdraw: Sequence[tuple[str, str]] = ()


def served_versions(
    store: SqlStore, partner_name: str, ids: Sequence[str]
) -> dict[tuple[str, str], ServedVersion]:
    """Every row of the partner's table for the given ids (one query per chunk of ids)."""
    out: dict[tuple[str, str], ServedVersion] = {}
    uniq = sorted(set(ids))
    for start in range(0, len(uniq), _CHUNK):
        frag, param = store._in_list("id", uniq[start : start + _CHUNK])
        cur = store._execute(
            "SELECT id, modified, latest, revoked, rule, body FROM releases "
            f"WHERE partner = ? AND {frag}",
            (partner_name, param),
        )
        for i, m, latest, revoked, rule, body in cur:
            out[(str(i), str(m))] = ServedVersion(bool(latest), bool(revoked), str(rule),
                                                  _bytes(body))  # fmt: skip
    return out


def write_releases(
    store: SqlStore, partner_name: str, changes: ReleaseChanges, now_us: int
) -> tuple[int, int, int]:
    """Apply one batch of changes (call inside the transaction that read ``existing``).

    Added rows share one ``date_added``, strictly later than any earlier row's, so
    ``added_after`` of the last date seen never skips a later row. The ``latest``
    flag of every touched id is set from the versions its table holds afterwards.
    Returns ``(first pseq, last pseq, date_added_us)`` of the added rows.
    """
    if store.dialect == "postgres":  # serialise writers of one partner's sequence
        store._execute("SELECT name FROM partners WHERE name = ? FOR UPDATE", (partner_name,))
    existing = changes.existing
    if changes.withdraw:
        store._executemany(
            "DELETE FROM releases WHERE partner = ? AND id = ? AND modified = ?",
            [(partner_name, i, m) for i, m in changes.withdraw],
        )
    if changes.replace:
        store._executemany(
            "UPDATE releases SET type = ?, revoked = ?, rule = ?, body = ? "
            "WHERE partner = ? AND id = ? AND modified = ?",
            [(r.type, int(r.revoked), r.rule, r.body, partner_name, r.id, r.modified)
             for r in changes.replace],
        )  # fmt: skip
    gone = set(changes.withdraw)
    latest = _latest_after(changes)
    flips = [
        (int(latest[i] == m), partner_name, i, m)
        for (i, m), row in existing.items()
        if i in latest and (i, m) not in gone and row.latest != (latest[i] == m)
    ]
    if flips:
        store._executemany(
            "UPDATE releases SET latest = ? WHERE partner = ? AND id = ? AND modified = ?", flips
        )
    if not changes.add:
        return 0, -1, 0
    top, date_added = _next_position(store, partner_name, now_us)
    values = []
    pseq = top
    for r in changes.add:
        pseq += 1
        values.append(
            (partner_name, pseq, r.id, r.modified, r.type, date_added,
             int(latest.get(r.id) == r.modified), int(r.revoked), r.rule, r.body)
        )  # fmt: skip
    store._executemany(
        "INSERT INTO releases (partner, pseq, id, modified, type, date_added, latest, revoked, "
        "rule, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        values,
    )
    return top + 1, pseq, date_added


def _latest_after(changes: ReleaseChanges) -> dict[str, str]:
    """The newest ``modified`` each touched id holds once the changes are applied."""
    gone = set(changes.withdraw)
    touched = {i for i, _ in gone} | {r.id for r in changes.add}
    latest: dict[str, str] = {}
    for i, m in [*changes.existing, *((r.id, r.modified) for r in changes.add)]:
        if i in touched and (i, m) not in gone and m > latest.get(i, ""):
            latest[i] = m
    return latest


def _next_position(store: SqlStore, partner_name: str, now_us: int) -> tuple[int, int]:
    """The partner's highest ``pseq`` and the ``date_added`` of the next rows."""
    # Two sub-selects, so that each maximum is read from its own index (one
    # statement with both aggregates makes SQLite scan the partner's rows).
    top, last_added = store._execute(
        "SELECT COALESCE((SELECT MAX(pseq) FROM releases WHERE partner = ?), 0), "
        "COALESCE((SELECT MAX(date_added) FROM releases WHERE partner = ?), 0)",
        (partner_name, partner_name),
    ).fetchone()
    return int(top), max(now_us, int(last_added) + 1000)


def add_releases(
    store: SqlStore, partner_name: str, rows: Sequence[NewRelease], now_us: int
) -> tuple[int, int, int]:
    """Append rows to a partner's table (the low-level path; release decides through
    `write_releases`). A row of an ``(id, modified)`` the table holds is updated and
    moved to the end of the sequence, never inserted twice. Call inside a transaction.
    """
    existing = served_versions(store, partner_name, [r.id for r in rows])
    again = {(r.id, r.modified) for r in rows if (r.id, r.modified) in existing}
    if again:  # moved: the old row goes in the same transaction, never served twice
        write_releases(store, partner_name, ReleaseChanges(existing, withdraw=list(again)), now_us)
        existing = {k: v for k, v in existing.items() if k not in again}
    return write_releases(store, partner_name, ReleaseChanges(existing, add=rows), now_us)


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


def latest_release(store: SqlStore, partner_name: str, record_id: str) -> ReleaseRow | None:
    row = store._execute(
        f"SELECT {_RELEASE_COLUMNS} FROM releases WHERE partner = ? AND id = ? AND latest = 1",
        (partner_name, record_id),
    ).fetchone()
    return None if row is None else _release(row)


def release_row(
    store: SqlStore, partner_name: str, record_id: str, modified: str
) -> ReleaseRow | None:
    """The partner's row for one version, if its table holds it."""
    row = store._execute(
        f"SELECT {_RELEASE_COLUMNS} FROM releases WHERE partner = ? AND id = ? AND modified = ?",
        (partner_name, record_id, modified),
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
def pending_of(
    store: SqlStore, partner_name: str, ids: Sequence[str]
) -> dict[tuple[str, str], int]:
    """``(id, modified) -> release_at_ms`` of the partner's delayed versions of the ids."""
    out: dict[tuple[str, str], int] = {}
    uniq = sorted(set(ids))
    for start in range(0, len(uniq), _CHUNK):
        frag, param = store._in_list("id", uniq[start : start + _CHUNK])
        cur = store._execute(
            f"SELECT id, modified, release_at FROM release_pending WHERE partner = ? AND {frag}",
            (partner_name, param),
        )
        out.update({(str(i), str(m)): int(at) for i, m, at in cur})
    return out


def put_pending(store: SqlStore, partner_name: str, rows: Iterable[tuple[str, str, int]]) -> None:
    """Remember ``(id, modified, release_at_ms)`` versions due later (callers first drop
    the ones they replace)."""
    values = [(partner_name, i, m, at) for i, m, at in rows]
    if values:
        store._executemany(
            "INSERT INTO release_pending (partner, id, modified, release_at) VALUES (?, ?, ?, ?)",
            values,
        )


def due_pending(store: SqlStore, now_ms: int, limit: int = _CHUNK) -> list[tuple[str, str, str]]:
    """``(partner, id, modified)`` of delayed releases due by ``now_ms``."""
    rows = store._execute(
        "SELECT partner, id, modified FROM release_pending WHERE release_at <= ? "
        f"ORDER BY release_at, partner, id, modified LIMIT {int(limit)}",
        (now_ms,),
    ).fetchall()
    return [(str(p), str(i), str(m)) for p, i, m in rows]


def drop_pending(store: SqlStore, partner_name: str, keys: Sequence[tuple[str, str]]) -> None:
    """Forget the partner's delayed releases of the given ``(id, modified)`` versions."""
    if keys:
        store._executemany(
            "DELETE FROM release_pending WHERE partner = ? AND id = ? AND modified = ?",
            [(partner_name, i, m) for i, m in keys],
        )


def forget_partners(store: SqlStore, keep: Sequence[str]) -> None:
    """Drop the delayed releases and release state of partners not in ``keep``."""
    for table in ("release_pending", "release_state"):
        if keep:
            frag, param = store._in_list("partner", list(keep))
            store._execute(f"DELETE FROM {table} WHERE NOT ({frag})", (param,))
        else:
            store._execute(f"DELETE FROM {table}")


def pending_count(store: SqlStore) -> int:
    return int(store._execute("SELECT COUNT(*) FROM release_pending").fetchone()[0])


# -- release state ------------------------------------------------------------------
def fingerprints(store: SqlStore) -> dict[str, str]:
    """Each partner's policy-and-designation fingerprint its table was decided under."""
    cur = store._execute("SELECT partner, fingerprint FROM release_state")
    return {str(p): str(f) for p, f in cur}


def set_fingerprint(store: SqlStore, partner_name: str, fingerprint: str) -> None:
    """Record the fingerprint a partner's table is now decided under (in a transaction)."""
    store._execute("DELETE FROM release_state WHERE partner = ?", (partner_name,))
    store._execute(
        "INSERT INTO release_state (partner, fingerprint) VALUES (?, ?)",
        (partner_name, fingerprint),
    )


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
