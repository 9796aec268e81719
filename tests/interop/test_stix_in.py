"""Standard STIX in: other tools' bundles are ingested with nothing refused that
STIX 2.1 allows, kept exactly, indexed by type and time; a node's own export
goes into another node whole."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.export import export_records
from liaison.ingest import ingest_file
from liaison.node import Node, audit_report, verify_record
from liaison.records import TLP_MARKING_IDS, timestamp_ms, tlp_level
from liaison.records.examples import example_objects
from liaison.store import Query

from .bundles import (
    OCTI_ACTOR,
    OCTI_ANALYST,
    OCTI_COUNTRY,
    OCTI_INDICATOR,
    OCTI_ORG,
    OCTI_REPORT,
    T_US,
    T_US2,
    misp_bundle,
    opencti_bundle,
)


@pytest.fixture(scope="module")
def validator() -> Callable[[dict[str, Any]], Any]:
    from stix2validator import ValidationOptions, validate_instance

    return lambda bundle: validate_instance(bundle, ValidationOptions(version="2.1"))


@pytest.mark.parametrize("make", [opencti_bundle, misp_bundle], ids=["opencti", "misp"])
def test_other_tools_bundles_are_valid_and_ingested_whole(
    node: Node, tmp_path: Path, make: Callable[[], dict[str, Any]], validator: Any
) -> None:
    bundle = make()
    assert validator(bundle).errors == []  # the bundle is valid STIX 2.1
    path = tmp_path / "in.json"
    path.write_bytes(orjson.dumps(bundle))
    report = ingest_file(node, path)
    assert (report.refused, report.accepted) == (0, len(bundle["objects"])), report.errors
    for obj in bundle["objects"]:
        stored = node.store.get(obj["id"])
        assert stored is not None, obj["id"]
        assert orjson.loads(stored.body) == obj  # verbatim: every property, every digit
        assert verify_record(node, stored).ok
    assert audit_report(node).ok


def test_kinds_times_and_precision(node: Node, tmp_path: Path) -> None:
    path = tmp_path / "octi.json"
    path.write_bytes(orjson.dumps(opencti_bundle()))
    ingest_file(node, path)
    kind = {v.index.id: v.index.kind for v in node.store.query(Query())}
    assert kind[OCTI_ORG] == "party"  # an organization without the party extension
    assert kind[OCTI_ANALYST] == "identity"  # an individual: kept verbatim
    assert kind[OCTI_ACTOR] == "group"
    assert kind[OCTI_COUNTRY] == "location"  # country-only
    assert kind[OCTI_INDICATOR] == "indicator"
    assert kind[OCTI_REPORT] == "report"
    actor = node.store.get(OCTI_ACTOR)
    assert actor is not None and actor.index.modified == T_US2  # microseconds kept exactly
    reports = list(node.store.query(Query(kinds=("report",), since_ms=timestamp_ms(T_US) - 1,
                                          until_ms=timestamp_ms(T_US) + 1)))  # fmt: skip
    assert [r.index.id for r in reports] == [OCTI_REPORT]  # indexed by its published time
    rels = list(node.store.query(Query(kinds=("relationship",), group=OCTI_ACTOR)))
    assert len(rels) == 2  # a relationship is found by the group it is about
    assert list(node.store.query(Query(kinds=("indicator",), party=OCTI_ORG)))


def test_tlp_levels_are_understood() -> None:
    octi = opencti_bundle()["objects"]
    indicator = next(o for o in octi if o["id"] == OCTI_INDICATOR)
    assert tlp_level(indicator["object_marking_refs"]) == "red"
    assert tlp_level([*TLP_MARKING_IDS][:2]) == "green"  # the most restrictive wins
    assert tlp_level([]) is None


def test_a_nodes_export_goes_into_another_node(
    make_node: Callable[..., Node], tmp_path: Path
) -> None:
    fr, ru, uk = make_node("fr", 1), make_node("ru", 2), make_node("uk", 5)
    objs = [o for o in example_objects(fr.party_id) if o["type"] != "identity"]
    path = tmp_path / "fr.json"
    path.write_bytes(orjson.dumps({"type": "bundle", "objects": objs}))
    assert ingest_file(fr, path).ok
    # liaison's own profile into ru, the standard profile into uk: nothing refused
    for name, target, kwargs in (("liaison", ru, {}), ("standard", uk, {"profile": "standard"})):
        out = tmp_path / f"fr-{name}.json"
        export_records(fr, out, format="stix", **kwargs)  # type: ignore[arg-type]
        report = ingest_file(target, out)
        assert report.refused == 0, (name, report.errors)
        assert report.accepted > 0
    exported = orjson.loads((tmp_path / "fr-liaison.json").read_bytes())["objects"]
    for obj in exported:
        assert ru.store.get(obj["id"]) is not None, obj["id"]
    again = ingest_file(ru, tmp_path / "fr-liaison.json")
    assert (again.accepted, again.refused) == (0, 0)  # the same versions: unchanged


def test_same_export_of_an_export_round_trips(
    make_node: Callable[..., Node], tmp_path: Path
) -> None:
    fr, ru = make_node("fr", 3), make_node("ru", 4)
    path = tmp_path / "octi.json"
    path.write_bytes(orjson.dumps(opencti_bundle()))
    assert ingest_file(fr, path).ok
    out = tmp_path / "out.json"
    export_records(fr, out, format="stix")
    assert ingest_file(ru, out).ok
    first = {o["id"]: o for o in orjson.loads(out.read_bytes())["objects"]}
    out2 = tmp_path / "out2.json"
    export_records(ru, out2, format="stix")
    second = {o["id"]: o for o in orjson.loads(out2.read_bytes())["objects"]}
    assert {k: v for k, v in first.items() if k in second} == {
        k: v for k, v in second.items() if k in first
    }
    assert set(opencti_bundle_ids()) <= set(second)


def opencti_bundle_ids() -> list[str]:
    return [o["id"] for o in opencti_bundle()["objects"]]


def test_other_stix_types_are_withheld_until_rules_name_them(tmp_path: Path) -> None:
    """A partner with a release-everything rule gets liaison's kinds, never a
    verbatim STIX object (a TLP:RED indicator among them) until rules can name
    STIX types and TLP is enforced: fail closed, and ingest does not fail."""
    import os
    import subprocess
    import sys

    def liaison(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "liaison", *args], cwd=tmp_path,
                              env={**os.environ, "LIAISON_NODE": str(tmp_path / "n")},
                              capture_output=True, text=True, timeout=120)  # fmt: skip

    assert liaison("init", str(tmp_path / "n"), "--party", "fr").returncode == 0
    added = liaison("partner", "add", "ru", "--url", "http://127.0.0.1:1/api/", "--unsigned")
    assert added.returncode == 0, added.stderr
    with (tmp_path / "n" / "liaison.toml").open("a") as fh:
        fh.write('\n[[partners.ru.rules]]\nname = "all"\n')
    (tmp_path / "octi.json").write_bytes(orjson.dumps(opencti_bundle()))
    done = liaison("ingest", str(tmp_path / "octi.json"))
    assert done.returncode == 0, done.stderr
    withheld = liaison("policy", "withheld", "--to", "ru").stdout
    assert "indicator objects (a STIX type of no liaison kind) are not released yet" in withheld
