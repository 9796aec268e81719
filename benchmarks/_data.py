"""Generated records for the benchmarks (vectorised where it matters)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from liaison.records import EXT_PRESENCE, EXT_STRIKE_REPORT, format_timestamp

T0_MS = 1_420_070_400_000  # 2015-01-01
GROUPS = [f"threat-actor--{uuid.UUID(int=i + 1, version=4)}" for i in range(5)]


def strike_and_presence(n: int, party_id: str, seed: int = 7) -> Iterator[dict[str, Any]]:
    """``n`` objects, half strike reports and half presence reports, in a Syria-like box."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(32.5, 37.0, n).round(5)
    lon = rng.uniform(36.0, 42.0, n).round(5)
    start = T0_MS + rng.integers(0, 2 * 365 * 86_400_000, n)
    span = rng.integers(3_600_000, 7 * 86_400_000, n)
    group = rng.integers(0, len(GROUPS), n)
    ids = rng.integers(0, 2**62, (n, 2))
    for i in range(n):
        uid = uuid.UUID(int=(int(ids[i, 0]) << 64) | int(ids[i, 1]), version=4)
        t0, t1 = format_timestamp(int(start[i])), format_timestamp(int(start[i] + span[i]))
        common = {
            "spec_version": "2.1",
            "created": t0,
            "modified": t0,
            "created_by_ref": party_id,
        }
        if i % 2 == 0:
            yield {
                "type": "liaison-strike-report",
                "id": f"liaison-strike-report--{uid}",
                **common,
                "party_ref": party_id,
                "means": "air",
                "time_start": t0,
                "time_end": t1,
                "latitude": float(lat[i]),
                "longitude": float(lon[i]),
                "precision": 500,
                "target_category": "fighting-position",
                "target_group_ref": GROUPS[group[i]],
                "strikes": 1 + i % 4,
                "claimed_effect": "destroyed",
                "bda_phase": "physical",
                "reliability": "B",
                "credibility": 2,
                "extensions": {EXT_STRIKE_REPORT: {"extension_type": "new-sdo"}},
            }
        else:
            yield {
                "type": "sighting",
                "id": f"sighting--{uid}",
                **common,
                "sighting_of_ref": GROUPS[group[i]],
                "first_seen": t0,
                "last_seen": t1,
                "extensions": {
                    EXT_PRESENCE: {
                        "extension_type": "property-extension",
                        "presence_kind": "control",
                        "latitude": float(lat[i]),
                        "longitude": float(lon[i]),
                        "precision": 2000,
                        "reliability": "C",
                        "credibility": 3,
                    }
                },
            }


def write_bundle(path: Path, objects: Iterator[dict[str, Any]]) -> int:
    """Stream objects into a STIX bundle file; returns the count."""
    n = 0
    with path.open("wb") as fh:
        fh.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":[')
        for n, obj in enumerate(objects, start=1):
            if n > 1:
                fh.write(b",")
            fh.write(orjson.dumps(obj))
        fh.write(b"]}")
    return n
