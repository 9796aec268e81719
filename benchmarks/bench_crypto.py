"""Micro-benchmark of liaison.crypto: canonical JSON, hashing, batch seals, verification.

Run: ``python -m benchmarks.bench_crypto [--objects N] [--leaves N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
import rfc8785

from liaison.crypto import (
    NodeKey,
    RootCache,
    canonical_json,
    seal_batch,
    sign_objects,
    verify_attached,
    verify_digest,
)


def _strike_report(i: int) -> dict[str, Any]:
    """A realistic ~1 KB STIX strike report."""
    return {
        "type": "x-liaison-strike-report",
        "spec_version": "2.1",
        "id": f"x-liaison-strike-report--6f1c3a52-{i % 65536:04x}-4d1e-9b0a-{i:012x}",
        "created": "2015-12-01T08:30:00.000Z",
        "modified": "2015-12-02T10:15:30.250Z",
        "created_by_ref": "identity--0c5f6c1e-7a7d-4b8e-a2a4-6f1f2d2b8a10",
        "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"],
        "means": "air",
        "time_start": "2015-11-30T22:00:00Z",
        "time_end": "2015-12-01T04:00:00Z",
        "location_ref": f"location--2a0b1c9d-{i % 65536:04x}-4e5f-8a9b-{i:012x}",
        "latitude": 35.9528 + (i % 1000) * 1e-4,
        "longitude": 39.0097 - (i % 1000) * 1e-4,
        "precision": 250.5,
        "target_category": "oil-infrastructure",
        "target_group_ref": "threat-actor--8e2e2d2b-5c4a-4f43-9b7d-3c1f8e0a9d61",
        "strikes": 4 + i % 7,
        "munitions": 12,
        "claimed_effect": "destroyed",
        "assessment_phase": "physical",
        "description": "Night strike on a crude oil collection point south-east of Raqqa; "
        "secondary explosions observed. Tanker trucks in the vicinity: 23 (est.).",
        "source_grading": {"reliability": "B", "credibility": 2},
        "labels": ["strike", "oil", "logistics"],
        "external_references": [{"source_name": "mod-release", "external_id": f"MR-{i:07d}"}],
    }


def _rate(label: str, count: int, fn: Callable[[], object], unit: str = "objects") -> float:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    rate = count / elapsed if elapsed else float("inf")
    print(f"{label:<52} {rate:>12,.0f} {unit}/s   ({elapsed:.3f} s for {count:,})")
    return rate


def main(argv: list[str] | None = None) -> None:
    """Print throughput figures for the crypto hot paths."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=20_000, help="objects per measurement")
    parser.add_argument("--leaves", type=int, default=100_000, help="leaves to seal")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.objects, args.leaves = 2_000, 10_000
    n = args.objects
    objs = [_strike_report(i) for i in range(n)]
    size = sum(len(canonical_json(o)) for o in objs[:100]) / 100
    print(f"object size (canonical): {size:.0f} bytes; {n:,} objects")

    _rate("canonical_json (orjson fast path)", n, lambda: [canonical_json(o) for o in objs])
    few = objs[: max(1, n // 10)]
    _rate("rfc8785.dumps (reference)", len(few), lambda: [rfc8785.dumps(o) for o in few])
    sort = orjson.OPT_SORT_KEYS
    _rate("orjson.dumps sorted (floor)", n, lambda: [orjson.dumps(o, option=sort) for o in objs])
    blobs = [canonical_json(o) for o in objs]
    _rate("sha256 of canonical bytes", n, lambda: [hashlib.sha256(b).digest() for b in blobs])

    key = NodeKey.generate()
    digests = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(args.leaves)]
    for batch in (1_000, 10_000):

        def seal_all(batch: int = batch) -> None:
            for start in range(0, len(digests), batch):
                seal_batch(key, digests[start : start + batch])

        _rate(f"seal_batch, batches of {batch:,} (per leaf)", len(digests), seal_all, "leaves")

    seal = seal_batch(key, digests[:5_000])
    cache = RootCache()
    pub = key.public_key

    def verify_all() -> None:
        for i, d in enumerate(digests[:5_000]):
            if not verify_digest(d, seal.proofs[i], seal.root, seal.signature, pub, i, cache=cache):
                raise AssertionError("verification failed")

    _rate("verify_digest with root cache (batch 5,000)", 5_000, verify_all)

    signed: list[dict[str, Any]] = []

    def sign_all() -> None:
        for start in range(0, n, 5_000):
            signed.extend(sign_objects(key, objs[start : start + 5_000]))

    _rate("sign_objects (release: canonical+seal+attach)", n, sign_all)
    wire = [orjson.loads(orjson.dumps(o)) for o in signed]
    cache = RootCache()

    def receive_all() -> None:
        for o in wire:
            verify_attached(o, pub, cache=cache)

    _rate("verify_attached with root cache (signed ingest)", n, receive_all)


if __name__ == "__main__":
    main()
