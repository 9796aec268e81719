"""One conformance suite, run against every store backend through the `Store`
protocol only (the ``store`` fixture and `through_protocol` hide everything else)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.store import (
    AuditRow,
    Near,
    Query,
    Store,
    StoreError,
    StoreUnreachable,
    VersionConflict,
    distance_km,
    open_store,
)

from .helpers import SEAL, put, through_protocol, version


def ids(store: Store, q: Query) -> list[str]:
    return [v.index.id for v in store.query(q)]


def test_reopening_keeps_schema_and_records(
    store_url_factory: Callable[[], str], open_url: Callable[[str], Store]
) -> None:
    url = store_url_factory()
    first = open_url(url)
    put(first, [version()])
    schema = first.get_meta("schema_version")
    first.close()
    again = open_url(url)
    assert schema is not None and int(schema) >= 1
    assert again.get_meta("schema_version") == schema
    assert again.counts() == {"strike-report": 1}


def test_version_round_trip_keeps_bytes_and_seal(store: Store) -> None:
    v = version(group="threat-actor--g", party="identity--p", lat=36.2, lon=37.1)
    batch = put(store, [v])
    got = store.get(v.index.id)
    assert got is not None
    assert got.body == v.body and got.digest == v.digest and got.index == v.index
    assert got.batch_id == batch and got.latest
    assert store.seal(batch) == SEAL


def test_newer_version_becomes_latest_older_stays(store: Store) -> None:
    rid = "liaison-strike-report--00000000-0000-4000-8000-000000000001"
    put(store, [version(rid=rid, modified="2016-01-02T00:00:00.000Z", note="v2")])
    put(store, [version(rid=rid, modified="2016-01-01T00:00:00.000Z", note="v1")])
    put(store, [version(rid=rid, modified="2016-01-03T00:00:00.000Z", note="v3", revoked=True)])
    latest = store.get(rid)
    assert latest is not None and latest.index.modified.startswith("2016-01-03")
    assert latest.index.revoked
    assert [v.index.modified[:10] for v in store.versions(rid)] == [
        "2016-01-01",
        "2016-01-02",
        "2016-01-03",
    ]
    assert [v.latest for v in store.versions(rid)] == [False, False, True]
    assert ids(store, Query(include_revoked=False)) == []
    assert len(ids(store, Query(latest_only=False))) == 3


def test_same_version_other_body_is_refused_and_transaction_rolled_back(store: Store) -> None:
    rid = "liaison-strike-report--00000000-0000-4000-8000-000000000002"
    put(store, [version(rid=rid, note="original")])
    innocent = version()
    with pytest.raises(VersionConflict, match=rid):
        put(store, [innocent, version(rid=rid, note="tampered")])
    assert store.get(innocent.index.id) is None
    got = store.get(rid)
    assert got is not None and b"original" in got.body


def test_query_by_kind_group_party_and_time(store: Store) -> None:
    a = version(kind="event", group="threat-actor--a", start=100, end=200)
    b = version(kind="strike-report", group="threat-actor--a", party="identity--x", start=300)
    c = version(kind="strike-report", group="threat-actor--b", start=5_000, end=9_000)
    d = version(kind="group", start=None, end=None)
    put(store, [a, b, c, d])
    assert ids(store, Query(kinds=("strike-report",))) == [b.index.id, c.index.id]
    assert ids(store, Query(group="threat-actor--a")) == [a.index.id, b.index.id]
    assert ids(store, Query(party="identity--x")) == [b.index.id]
    assert ids(store, Query(since_ms=150, until_ms=250)) == [a.index.id]
    # window overlap: c spans 5,000..9,000 and a query inside it still finds it
    assert ids(store, Query(since_ms=6_000, until_ms=7_000)) == [c.index.id]
    assert ids(store, Query(exclude_kinds=("strike-report", "event"))) == [d.index.id]


def test_query_near_and_cells(store: Store) -> None:
    raqqa = version(lat=35.95, lon=39.01)
    near_raqqa = version(lat=36.05, lon=39.05)  # ~12 km away
    mosul = version(lat=36.34, lon=43.13)
    nowhere = version()
    put(store, [raqqa, near_raqqa, mosul, nowhere])
    assert ids(store, Query(near=Near(35.95, 39.01, 5))) == [raqqa.index.id]
    assert ids(store, Query(near=Near(35.95, 39.01, 20))) == [raqqa.index.id, near_raqqa.index.id]
    assert ids(store, Query(near=Near(35.95, 39.01, 500))) == [
        raqqa.index.id,
        near_raqqa.index.id,
        mosul.index.id,
    ]
    import h3

    cell = h3.latlng_to_cell(36.34, 43.13, 5)
    assert ids(store, Query(cells=(cell,))) == [mosul.index.id]


def test_paging_with_after_rid_and_limit(store: Store) -> None:
    vs = [version() for _ in range(25)]
    put(store, vs)
    seen: list[str] = []
    after = 0
    while True:
        page = list(store.query(Query(after_rid=after, limit=10)))
        if not page:
            break
        seen += [v.index.id for v in page]
        after = page[-1].rid
    assert seen == [v.index.id for v in vs]


def test_audit_rows_append_and_stream(store: Store) -> None:
    rows = [AuditRow(i, "t", "ingest", f"s{i}", "{}", f"p{i}", f"h{i}") for i in range(1, 2502)]
    with store.transaction() as tx:
        tx.append_audit(rows)
    got = list(store.audit_rows(batch=1000))
    assert [r.seq for r in got] == list(range(1, 2502))
    last = store.last_audit_row()
    assert last is not None and last.hash == "h2501"
    with pytest.raises(StoreError), store.transaction() as tx:
        tx.append_audit([AuditRow(5, "t", "x", "y", "{}", "p", "h")])  # duplicate seq


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    v = version()
    with pytest.raises(RuntimeError), store.transaction() as tx:
        batch = tx.add_seal(SEAL)
        tx.add_versions(batch, [v])
        tx.append_audit([AuditRow(1, "t", "ingest", "x", "{}", "p", "h")])
        raise RuntimeError("crash mid-ingest")
    assert store.get(v.index.id) is None
    assert list(store.audit_rows()) == []


def test_unreachable_urls_give_clear_errors(tmp_path: object) -> None:
    with pytest.raises(StoreUnreachable, match="unsupported store URL 'mysql'"):
        open_store("mysql://x/y")
    with pytest.raises(StoreUnreachable, match=r"folder .* missing"):
        open_store("sqlite:////nonexistent-dir/x/store.db")
    with pytest.raises(StoreUnreachable, match="cannot reach store"):
        open_store("postgresql://postgres:secret@127.0.0.1:1/test")
    with pytest.raises(StoreUnreachable) as info:
        open_store("postgresql://postgres:secret@127.0.0.1:1/test")
    assert "secret" not in str(info.value)


# -- property: every indexed query equals a brute-force filter ---------------------

points = st.tuples(st.floats(34.0, 37.5), st.floats(36.0, 42.5))
records = st.lists(
    st.tuples(
        st.sampled_from(["event", "strike-report", "presence"]),
        st.sampled_from(["threat-actor--a", "threat-actor--b", None]),
        st.integers(0, 10_000),
        st.integers(0, 3_000),
        st.one_of(st.none(), points),
    ),
    min_size=1,
    max_size=40,
)
queries = st.tuples(
    st.one_of(st.none(), st.sampled_from(["event", "strike-report"])),
    st.one_of(st.none(), st.sampled_from(["threat-actor--a", "threat-actor--b"])),
    st.one_of(st.none(), st.tuples(st.integers(0, 13_000), st.integers(0, 4_000))),
    st.one_of(st.none(), st.tuples(points, st.floats(1.0, 300.0))),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(recs=records, qs=st.lists(queries, min_size=1, max_size=5))
def test_queries_equal_brute_force(
    store_url_factory: Callable[[], str],
    recs: list[tuple[str, str | None, int, int, tuple[float, float] | None]],
    qs: list[tuple[object, ...]],
) -> None:
    store = through_protocol(open_store(store_url_factory()))
    try:
        vs = [
            version(
                kind=k,
                group=g,
                start=s,
                end=s + d,
                lat=p[0] if p else None,
                lon=p[1] if p else None,
            )
            for k, g, s, d, p in recs
        ]
        put(store, vs)
        for kind, group, window, near in qs:
            q = Query(
                kinds=(kind,) if kind else (),
                group=group,  # type: ignore[arg-type]
                since_ms=window[0] if window else None,  # type: ignore[index]
                until_ms=window[0] + window[1] if window else None,  # type: ignore[index]
                near=Near(near[0][0], near[0][1], near[1]) if near else None,  # type: ignore[index]
            )
            expected = [
                v.index.id
                for v in vs
                if (not q.kinds or v.index.kind in q.kinds)
                and (q.group is None or v.index.group_ref == q.group)
                and (
                    q.since_ms is None
                    or (
                        v.index.time_start_ms <= q.until_ms  # type: ignore[operator]
                        and v.index.time_end_ms >= q.since_ms  # type: ignore[operator]
                    )
                )
                and (
                    q.near is None
                    or (
                        v.index.latitude is not None
                        and distance_km(
                            q.near.latitude,
                            q.near.longitude,
                            v.index.latitude,
                            v.index.longitude,  # type: ignore[arg-type]
                        )
                        <= q.near.radius_km
                    )
                )
            ]
            assert ids(store, q) == expected
    finally:
        store.close()


def test_distance_is_haversine() -> None:
    assert math.isclose(distance_km(0, 0, 0, 1), 111.195, rel_tol=1e-3)
