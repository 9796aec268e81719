# ruff: noqa: E501  (the record table and the checks read best one per line)
"""What survives: misp-stix (the MISP project's converter) on the standard profile,
and liaison's own MISP export read back with PyMISP, keep every strike report,
presence and event with its time, place, party, group and effect.

``survival_table`` prints the table docs/interop.md shows (run this file with -s)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.export import export_records
from liaison.ingest import ingest_file
from liaison.node import Node
from liaison.records import LIAISON_NAMESPACE, kind_of
from liaison.records.examples import example_objects
from liaison.registry import add_group, add_party

FIELDS = ("time", "place", "party", "group", "effect")
KINDS = ("strike-report", "presence", "event")


def _uuid(stix_type: str, record_id: str, role: str) -> str:
    return str(uuid.uuid5(LIAISON_NAMESPACE, f"liaison/standard/{role}/{record_id}"))


@pytest.fixture
def records(node: Node, tmp_path: Path) -> list[dict[str, Any]]:
    """Strike reports of two parties on two groups, presences, events; ingested."""
    nl = add_party(node, "nl").id
    groups = [
        add_group(node, "Eastern Front", aliases=["EF"]).id,
        add_group(node, "Southern Wing").id,
    ]
    base = {kind_of(o): o for o in example_objects(node.party_id)}
    out: list[dict[str, Any]] = []
    effects = ("destroyed", "damaged", "struck", "missed", "unknown")
    for i in range(10):
        out.append(
            base["strike-report"]
            | {
                "id": f"liaison-strike-report--{i:08x}-1111-4111-8111-111111111111",
                "party_ref": nl if i % 2 else node.party_id,
                "target_group_ref": groups[i % 2],
                "claimed_effect": effects[i % 5],
                "latitude": 35.0 + i / 10,
                "longitude": 39.0 + i / 7,
                "time_start": f"2016-01-{i + 1:02d}T10:00:00Z",
                "time_end": f"2016-01-{i + 1:02d}T11:30:00.250Z",
            }
        )
    presence = base["presence"]
    for i in range(5):
        ext = next(iter(presence["extensions"].values())) | {
            "latitude": 36.0 + i / 10,
            "presence_kind": ("sighting", "control", "movement")[i % 3],
        }
        out.append(
            presence
            | {
                "id": f"sighting--{i:08x}-2222-4222-8222-222222222222",
                "sighting_of_ref": groups[i % 2],
                "extensions": {next(iter(presence["extensions"])): ext},
                "first_seen": f"2016-02-{i + 1:02d}T00:00:00Z",
                "last_seen": f"2016-02-{i + 2:02d}T00:00:00Z",
            }
        )
    for i in range(5):
        out.append(
            base["event"]
            | {
                "id": f"liaison-event--{i:08x}-3333-4333-8333-333333333333",
                "initiator_ref": groups[i % 2],
                "actor_refs": [groups[i % 2]],
                "fatalities_low": i,
                "fatalities_best": i + 1,
                "fatalities_high": i + 4,
                "longitude": 38.0 + i / 9,
                "time_start": f"2016-03-{i + 1:02d}T00:00:00Z",
                "time_end": f"2016-03-{i + 1:02d}T00:00:00Z",
            }
        )
    path = tmp_path / "records.json"
    path.write_bytes(orjson.dumps({"type": "bundle", "objects": out}))
    assert ingest_file(node, path).ok
    return out


def _facts(obj: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """What must survive of one record: time, place, party, group, effect."""
    kind = kind_of(obj)
    flat = dict(obj)
    for entry in obj.get("extensions", {}).values():
        flat.update(entry)
    party = obj.get("party_ref") if kind == "strike-report" else obj["created_by_ref"]
    group = {"strike-report": "target_group_ref", "presence": "sighting_of_ref",
             "event": "initiator_ref"}[kind]  # fmt: skip
    effect = {"strike-report": "claimed_effect", "presence": "presence_kind",
              "event": "fatalities_best"}[kind]  # fmt: skip
    start = flat.get("time_start") or flat["first_seen"]
    end = flat.get("time_end") or flat["last_seen"]
    return {"kind": kind, "time": (start, end), "place": (flat["latitude"], flat["longitude"]),
            "party": names[party], "group": names[flat[group]], "effect": (effect, flat[effect])}  # fmt: skip


def _names(node: Node) -> dict[str, str]:
    from liaison.registry import names_by_id

    return {**names_by_id(node.store, "party"), **names_by_id(node.store, "group")}


def _table(rows: dict[str, dict[str, list[bool]]], title: str) -> str:
    lines = [f"{title}", "| kind | records | " + " | ".join(FIELDS) + " |",
             "|---|---|" + "---|" * len(FIELDS)]  # fmt: skip
    for kind in KINDS:
        kept = rows[kind]
        n = len(kept["time"])
        lines.append(
            f"| {kind} | {n} | " + " | ".join(f"{sum(kept[f])}/{n}" for f in FIELDS) + " |"
        )
    return "\n".join(lines)


def _survey(records: list[dict[str, Any]], names: dict[str, str],
            check: Callable[[dict[str, Any], dict[str, Any]], dict[str, bool]]) -> dict[str, dict[str, list[bool]]]:  # fmt: skip
    rows: dict[str, dict[str, list[bool]]] = {k: {f: [] for f in FIELDS} for k in KINDS}
    for obj in records:
        facts = _facts(obj, names)
        for field, ok in check(obj, facts).items():
            rows[facts["kind"]][field].append(ok)
    return rows


def _assert_all_kept(rows: dict[str, dict[str, list[bool]]], table: str) -> None:
    print("\n" + table)
    for kind, fields in rows.items():
        assert fields["time"], kind
        for field, kept in fields.items():
            assert all(kept), f"{kind}: {field} lost in {kept.count(False)} of {len(kept)}\n{table}"


def test_misp_stix_keeps_the_standard_profile(
    node: Node, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    from misp_stix_converter import stix_2_to_misp

    out = tmp_path / "standard.json"
    export_records(node, out, format="stix", profile="standard")
    result = stix_2_to_misp(out, single_event=True)
    assert result.get("success") == 1, result
    event = orjson.loads(Path(result["results"][0]).read_bytes())
    objects = {o["uuid"]: o for o in event["Object"]}
    names = _names(node)

    def check(obj: dict[str, Any], facts: dict[str, Any]) -> dict[str, bool]:
        geo = objects.get(_uuid("location", obj["id"], "place"))
        if geo is None:
            return dict.fromkeys(FIELDS, False)
        attrs = {a["object_relation"]: a for a in geo["Attribute"]}
        notes = "\n".join(n["note"] for n in geo.get("Note", []))
        galaxies = {c["value"] for a in geo["Attribute"] for g in a.get("Galaxy", [])
                    for c in g["GalaxyCluster"]}  # fmt: skip
        start, end = facts["time"]
        lat, lon = facts["place"]
        field, value = facts["effect"]
        return {
            "time": f": {start}\n" in notes and f": {end}\n" in notes,
            "place": float(attrs["latitude"]["value"]) == lat
            and float(attrs["longitude"]["value"]) == lon,
            "party": f"{facts['party']} (" in notes,
            "group": facts["group"] in galaxies and f"{facts['group']} (" in notes,
            "effect": f"\n{field}: {value}\n" in notes,
        }

    rows = _survey(records, names, check)
    _assert_all_kept(rows, _table(rows, "misp-stix 2026.10.12 on `export --profile standard`"))


def test_the_misp_export_keeps_every_core_field(
    node: Node, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    from datetime import datetime

    from pymisp import MISPEvent

    out = tmp_path / "event.json"
    report = export_records(node, out, format="misp")
    event = MISPEvent()
    event.load_file(str(out))
    assert len(event.objects) >= report.count
    by_uuid = {o.uuid: o for o in event.objects}
    names = _names(node)

    def when(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    def check(obj: dict[str, Any], facts: dict[str, Any]) -> dict[str, bool]:
        made = by_uuid.get(str(uuid.uuid5(LIAISON_NAMESPACE, f"liaison/misp/record/{obj['id']}")))
        if made is None:
            return dict.fromkeys(FIELDS, False)
        values = {a.object_relation: a.value for a in made.attributes}
        start, end = facts["time"]
        lat, lon = facts["place"]
        field, value = facts["effect"]
        party = "party-name" if facts["kind"] == "strike-report" else "created-by-name"
        group = {"strike-report": "target-group-name", "presence": "sighting-of-name",
                 "event": "initiator-name"}[facts["kind"]]  # fmt: skip
        geo = [
            by_uuid[r.referenced_uuid]
            for r in made.references
            if r.relationship_type == "located-at"
        ]
        return {
            "time": made.first_seen == when(start) and made.last_seen == when(end)
                    and values[field_time(facts)] == when(start),
            "place": float(values["latitude"]) == lat and float(values["longitude"]) == lon
                     and len(geo) == 1,
            "party": values[party] == facts["party"],
            "group": values[group] == facts["group"],
            "effect": str(values[field.replace("_", "-")]) == str(value),
        }  # fmt: skip

    rows = _survey(records, names, check)
    _assert_all_kept(rows, _table(rows, "`export --format misp`, read back with PyMISP"))


def field_time(facts: dict[str, Any]) -> str:
    return "first-seen" if facts["kind"] == "presence" else "time-start"


def test_the_standard_profile_is_valid_and_standard(
    node: Node, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    from stix2validator import ValidationOptions, validate_file

    out = tmp_path / "standard.json"
    export_records(node, out, format="stix", profile="standard")
    result = validate_file(str(out), ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for r in result.object_results for e in r.errors]
    objects = orjson.loads(out.read_bytes())["objects"]
    types = {o["type"] for o in objects}
    assert not any(t.startswith("liaison-") for t in types)
    assert types <= {"identity", "threat-actor", "location", "incident", "note", "sighting",
                     "relationship", "opinion", "report", "marking-definition"}  # fmt: skip
    assert b"extension-definition--" not in out.read_bytes()
    assert not any(o.get("extensions") for o in objects)  # liaison's are gone, none others here
