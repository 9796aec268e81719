"""Builders of store inputs for the store conformance suite."""

from __future__ import annotations

import hashlib
import uuid

import orjson

from liaison.records import RecordIndex
from liaison.store import NewVersion, Seal, Store

SEAL = Seal(root=b"\x00" * 32, signature=b"\x01" * 64, key_id="k" * 16, alg="test")


def version(
    *,
    rid: str | None = None,
    modified: str = "2016-01-01T00:00:00.000Z",
    kind: str = "strike-report",
    start: int | None = 1_000,
    end: int | None = 2_000,
    group: str | None = None,
    party: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    revoked: bool = False,
    note: str = "",
) -> NewVersion:
    record_id = rid or f"liaison-strike-report--{uuid.uuid4()}"
    body = orjson.dumps(
        {"id": record_id, "modified": modified, "note": note}, option=orjson.OPT_SORT_KEYS
    )
    index = RecordIndex(
        id=record_id,
        modified=modified,
        kind=kind,
        time_start_ms=start,
        time_end_ms=end,
        group_ref=group,
        party_ref=party,
        latitude=lat,
        longitude=lon,
        precision_m=None if lat is None else 100.0,
        revoked=revoked,
    )
    return NewVersion(index, body, hashlib.sha256(body).digest(), 0, b"")


def put(store: Store, versions: list[NewVersion]) -> int:
    with store.transaction() as tx:
        batch = tx.add_seal(SEAL)
        tx.add_versions(batch, versions)
    return batch
