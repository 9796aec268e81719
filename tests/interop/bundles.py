# ruff: noqa: E501  (bundles are data: one object a few lines)
"""Bundles in the shapes other tools export (OpenCTI, MISP), written for these tests
and checked with stix2-validator: reports, relationships, TLP markings (1.0 and
2.0), microsecond timestamps, indicators, notes, observables, custom properties,
other projects' extensions and custom objects."""

from __future__ import annotations

from typing import Any

TLP_AMBER_V1 = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
TLP_RED_V2 = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
TLP_CLEAR_V2 = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
EXT_TLP2 = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
EXT_OPENCTI = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba"

OCTI_ORG = "identity--2f2b3a1e-1f5c-4d7e-9a41-0c6f0f3b8a11"
OCTI_ANALYST = "identity--3a1c5d2e-6b7f-4e8a-9c0d-1e2f3a4b5c6d"
OCTI_ACTOR = "threat-actor--4b2d6e3f-7c8a-4f9b-8d1e-2f3a4b5c6d7e"
OCTI_SET = "intrusion-set--5c3e7f4a-8d9b-4a0c-9e2f-3a4b5c6d7e8f"
OCTI_COUNTRY = "location--6d4f8a5b-9e0c-4b1d-8f3a-4b5c6d7e8f9a"
OCTI_INDICATOR = "indicator--7e5a9b6c-0f1d-4c2e-9a4b-5c6d7e8f9a0b"
OCTI_REPORT = "report--8f6b0c7d-1a2e-4d3f-8b5c-6d7e8f9a0b1c"
OCTI_NOTE = "note--9a7c1d8e-2b3f-4e4a-9c6d-7e8f9a0b1c2d"
OCTI_INCIDENT = "incident--0b8d2e9f-3c4a-4f5b-8d7e-8f9a0b1c2d3e"
OCTI_IP = "ipv4-addr--1c9e3f0a-4d5b-5a6c-9e8f-9a0b1c2d3e4f"
OCTI_OBSERVED = "observed-data--2d0f4a1b-5e6c-4b7d-8f9a-0b1c2d3e4f5a"
OCTI_SIGHTING = "sighting--3e1a5b2c-6f7d-4c8e-9a0b-1c2d3e4f5a6b"

MISP_EVENT = "report--4f2b6c3d-7a8e-4d9f-8b1c-2d3e4f5a6b7c"
MISP_INDICATOR = "indicator--5a3c7d4e-8b9f-4e0a-9c2d-3e4f5a6b7c8d"
MISP_OBJECT = "x-misp-object--6b4d8e5f-9c0a-4f1b-8d3e-4f5a6b7c8d9e"
MISP_GEO = "location--7c5e9f6a-0d1b-4a2c-9e4f-5a6b7c8d9e0f"
MISP_ORG = "identity--8d6f0a7b-1e2c-4b3d-8f5a-6b7c8d9e0f1a"
MISP_OBSERVED = "observed-data--9e7a1b8c-2f3d-4c4e-9a6b-7c8d9e0f1a2b"
MISP_DOMAIN = "domain-name--0f8b2c9d-3a4e-5d5f-8b7c-8d9e0f1a2b3c"
MISP_REL = "relationship--1a9c3d0e-4b5f-4e6a-9c8d-9e0f1a2b3c4d"
MISP_GROUPING = "grouping--2b0d4e1f-5c6a-4f7b-8d9e-0f1a2b3c4d5e"

T_US = "2023-03-14T09:26:53.589793Z"  # microseconds, as OpenCTI and MISP write them
T_US2 = "2023-03-15T10:00:00.123456Z"


def tlp2(level: str, marking_id: str) -> dict[str, Any]:
    return {
        "type": "marking-definition", "spec_version": "2.1", "id": marking_id,
        "created": "2022-10-01T00:00:00.000Z", "name": f"TLP:{level.upper()}",
        "extensions": {EXT_TLP2: {"extension_type": "property-extension", "tlp_2_0": level}},
    }  # fmt: skip


def opencti_bundle() -> dict[str, Any]:
    """An OpenCTI-style export: its extension on every object, x_opencti_ properties."""

    def octi(kind: str) -> dict[str, Any]:
        return {EXT_OPENCTI: {"extension_type": "property-extension", "id": "c4b1-octi",
                              "type": kind, "created_at": T_US, "updated_at": T_US2}}  # fmt: skip

    common = {"spec_version": "2.1", "created": T_US, "modified": T_US2,
              "created_by_ref": OCTI_ORG}  # fmt: skip
    objects = [
        {"type": "marking-definition", "spec_version": "2.1", "id": TLP_AMBER_V1,
         "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER",
         "definition": {"tlp": "amber"}},
        tlp2("red", TLP_RED_V2),
        {"type": "identity", "id": OCTI_ORG, "name": "Observatory", "identity_class": "organization",
         "sectors": ["non-profit"], "x_opencti_reliability": "B", "extensions": octi("Organization"),
         **common},
        {"type": "identity", "id": OCTI_ANALYST, "name": "An Analyst", "identity_class": "individual",
         "extensions": octi("Individual"), **common},
        {"type": "threat-actor", "id": OCTI_ACTOR, "name": "Eastern Front", "aliases": ["EF"],
         "threat_actor_types": ["terrorist"], "first_seen": "2015-01-01T00:00:00Z",
         "roles": ["agent"], "primary_motivation": "ideology", "object_marking_refs": [TLP_AMBER_V1],
         "extensions": octi("Threat-Actor-Group"), **common},
        {"type": "intrusion-set", "id": OCTI_SET, "name": "EF media wing", "first_seen": T_US,
         "extensions": octi("Intrusion-Set"), **common},
        {"type": "location", "id": OCTI_COUNTRY, "name": "Syria", "country": "SY",
         "x_opencti_location_type": "Country", "extensions": octi("Country"), **common},
        {"type": "indicator", "id": OCTI_INDICATOR, "name": "EF relay", "pattern_type": "stix",
         "pattern": "[ipv4-addr:value = '203.0.113.7']", "valid_from": T_US,
         "indicator_types": ["malicious-activity"], "x_opencti_score": 70,
         "object_marking_refs": [TLP_RED_V2], "extensions": octi("Indicator"), **common},
        {"type": "ipv4-addr", "spec_version": "2.1", "id": OCTI_IP, "value": "203.0.113.7"},
        {"type": "observed-data", "id": OCTI_OBSERVED, "first_observed": T_US,
         "last_observed": T_US2, "number_observed": 3, "object_refs": [OCTI_IP], **common},
        {"type": "sighting", "id": OCTI_SIGHTING, "sighting_of_ref": OCTI_INDICATOR,
         "where_sighted_refs": [OCTI_ORG], "first_seen": T_US, "last_seen": T_US2, "count": 2,
         **common},
        {"type": "incident", "id": OCTI_INCIDENT, "name": "Relay seen in the wild",
         "description": "Traffic to the relay", **common},
        {"type": "relationship", "id": "relationship--3f2b6c3d-7a8e-4d9f-8b1c-2d3e4f5a6b70",
         "relationship_type": "located-at", "source_ref": OCTI_ACTOR, "target_ref": OCTI_COUNTRY,
         "start_time": T_US, "stop_time": T_US2, **common},
        {"type": "relationship", "id": "relationship--4a3c7d4e-8b9f-4e0a-9c2d-3e4f5a6b7c81",
         "relationship_type": "indicates", "source_ref": OCTI_INDICATOR, "target_ref": OCTI_ACTOR,
         **common},
        {"type": "note", "id": OCTI_NOTE, "abstract": "Assessment", "content": "Likely EF.",
         "authors": ["An Analyst"], "object_refs": [OCTI_ACTOR, OCTI_INDICATOR], **common},
        {"type": "report", "id": OCTI_REPORT, "name": "EF relay infrastructure",
         "published": T_US, "report_types": ["threat-report"],
         "object_refs": [OCTI_ACTOR, OCTI_INDICATOR, OCTI_COUNTRY, OCTI_NOTE, OCTI_INCIDENT],
         "object_marking_refs": [TLP_AMBER_V1],
         "external_references": [{"source_name": "Observatory", "url": "https://example.org/r/1"}],
         "extensions": octi("Report"), **common},
    ]  # fmt: skip
    return {
        "type": "bundle",
        "id": "bundle--5b4d8e5f-9c0a-4f1b-8d3e-4f5a6b7c8d90",
        "objects": objects,
    }


def misp_bundle() -> dict[str, Any]:
    """A MISP-style STIX 2.1 export: misp: labels, an event report, a custom MISP object."""
    common = {"spec_version": "2.1", "created": T_US, "modified": T_US,
              "created_by_ref": MISP_ORG}  # fmt: skip
    objects = [
        tlp2("clear", TLP_CLEAR_V2),
        {"type": "identity", "id": MISP_ORG, "name": "CIRCL-like org",
         "identity_class": "organization", "spec_version": "2.1", "created": T_US, "modified": T_US},
        {"type": "indicator", "id": MISP_INDICATOR, "pattern_type": "stix",
         "pattern": "[domain-name:value = 'relay.example']", "valid_from": T_US,
         "labels": ['misp:type="domain"', 'misp:category="Network activity"', 'misp:to_ids="True"'],
         "object_marking_refs": [TLP_CLEAR_V2], **common},
        {"type": "domain-name", "spec_version": "2.1", "id": MISP_DOMAIN, "value": "relay.example"},
        {"type": "observed-data", "id": MISP_OBSERVED, "first_observed": T_US,
         "last_observed": T_US, "number_observed": 1, "object_refs": [MISP_DOMAIN],
         "labels": ['misp:type="domain"', 'misp:category="Network activity"'], **common},
        {"type": "location", "id": MISP_GEO, "latitude": 36.2, "longitude": 37.15,
         "precision": 2000.0, "city": "Aleppo", "country": "SY",
         "labels": ['misp:name="geolocation"', 'misp:meta-category="misc"'], **common},
        {"type": "x-misp-object", "id": MISP_OBJECT, "name": "annotation",
         "labels": ['misp:name="annotation"', 'misp:meta-category="misc"'],
         "x_misp_attributes": [{"type": "text", "object_relation": "text", "value": "checked"}],
         "x_misp_meta_category": "misc", **common},
        {"type": "relationship", "id": MISP_REL, "relationship_type": "related-to",
         "source_ref": MISP_INDICATOR, "target_ref": MISP_GEO, **common},
        {"type": "grouping", "id": MISP_GROUPING, "name": "MISP event 42 (grouping)",
         "context": "suspicious-activity", "object_refs": [MISP_INDICATOR, MISP_GEO], **common},
        {"type": "report", "id": MISP_EVENT, "name": "MISP event 42", "published": T_US,
         "labels": ["Threat-Report", 'misp:tool="MISP-STIX-Converter"'],
         "object_refs": [MISP_INDICATOR, MISP_OBSERVED, MISP_GEO, MISP_OBJECT, MISP_REL],
         "object_marking_refs": [TLP_CLEAR_V2], **common},
    ]  # fmt: skip
    return {
        "type": "bundle",
        "id": "bundle--6c5e9f6a-0d1b-4a2c-9e4f-5a6b7c8d9e01",
        "objects": objects,
    }
