"""Example records: one valid, realistic (entirely invented) STIX object of every kind.

Deterministic for a given party id, time and uuid factory; the demo and tests use them.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from ._extdefs import extension_entry
from ._ids import new_id
from ._time import format_timestamp

__all__ = ["EXAMPLE_TIME_MS", "TLP_GREEN", "example_objects", "seeded_uuids"]

#: Default creation time of the examples: 2016-01-15T12:00:00.000Z.
EXAMPLE_TIME_MS = 1_452_859_200_000
#: The STIX 2.1 TLP:GREEN marking definition.
TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
_HOUR_MS = 3_600_000
_DAY_MS = 24 * _HOUR_MS


def seeded_uuids(seed: str) -> Callable[[], uuid.UUID]:
    """A factory of deterministic, version-4-shaped UUIDs derived from ``seed``."""
    counter = 0

    def next_uuid() -> uuid.UUID:
        nonlocal counter
        counter += 1
        digest = hashlib.sha256(f"{seed}/{counter}".encode()).digest()
        return uuid.UUID(bytes=digest[:16], version=4)

    return next_uuid


def _common(stix_type: str, object_id: str, created: str, party_id: str) -> dict[str, Any]:
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": object_id,
        "created": created,
        "modified": created,
        "created_by_ref": party_id,
    }


def example_objects(
    party_id: str,
    *,
    now_ms: int = EXAMPLE_TIME_MS,
    uuid_factory: Callable[[], uuid.UUID] | None = None,
) -> list[dict[str, Any]]:
    """One example STIX dict per kind, in ``KINDS`` order, created by ``party_id`` at ``now_ms``.

    Ids come from ``uuid_factory`` (default: ``seeded_uuids(party_id)``).
    """
    ids = uuid_factory or seeded_uuids(party_id)
    now = format_timestamp(now_ms)

    def ago(days: float) -> str:
        return format_timestamp(now_ms - int(days * _DAY_MS))

    def obj(stix_type: str) -> dict[str, Any]:
        return _common(stix_type, new_id(stix_type, ids), now, party_id)

    key = base64.b64encode(hashlib.sha256(party_id.encode()).digest()).decode()
    party = _common("identity", party_id, now, party_id) | {
        "name": "Example Partner Ministry",
        "identity_class": "organization",
        "description": "An invented partner for examples and tests.",
        "extensions": extension_entry(
            "party", public_key=key, node_url="https://node.example.org/taxii2/liaison/"
        ),
    }
    group = obj("threat-actor") | {
        "name": "Example Armed Group",
        "aliases": ["EAG", "Example Front"],
        "threat_actor_types": ["terrorist"],
        "description": "An invented armed group.",
    }
    designation = obj("liaison-designation") | {
        "party_ref": party_id,
        "group_ref": group["id"],
        "status": "terrorist",
        "since": "2014-09-01T00:00:00.000Z",
        "basis": "Invented decree 2014-17",
        "extensions": extension_entry("designation"),
    }
    location = obj("location") | {
        "name": "Example Crossroads",
        "latitude": 35.9521,
        "longitude": 39.0113,
        "precision": 500,
        "country": "SY",
    }
    point = {"latitude": 35.9521, "longitude": 39.0113, "precision": 1000, "country": "SY"}
    strike = (
        obj("liaison-strike-report")
        | point
        | {
            "party_ref": party_id,
            "means": "air",
            "time_start": ago(3.5),
            "time_end": ago(3.4),
            "place_name": "Example Crossroads",
            "target_category": "weapons-storage",
            "target_group_ref": group["id"],
            "strikes": 2,
            "munitions": 4,
            "claimed_effect": "destroyed",
            "bda_phase": "physical",
            "target_description": "Storage building at the northern edge of the crossroads",
            "reliability": "B",
            "credibility": 2,
            "object_marking_refs": [TLP_GREEN],
            "extensions": extension_entry("strike-report"),
        }
    )
    presence = obj("sighting") | {
        "sighting_of_ref": group["id"],
        "first_seen": ago(10),
        "last_seen": ago(4),
        "count": 3,
        "where_sighted_refs": [location["id"]],
        "extensions": extension_entry(
            "presence",
            presence_kind="control",
            strength=150,
            latitude=35.95,
            longitude=39.01,
            precision=2000.0,
            place_name="Example Crossroads",
            country="SY",
            reliability="C",
            credibility=3,
        ),
    }
    logistics = obj("liaison-logistics") | {
        "group_ref": group["id"],
        "logistics_kind": "oil-trade",
        "time_start": ago(14),
        "time_end": ago(7),
        "latitude": 36.2,
        "longitude": 39.5,
        "precision": 5000.0,
        "route": [[36.1, 39.3], [36.3, 39.7]],
        "count": 40,
        "volume": 3200,
        "unit": "barrels",
        "reliability": "C",
        "credibility": 3,
        "extensions": extension_entry("logistics"),
    }
    event = (
        obj("liaison-event")
        | point
        | {
            "event_type": "one-sided",
            "actor_refs": [group["id"]],
            "initiator_ref": group["id"],
            "time_start": ago(6),
            "time_end": ago(6),
            "fatalities_low": 2,
            "fatalities_best": 3,
            "fatalities_high": 5,
            "source_dataset": "example-events",
            "source_id": "EX-2016-0001",
            "external_references": [
                {"source_name": "example-events", "external_id": "EX-2016-0001"}
            ],
            "x_example_note": "generated for tests",
            "extensions": extension_entry("event"),
        }
    )
    harm = (
        obj("liaison-harm-allegation")
        | point
        | {
            "time_start": ago(3.5),
            "time_end": ago(3.4),
            "alleged_party_ref": party_id,
            "civilian_casualties_low": 0,
            "civilian_casualties_high": 2,
            "grading": "weak",
            "sources": ["invented local monitor"],
            "description": "Invented allegation for tests.",
            "extensions": extension_entry("harm-allegation"),
        }
    )
    person = obj("liaison-person") | {
        "names": ["Sample Person One"],
        "aliases": ["S. P. One"],
        "date_of_birth": "1990-04",
        "sex": "unknown",
        "nationalities": ["ZZ"],
        "affiliation_ref": group["id"],
        "last_known_country": "SY",
        "last_known_place": "Example Crossroads",
        "last_known_date": ago(30),
        "status": "active",
        "extensions": extension_entry("person"),
    }
    corroboration = obj("opinion") | {
        "object_refs": [strike["id"]],
        "opinion": "agree",
        "explanation": "Presence and event reports near the strike support the claim.",
        "extensions": extension_entry(
            "corroboration", evidence_refs=[presence["id"], event["id"]], agreement=0.75
        ),
    }
    inputs = sorted(f"{o['id']}|{o['modified']}" for o in (strike, presence, event))
    assessment = obj("liaison-assessment") | {
        "assessment_type": "targeting-share",
        "subject_refs": [group["id"], party_id],
        "period_start": ago(28),
        "period_end": now,
        "method_version": "0.1.0",
        "parameters": {"h3_resolution": 6, "presence_threshold": 0.5, "bootstrap": 1000},
        "results": {"share": 0.5, "ci_low": 0.1, "ci_high": 0.9, "strikes": 2},
        "inputs_digest": hashlib.sha256("\n".join(inputs).encode()).hexdigest(),
        "extensions": extension_entry("assessment"),
    }
    return [
        party,
        group,
        designation,
        location,
        strike,
        presence,
        logistics,
        event,
        harm,
        person,
        corroboration,
        assessment,
    ]
