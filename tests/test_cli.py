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
