"""Indexed queries over 1,000,000 stored records: area + time window (the issue's
figure), and kind + time, group + time, for comparison. Medians over many queries."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np

from benchmarks._data import GROUPS, T0_MS, strike_and_presence, write_bundle
from liaison.store import Near, Query, open_store

CACHE = Path("bench-out")
DAY = 86_400_000


def build_store(n: int) -> Path:
    """A node store with ``n`` records ingested through the real pipeline (cached)."""
    node_dir = CACHE / f"query-{n}"
    db = node_dir / "store.db"
    if db.exists():
        return db
    CACHE.mkdir(exist_ok=True)
    bundle = CACHE / f"query-{n}.json"
    write_bundle(bundle, strike_and_presence(n, f"identity--{uuid.uuid4()}", seed=23))
    code = (
        "import sys; from pathlib import Path; from liaison.node import init_node; "
        "from liaison.ingest import ingest_file; "
        "node = init_node(Path(sys.argv[2]), 'bench'); "
        "r = ingest_file(node, Path(sys.argv[1])); assert r.refused == 0, r.errors[:3]"
    )
    subprocess.run([sys.executable, "-c", code, str(bundle), str(node_dir)], check=True)
    bundle.unlink()
    return db


def timed(store: object, queries: list[Query]) -> tuple[float, float]:
    """Median milliseconds per query (results fully read), and mean rows returned."""
    times, rows = [], []
    for q in queries:
        start = time.perf_counter()
        got = list(store.query(q))  # type: ignore[attr-defined]
        times.append((time.perf_counter() - start) * 1000)
        rows.append(len(got))
    return statistics.median(times), statistics.fmean(rows)


def main(argv: list[str]) -> None:
    n = 100_000 if "--quick" in argv else 1_000_000
    db = build_store(n)
    store = open_store(f"sqlite:///{db.resolve()}", create=False)
    rng = np.random.default_rng(5)
    k = 200
    lat, lon = rng.uniform(33.0, 36.5, k), rng.uniform(36.5, 41.5, k)
    start = T0_MS + rng.integers(0, 2 * 365 * DAY - 7 * DAY, k)
    area_time = [
        Query(near=Near(float(a), float(o), 25.0), since_ms=int(s), until_ms=int(s) + 7 * DAY)
        for a, o, s in zip(lat, lon, start, strict=True)
    ]
    kind_time = [
        Query(kinds=("strike-report",), since_ms=int(s), until_ms=int(s) + DAY) for s in start
    ]
    group_time = [
        Query(group=GROUPS[i % len(GROUPS)], since_ms=int(s), until_ms=int(s) + DAY)
        for i, s in enumerate(start)
    ]
    total = sum(store.counts().values())
    print(f"   store: {total:,} records (SQLite)")
    for label, qs in (
        ("area (25 km) + 7-day window", area_time),
        ("kind + 1-day window", kind_time),
        ("group + 1-day window", group_time),
    ):
        timed(store, qs[:10])  # warm the page cache
        median, mean_rows = timed(store, qs)
        print(f"   {label:<30} median {median:6.2f} ms  ({mean_rows:,.0f} rows on average)")
    print("   target: area + time window <= 20 ms median at 1,000,000 records")
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
