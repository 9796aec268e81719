"""Reading the audit table by time and action (what `liaison audit log` shows).

Plain functions over a `SqlStore`, like ``store.exchange``. Appending and
reading in ``seq`` order are `Writer.append_audit` and `SqlStore.audit_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator

from liaison.store._sql import AuditRow, SqlStore

_COLUMNS = "seq, at, action, subject, detail, prev, hash"


def by_time(
    store: SqlStore, action: str | None, since: str | None, page: int = 1000
) -> Iterator[AuditRow]:
    """Entries (of one ``action``, or all) with ``at >= since``, ordered by ``(at, seq)``,
    read in pages by keyset: each page is one range scan of ``audit_at`` or
    ``audit_action_at``."""
    sql, params = _page_sql(action, since, None, page)
    while True:
        rows = store._execute(sql, params).fetchall()
        for r in rows:
            yield AuditRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6])
        if len(rows) < page:
            return
        sql, params = _page_sql(action, since, (rows[-1][1], int(rows[-1][0])), page)


def explain_by_time(store: SqlStore, action: str | None, since: str | None) -> str:
    """The query plan of one page (to check that an index serves it)."""
    sql, params = _page_sql(action, since, ("2016-01-01T00:00:00.000Z", 1), 1000)
    prefix = "EXPLAIN QUERY PLAN " if store.dialect == "sqlite" else "EXPLAIN "
    rows = store._execute(prefix + sql, params).fetchall()
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def _page_sql(
    action: str | None, since: str | None, after: tuple[str, int] | None, page: int
) -> tuple[str, list[object]]:
    where: list[str] = []
    params: list[object] = []
    if action is not None:
        where.append("action = ?")
        params.append(action)
    if after is not None:  # keyset: past the last (at, seq) read; at >= keeps the range scan
        where.append("at >= ? AND (at > ? OR seq > ?)")
        params.extend([after[0], after[0], after[1]])
    elif since is not None:
        where.append("at >= ?")
        params.append(since)
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {_COLUMNS} FROM audit{clause} ORDER BY at, seq LIMIT {int(page)}", params
