"""The example objects, the extension definitions and the shipped schemas."""

from __future__ import annotations

import json
import uuid
from typing import Any

import jsonschema
import pytest

import liaison.records as rec
from liaison.records import (
    KINDS,
    extension_definitions,
    index_of,
    json_schema,
    liaison_identity,
    parse_record,
    to_stix,
)
from liaison.records._schemagen import SCHEMA_NAMES, schema_text
from liaison.records.examples import example_objects, seeded_uuids

from .conftest import PARTY_ID


def test_one_example_per_kind_in_order() -> None:
    objs = example_objects(PARTY_ID)
    assert [rec.kind_of(o) for o in objs] == list(KINDS)


def test_examples_are_deterministic_and_injectable() -> None:
    assert example_objects(PARTY_ID) == example_objects(PARTY_ID)
    other = example_objects(PARTY_ID, now_ms=0, uuid_factory=seeded_uuids("other"))
    assert other[1]["id"] != example_objects(PARTY_ID)[1]["id"]
    assert other[1]["created"] == "1970-01-01T00:00:00.000Z"
    for obj in other:
        parse_record(obj)


def test_example_round_trips(examples: dict[str, dict[str, Any]], kind: str) -> None:
    obj = examples[kind]
    record = parse_record(obj)
    assert type(record) is rec.CLASS_OF_KIND[kind]
    assert to_stix(record) == obj
    assert json.dumps(to_stix(record), sort_keys=True) == json.dumps(obj, sort_keys=True)


def test_example_matches_its_json_schema(examples: dict[str, dict[str, Any]], kind: str) -> None:
    schema = json.loads(json_schema(kind))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(examples[kind], schema, cls=jsonschema.Draft202012Validator)


def test_json_schema_refuses_what_parse_refuses(examples: dict[str, dict[str, Any]]) -> None:
    schema = json.loads(json_schema("strike-report"))
    bad = examples["strike-report"] | {"latitude": 91.5}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            examples["strike-report"] | {"bogus": 1}, schema, cls=jsonschema.Draft202012Validator
        )


def test_shipped_schemas_match_the_classes() -> None:
    for name in SCHEMA_NAMES:
        assert json_schema(name) == schema_text(name), (
            f"schemas/{name}.json is stale: run python -m liaison.records._schemagen"
        )


def test_extension_ids_are_uuid5_of_the_namespace() -> None:
    names = {
        "party": rec.EXT_PARTY,
        "designation": rec.EXT_DESIGNATION,
        "strike-report": rec.EXT_STRIKE_REPORT,
        "presence": rec.EXT_PRESENCE,
        "logistics": rec.EXT_LOGISTICS,
        "event": rec.EXT_EVENT,
        "harm-allegation": rec.EXT_HARM_ALLEGATION,
        "person": rec.EXT_PERSON,
        "corroboration": rec.EXT_CORROBORATION,
        "assessment": rec.EXT_ASSESSMENT,
        "signature": rec.EXT_SIGNATURE,
    }
    namespace = uuid.UUID("62c4c8f7-a763-48d2-9977-0284a616d292")
    for name, ext_id in names.items():
        expected = uuid.uuid5(namespace, f"liaison/extension/{name}")
        assert ext_id == f"extension-definition--{expected}"
    assert len(set(names.values())) == len(names)
    defs = extension_definitions()
    assert {d["id"] for d in defs} == set(names.values())
    assert extension_definitions() == defs  # deterministic


def test_extension_definitions_carry_their_schema() -> None:
    by_name = {d["name"]: d for d in extension_definitions()}
    for d in by_name.values():
        assert d["created_by_ref"] == liaison_identity()["id"] == rec.LIAISON_IDENTITY_ID
        jsonschema.Draft202012Validator.check_schema(json.loads(d["schema"]))
    assert by_name["liaison-strike-report"]["extension_types"] == ["new-sdo"]
    assert by_name["liaison-presence"]["extension_types"] == ["property-extension"]
    assert by_name["liaison-signature"]["extension_types"] == ["property-extension"]
    assert json.loads(by_name["liaison-signature"]["schema"])["title"] == "SignatureExtension"


def test_extension_entry() -> None:
    assert rec.extension_entry("event") == {rec.EXT_EVENT: {"extension_type": "new-sdo"}}
    entry = rec.extension_entry("corroboration", agreement=0.5)
    assert entry[rec.EXT_CORROBORATION]["agreement"] == 0.5
    with pytest.raises(ValueError, match="no liaison extension"):
        rec.extension_entry("group")
    with pytest.raises(ValueError, match="takes no properties"):
        rec.extension_entry("event", x=1)


def test_index_of_examples(examples: dict[str, dict[str, Any]]) -> None:
    idx = {k: index_of(parse_record(o)) for k, o in examples.items()}
    strike = examples["strike-report"]
    s = idx["strike-report"]
    assert (s.kind, s.id, s.modified) == ("strike-report", strike["id"], strike["modified"])
    assert s.time_start_ms == rec.timestamp_ms(strike["time_start"])
    assert s.time_end_ms == rec.timestamp_ms(strike["time_end"])
    assert (s.group_ref, s.party_ref) == (strike["target_group_ref"], PARTY_ID)
    assert (s.latitude, s.longitude, s.precision_m) == (35.9521, 39.0113, 1000)
    assert s.revoked is False
    group_id = examples["group"]["id"]
    assert idx["group"].group_ref == group_id
    assert idx["party"].party_ref == PARTY_ID
    assert idx["presence"].precision_m == 2000.0
    assert idx["presence"].group_ref == group_id
    assert idx["location"].precision_m == 500.0
    assert idx["designation"].time_end_ms is None
    assert idx["assessment"].group_ref == group_id
    assert idx["harm-allegation"].group_ref is None
    assert idx["corroboration"].latitude is None
    assert idx["person"].time_start_ms == idx["person"].time_end_ms is not None
    no_precision = {k: v for k, v in examples["location"].items() if k != "precision"}
    assert index_of(parse_record(no_precision)).precision_m is None
    revoked = index_of(parse_record(strike | {"revoked": True}))
    assert revoked.revoked is True


def test_index_of_event_initiated_by_a_party(examples: dict[str, dict[str, Any]]) -> None:
    event = examples["event"] | {"initiator_ref": PARTY_ID}
    assert index_of(parse_record(event)).group_ref is None


def test_signature_extension_accepted_and_preserved(
    examples: dict[str, dict[str, Any]], kind: str
) -> None:
    signature = {
        "extension_type": "property-extension",
        "alg": "ed25519-merkle-sha256",
        "key_id": "0123456789abcdef",
        "root": "ab" * 32,
        "leaves": 3,
        "index": 1,
        "proof": ["cd" * 32, "ef" * 32],
        "signature": "c2lnbmF0dXJl",
    }
    obj = examples[kind]
    signed = obj | {"extensions": {**obj.get("extensions", {}), rec.EXT_SIGNATURE: signature}}
    record = parse_record(signed)
    assert to_stix(record) == signed
    schema = json.loads(json_schema("signature"))
    jsonschema.validate(signature, schema, cls=jsonschema.Draft202012Validator)


def test_new_id() -> None:
    fixed = uuid.UUID("0b7b6c7f-9e21-4a1a-8a1a-3f1d1d9a7c8e")
    assert rec.new_id("liaison-event", lambda: fixed) == f"liaison-event--{fixed}"
    assert rec.new_id("location").startswith("location--")
