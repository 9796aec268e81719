"""Signed ingest rates (SQLite, PostgreSQL), the parse+canonicalise+hash baseline,
and the peak memory of a 1,000,000-record ingest.

Every figure is measured in a child process, so peak memory is that run's own.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks._data import strike_and_presence, write_bundle


def _child(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints one JSON line of figures."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{out.stderr}")
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


BASELINE = """
import hashlib, json, resource, sys, time
from pathlib import Path
from liaison.crypto import canonical_json
from liaison.ingest import iter_stix
t = time.perf_counter(); n = 0
for item in iter_stix(Path(sys.argv[1])):
    hashlib.sha256(canonical_json(item.obj)).digest(); n += 1
dt = time.perf_counter() - t
print(json.dumps({"n": n, "rate": n / dt}))
"""

INGEST = """
import json, resource, sys, time
from pathlib import Path
from liaison.ingest import ingest_file
from liaison.node import init_node
node = init_node(Path(sys.argv[2]), "bench", store_url=sys.argv[3] if len(sys.argv) > 3 else None)
t = time.perf_counter()
report = ingest_file(node, Path(sys.argv[1]))
dt = time.perf_counter() - t
assert report.refused == 0, report.errors[:3]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": report.accepted, "rate": report.accepted / dt, "seconds": dt,
                  "peak_mib": peak}))
"""


def _postgres_url() -> str | None:
    import psycopg

    url = os.environ.get("LIAISON_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.Error:
        return None
    return url


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    n = 10_000 if quick else 100_000
    big = 50_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="liaison-bench-") as tmp:
        work = Path(tmp)
        party = f"identity--{uuid.uuid4()}"
        bundle = work / "bundle.json"
        write_bundle(bundle, strike_and_presence(n, party))
        base = _child(BASELINE, str(bundle))
        lite = _child(INGEST, str(bundle), str(work / "sqlite-node"))
        print(f"   {n:,} strike + presence records from a STIX bundle")
        print(f"   parse + canonicalise + hash alone: {base['rate']:>9,.0f} objects/s")
        print(f"   signed ingest into SQLite:         {lite['rate']:>9,.0f} records/s"
              f"   (target >= 5,000)")  # fmt: skip
        print(f"   ratio ingest / baseline:           {lite['rate'] / base['rate']:>9.2f}"
              f"   (goal >= 0.3)")  # fmt: skip
        pg = _postgres_url()
        if pg is None:
            print("   PostgreSQL: not reachable, skipped")
        else:
            schema = f"liaison_bench_{uuid.uuid4().hex[:8]}"
            try:
                pgr = _child(INGEST, str(bundle), str(work / "pg-node"), f"{pg}?schema={schema}")
                print(f"   signed ingest into PostgreSQL:     {pgr['rate']:>9,.0f} records/s"
                      f"   (target >= 3,000)")  # fmt: skip
            finally:
                import psycopg

                with psycopg.connect(pg, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        bundle.unlink()
        big_bundle = work / "big.json"
        write_bundle(big_bundle, strike_and_presence(big, party, seed=11))
        size_mib = big_bundle.stat().st_size / 2**20
        res = _child(INGEST, str(big_bundle), str(work / "big-node"))
        print(f"   {big:,}-record ingest ({size_mib:,.0f} MiB bundle) into SQLite: "
              f"{res['rate']:,.0f} records/s, {res['seconds']:.0f} s, "
              f"peak memory {res['peak_mib']:,.0f} MiB (target <= 1,024)")  # fmt: skip
        keep = os.environ.get("LIAISON_BENCH_KEEP")
        if keep:  # hand the 1M-record store to the query benchmark
            Path(keep).mkdir(parents=True, exist_ok=True)
            os.replace(work / "big-node" / "store.db", Path(keep) / "store.db")
    _ = (hashlib, resource, time)


if __name__ == "__main__":
    main(sys.argv[1:])
