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

from benchmarks._data import strike_and_presence
from liaison.crypto import (
    NodeKey,
    RootCache,
    canonical_json,
    seal_batch,
    sign_objects,
    verify_attached,
    verify_digest,
)


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
    # The records the node really handles: valid strike and presence reports.
    objs = list(strike_and_presence(n, "identity--0c5f6c1e-7a7d-4b8e-a2a4-6f1f2d2b8a10"))
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
