"""What the SQL backends promise beyond the `Store` protocol: the schema version
they migrate to and query plans served by an index. These tests reach behind the
protocol on purpose (planner settings, the migration constant)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from liaison.store import Near, Query, open_store
from liaison.store._migrations import SCHEMA_VERSION
from liaison.store._sql import SqlStore

from .helpers import put, version


@pytest.fixture
def sql_store(store_url_factory: Callable[[], str]) -> Iterator[SqlStore]:
    s = open_store(store_url_factory())
    assert isinstance(s, SqlStore)
    try:
        yield s
    finally:
        s.close()


def test_stores_migrate_to_the_current_schema(sql_store: SqlStore) -> None:
    assert sql_store.get_meta("schema_version") == str(SCHEMA_VERSION)


@pytest.mark.parametrize(
    "q",
    [
        Query(kinds=("strike-report",), since_ms=1_000, until_ms=2_000),
        Query(group="threat-actor--a", since_ms=1_000, until_ms=2_000),
        Query(near=Near(36.0, 39.0, 25), since_ms=1_000, until_ms=2_000),
        Query(near=Near(36.0, 39.0, 250)),
    ],
    ids=["kind+time", "group+time", "area+time", "wide-area"],
)
def test_selective_queries_use_an_index(sql_store: SqlStore, q: Query) -> None:
    store = sql_store
    put(store, [version(lat=36.0 + i / 1000, lon=39.0, group="threat-actor--a") for i in range(50)])
    if store.dialect == "postgres":
        store._execute("SET enable_seqscan = off")  # tiny tables: ask whether an index *can* serve
        store._execute("ANALYZE records")
    plan = store.explain(q)
    assert "records_" in plan, plan
    assert "SCAN records\n" not in plan + "\n" and "Seq Scan" not in plan, plan
