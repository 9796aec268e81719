"""parse_record is fast enough for ingest (> 5,000 records/s end to end on slow machines)."""

from __future__ import annotations

import time

from liaison.records import index_of, parse_record, to_stix
from liaison.records.examples import example_objects

from .conftest import PARTY_ID


def test_parse_rate() -> None:
    objs = example_objects(PARTY_ID) * 500  # 6,000 objects, every kind
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for obj in objs:
            index_of(parse_record(obj))
        best = min(best, time.perf_counter() - start)
    rate = len(objs) / best
    # Typically 50,000-90,000/s here; the floor leaves room for loaded CI machines.
    assert rate > 10_000, f"parse_record + index_of: {rate:.0f} objects/s"
    record = parse_record(objs[4])
    assert to_stix(record) == objs[4]
