"""The command line, run as a user runs it (a real subprocess), exit codes included."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from liaison.records.examples import example_objects

from .conftest import require_postgres


def liaison(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "liaison", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    done = liaison("init", "fr-node", "--party", "fr", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / "fr-node"


def party_id(node_dir: Path) -> str:
    for line in (node_dir / "liaison.toml").read_text().splitlines():
        if line.startswith("party_id"):
            return line.split('"')[1]
    raise AssertionError("no party_id")


def write_bundle(path: Path, objects: list[dict[str, object]]) -> Path:
    bundle = {"type": "bundle", "id": "bundle--0b1d4a0e-3a8e-4c1e-9a55-0a4b4f1f8e11"}
    path.write_bytes(orjson.dumps({**bundle, "objects": objects}))
    return path


def test_init_ingest_list_show_export_verify(node_dir: Path, tmp_path: Path) -> None:
    objs = example_objects(party_id(node_dir))
    bundle = write_bundle(tmp_path / "ex.json", objs)
    env = {"LIAISON_NODE": str(node_dir)}
    done = liaison("ingest", str(bundle), cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert f"{len(objs)} accepted, 0 unchanged, 0 refused" in done.stdout

    listed = liaison("list", "--kind", "strike-report", "--json", cwd=tmp_path, env=env)
    lines = [orjson.loads(x) for x in listed.stdout.splitlines()]
    assert [o["type"] for o in lines] == ["liaison-strike-report"]
    near = liaison("list", "--near", "35.95,39.01,5", "--since", "2016-01-01", "--json",
                   cwd=tmp_path, env=env)  # fmt: skip
    assert near.returncode == 0
    assert {orjson.loads(x)["type"] for x in near.stdout.splitlines()} >= {"liaison-strike-report"}

    strike_id = lines[0]["id"]
    shown = liaison("show", strike_id, cwd=tmp_path, env=env)
    assert "signature: valid" in shown.stdout
    missing = liaison("show", "liaison-strike-report--00000000-0000-4000-8000-000000000000",
                      cwd=tmp_path, env=env)  # fmt: skip
    assert missing.returncode == 5

    out = tmp_path / "strikes.csv"
    done = liaison("export", "--kind", "strike-report", "--format", "csv", str(out),
                   cwd=tmp_path, env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    header = out.read_text().splitlines()[0].split(",")
    assert header[:10] == ["id", "kind", "party", "group", "time_start", "time_end",
                           "latitude", "longitude", "precision_m", "place"]  # fmt: skip
    for column in ("strikes", "target_category", "claimed_effect", "bda_phase",
                   "reliability", "credibility"):  # fmt: skip
        assert column in header

    stix_out = tmp_path / "all.json"
    done = liaison("export", "--format", "stix", str(stix_out), cwd=tmp_path, env=env)
    exported = orjson.loads(stix_out.read_bytes())["objects"]
    assert not any(o["type"] == "liaison-person" for o in exported)  # local only
    assert any(o["type"] == "extension-definition" for o in exported)

    verified = liaison("audit", "verify", cwd=tmp_path, env=env)
    assert verified.returncode == 0
    assert "intact" in verified.stdout


def test_refused_input_exits_1_with_a_precise_message(node_dir: Path, tmp_path: Path) -> None:
    objs = example_objects(party_id(node_dir))
    next(o for o in objs if o["type"] == "location")["latitude"] = 91.5
    bundle = write_bundle(tmp_path / "bad.json", objs)
    done = liaison("ingest", "--node", str(node_dir), str(bundle), cwd=tmp_path)
    assert done.returncode == 1
    assert "bad.json object #" in done.stderr
    assert "field 'latitude'" in done.stderr
    assert "Traceback" not in done.stderr
    assert "nothing stored" in done.stdout


def test_tampered_audit_exits_4_naming_the_entry(node_dir: Path, tmp_path: Path) -> None:
    import sqlite3

    con = sqlite3.connect(node_dir / "store.db")
    con.execute("UPDATE audit SET subject = 'forged' WHERE seq = 1")
    con.commit()
    con.close()
    done = liaison("audit", "verify", "--node", str(node_dir), cwd=tmp_path)
    assert done.returncode == 4
    assert "first bad entry: 1" in done.stderr


def test_not_a_node_and_unreachable_store_exit_3(tmp_path: Path) -> None:
    done = liaison("list", "--node", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 3
    assert "not a liaison node" in done.stderr
    done = liaison("init", "x", "--party", "x", "--store", "postgresql://postgres@127.0.0.1:1/test",
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 3
    assert "cannot reach store" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x" / "liaison.toml").exists()


@pytest.mark.postgres
def test_init_on_postgres(tmp_path: Path) -> None:
    require_postgres()
    from .conftest import drop_schema, postgres_url

    url = f"{postgres_url()}?schema=liaison_cli_{os.getpid()}"
    try:
        done = liaison("init", "pg-node", "--party", "ru", "--store", url, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        listed = liaison("list", "--json", "--node", str(tmp_path / "pg-node"), cwd=tmp_path)
        assert [orjson.loads(x)["type"] for x in listed.stdout.splitlines()] == ["identity"]
    finally:
        drop_schema(f"liaison_cli_{os.getpid()}")


def test_simulate_ingest_assess_is_reproducible(node_dir: Path, tmp_path: Path) -> None:
    env = {"LIAISON_NODE": str(node_dir)}
    sim = liaison("simulate", "sim", "--seed", "4", "--weeks", "16", "--strikes", "200",
                  "--bbox", "35,38,36.5,40", cwd=tmp_path)  # fmt: skip
    assert sim.returncode == 0, sim.stderr
    bundles = [str(tmp_path / "sim" / f"party-{p}.json") for p in "AB"]
    done = liaison("ingest", *bundles, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    first = liaison("assess", "--json", cwd=tmp_path, env=env)
    second = liaison("assess", "--json", "--out", "report", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # same inputs and parameters, same bytes
    result = orjson.loads(first.stdout)
    assert result["method_version"]
    assert len(result["inputs_digest"]) == 64
    html = (tmp_path / "report" / "report.html").read_text()
    assert "<svg" in html
    assert not re.search(
        r"""(src|href)\s*=\s*["']?(https?:)?//""", html
    )  # offline: no remote assets
    stored = liaison("list", "--kind", "assessment", "--json", cwd=tmp_path, env=env)
    assert len(stored.stdout.splitlines()) >= 5  # two runs stored their results as records
    bad = liaison("assess", "--group", "no such group", cwd=tmp_path, env=env)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr
    assert "no such group" in bad.stderr


HEAVY = ("numpy", "polars", "scipy", "matplotlib", "h3", "httpx", "starlette", "uvicorn")


def _imported(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "liaison", *args],
        cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}


def test_version_and_list_import_no_heavy_library(node_dir: Path, tmp_path: Path) -> None:
    for args in (["--version"], ["list", "--node", str(node_dir)],
                 ["list", "--json", "--kind", "party", "--node", str(node_dir)]):  # fmt: skip
        modules = _imported(args, tmp_path)
        loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
        assert loaded == [], (args, loaded)


def test_the_lazy_table_matches_each_command() -> None:
    import importlib

    from liaison.cli import COMMANDS

    for name, (module, attr, help_text) in COMMANDS.items():
        command = getattr(importlib.import_module(f"liaison.cli.{module}"), attr)
        assert command.name in (name, attr), name
        assert command.get_short_help_str(500).rstrip(".") == help_text.rstrip("."), name


def test_party_and_group_add_list_and_names_wherever_ids_are(
    node_dir: Path, tmp_path: Path
) -> None:
    env = {"LIAISON_NODE": str(node_dir)}
    added = liaison("party", "add", "nl", "--description", "Netherlands MoD", cwd=tmp_path, env=env)
    assert added.returncode == 0, added.stderr
    nl_id = added.stdout.split(": ")[1].split()[0]
    group = liaison("group", "add", "Islamic State", "--alias", "ISIL", cwd=tmp_path, env=env)
    assert group.returncode == 0, group.stderr
    again = liaison("group", "add", "isil", cwd=tmp_path, env=env)
    assert again.returncode == 1 and "already exists" in again.stderr
    parties = liaison("party", "list", cwd=tmp_path, env=env).stdout
    assert (
        "nl\t" + nl_id + "\texternal" in parties and "fr\t" in parties and "(this node)" in parties
    )
    assert "ISIL" in liaison("group", "list", cwd=tmp_path, env=env).stdout

    strike = next(
        o for o in example_objects(party_id(node_dir)) if o["type"] == "liaison-strike-report"
    )
    group_id = orjson.loads(liaison("group", "list", "--json", cwd=tmp_path, env=env).stdout)["id"]
    strike |= {"party_ref": nl_id, "target_group_ref": group_id}
    done = liaison(
        "ingest", str(write_bundle(tmp_path / "s.json", [strike])), cwd=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr

    by_name = liaison(
        "list", "--party", "NL", "--kind", "strike-report", "--json", cwd=tmp_path, env=env
    )
    assert [orjson.loads(x)["id"] for x in by_name.stdout.splitlines()] == [strike["id"]]
    by_alias = liaison("list", "--group", "isil", "--json", cwd=tmp_path, env=env)
    assert strike["id"] in by_alias.stdout
    table = liaison("list", "--kind", "strike-report", cwd=tmp_path, env=env).stdout
    assert "nl" in table and "Islamic State" in table  # names beside ids
    shown = liaison("show", "ISIL", "--json", cwd=tmp_path, env=env)
    assert orjson.loads(shown.stdout)["id"] == group_id

    unknown = liaison("list", "--party", "uk", cwd=tmp_path, env=env)
    assert unknown.returncode == 5
    assert "no party named 'uk'" in unknown.stderr and "fr, nl" in unknown.stderr
    out = tmp_path / "nl.csv"
    exported = liaison(
        "export", "--format", "csv", "--party", "nl", str(out), cwd=tmp_path, env=env
    )
    assert exported.returncode == 0, exported.stderr
    ids = [line.split(",")[0] for line in out.read_text().splitlines()[1:]]
    assert sorted(ids) == sorted([nl_id, strike["id"]])


def test_csv_export_neutralises_formulas_but_not_numbers(node_dir: Path, tmp_path: Path) -> None:
    env = {"LIAISON_NODE": str(node_dir)}
    strike = next(
        o for o in example_objects(party_id(node_dir)) if o["type"] == "liaison-strike-report"
    )
    evil = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    objs = [strike | {"id": f"liaison-strike-report--{i:08x}-0000-4000-8000-000000000000",
                      "place_name": text, "longitude": -3.5}
            for i, text in enumerate(evil)]  # fmt: skip
    assert (
        liaison(
            "ingest", str(write_bundle(tmp_path / "e.json", objs)), cwd=tmp_path, env=env
        ).returncode
        == 0
    )
    out = tmp_path / "e.csv"
    assert liaison("export", "--format", "csv", "--kind", "strike-report", str(out), cwd=tmp_path,
                   env=env).returncode == 0  # fmt: skip
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert sorted(r["place"] for r in rows) == sorted("'" + t for t in evil)
    assert {r["longitude"] for r in rows} == {"-3.5"}  # a number is not a formula


def test_export_checks_its_output_path_before_any_work(node_dir: Path, tmp_path: Path) -> None:
    env = {"LIAISON_NODE": str(node_dir)}
    before = liaison("audit", "verify", cwd=tmp_path, env=env).stdout
    cases = (
        (tmp_path / "missing" / "x.json", "does not exist", 1),
        (tmp_path, "is a directory", 2),
    )
    for target, why, code in cases:
        done = liaison("export", "--format", "stix", str(target), cwd=tmp_path, env=env)
        assert done.returncode == code, done.stderr
        assert why in done.stderr and "Traceback" not in done.stderr
    assert liaison("audit", "verify", cwd=tmp_path, env=env).stdout == before  # nothing audited


def test_ingest_rejects_file_holds_every_refusal(node_dir: Path, tmp_path: Path) -> None:
    env = {"LIAISON_NODE": str(node_dir)}
    objs = example_objects(party_id(node_dir))
    next(o for o in objs if o["type"] == "location")["latitude"] = 91.5
    next(o for o in objs if o["type"] == "liaison-strike-report")["means"] = "catapult"
    rejects = tmp_path / "rejects.txt"
    done = liaison("ingest", "--skip-invalid", "--rejects", str(rejects),
                   str(write_bundle(tmp_path / "b.json", objs)), cwd=tmp_path, env=env)  # fmt: skip
    assert done.returncode == 1
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert any("b.json object #" in x and "field 'latitude'" in x for x in lines)
    assert any("field 'means'" in x and "catapult" in x for x in lines)
    nowhere = str(tmp_path / "no" / "r.txt")
    missing = liaison(
        "ingest", "--rejects", nowhere, str(tmp_path / "b.json"), cwd=tmp_path, env=env
    )
    assert missing.returncode == 1 and "--rejects" in missing.stderr
