# ruff: noqa: E501  (the corpus is a table: one case a line)
"""The bad-input corpus: every case runs through the real command line (a
subprocess) and must end with its exit code from the README table, a message
naming the file, row or object and the field, no traceback, and the store
unchanged."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from liaison.records.examples import example_objects

UUID = "0b7b6c7f-9e21-4a1a-8a1a-3f1d1d9a7c8e"
TLP_RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
CSV_HEADER = "ref,date,lat,lon,n,place"
CSV_MAPPING = """kind = "strike-report"
id_columns = ["ref"]
[defaults]
means = "air"
target_category = "vehicle"
claimed_effect = "destroyed"
bda_phase = "physical"
reliability = "B"
credibility = 2
precision = 100
[columns]
time_start = { column = "date", format = "%Y-%m-%d" }
time_end = { column = "date", format = "%Y-%m-%d" }
latitude = { column = "lat", type = "float" }
longitude = { column = "lon", type = "float" }
strikes = { column = "n", type = "int" }
place_name = "place"
"""


@dataclass(frozen=True)
class Case:
    """One bad input: how to make its files, the command line, what must come out."""

    name: str
    make: Callable[[Path, dict[str, Any]], list[str]]
    code: int
    says: tuple[str, ...]


def _bundle(dir: Path, name: str | bytes, objects: list[Any] | bytes) -> str:
    path = Path(os.fsdecode(os.path.join(os.fsencode(dir), os.fsencode(name))))
    body = objects if isinstance(objects, bytes) else orjson.dumps(
        {"type": "bundle", "id": f"bundle--{UUID}", "objects": objects}
    )  # fmt: skip
    path.write_bytes(body)
    return str(path)


def _csv(dir: Path, rows: list[str], mapping: str = CSV_MAPPING) -> list[str]:
    (dir / "s.csv").write_bytes(("\n".join([CSV_HEADER, *rows]) + "\n").encode("latin-1"))
    (dir / "s.toml").write_text(mapping, encoding="utf-8")
    return ["ingest", "--mapping", str(dir / "s.toml"), str(dir / "s.csv")]


def _strike(ex: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return ex["strike-report"] | changes


def _ingest(
    name: str, objects: Callable[[dict[str, Any]], list[Any] | bytes]
) -> Callable[..., list[str]]:
    return lambda d, ex: ["ingest", _bundle(d, name, objects(ex))]


GOOD_ROW = "a1,2015-11-02,35.95,39.01,3,Raqqa"
DEEP = b'{"type":"liaison-strike-report","x":' + b"[" * 100_000 + b"]" * 100_000 + b"}"

CASES = [
    # STIX input: records
    Case("year 0000 time_start", _ingest("y.json", lambda ex: [_strike(ex, time_start="0000-01-01T00:00:00Z")]),
         1, ("y.json object #1", "field 'time_start'", "year 0000")),
    Case("year 0000 created", _ingest("c.json", lambda ex: [_strike(ex, created="0000-01-01T00:00:00.000Z")]),
         1, ("c.json object #1", "field 'created'", "year 0000")),
    Case("latitude out of range", _ingest("l.json", lambda ex: [_strike(ex, latitude=91.5)]),
         1, ("l.json object #1", "field 'latitude'", "<= 90")),
    Case("unknown means", _ingest("m.json", lambda ex: [_strike(ex, means="catapult")]),
         1, ("m.json object #1", "field 'means'", "catapult")),
    Case("unknown liaison type", _ingest("t.json", lambda ex: [_strike(ex, type="liaison-unicorn")]),
         1, ("t.json object #1", "field 'type'", "liaison-unicorn")),
    Case("30 February", _ingest("f.json", lambda ex: [_strike(ex, time_end="2016-02-30T00:00:00Z")]),
         1, ("f.json object #1", "field 'time_end'", "not a valid date")),
    Case("null value", _ingest("n.json", lambda ex: [_strike(ex, munitions=None)]),
         1, ("n.json object #1", "field 'munitions'", "null")),
    Case("a report without created", _ingest("r.json", lambda ex: [{
        "type": "report", "spec_version": "2.1", "id": f"report--{UUID}", "name": "r",
        "modified": "2020-01-01T00:00:00.000Z", "published": "2020-01-01T00:00:00Z",
        "object_refs": [f"identity--{UUID}"]}]),
         1, ("r.json object #1", "field 'created'", "is required")),
    Case("TLP:RED redefined as clear", _ingest("tlp.json", lambda ex: [{
        "type": "marking-definition", "spec_version": "2.1", "id": TLP_RED,
        "created": "2022-10-01T00:00:00.000Z", "name": "TLP:CLEAR", "extensions": {
            "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
                "extension_type": "property-extension", "tlp_2_0": "clear"}}}]),
         1, ("tlp.json object #1", "field 'definition'", "TLP:RED")),
    Case("a changed body under the same version",
         _ingest("v.json", lambda ex: [_strike(ex), _strike(ex, strikes=9)]),
         1, ("v.json object #2", "already exists with a different body")),
    # STIX input: the JSON itself
    Case("deeply nested field", _ingest("deep.json", lambda ex: b'{"type":"bundle","objects":[{"a":1},' + DEEP + b"]}"),
         1, ("deep.json object #2", "nested deeper than 64")),
    Case("duplicate key", _ingest("dup.json", lambda ex: b'{"type":"bundle","objects":[{"type":"threat-actor","name":"a","name":"b"}]}'),
         1, ("dup.json object #1", "duplicate key 'name'")),
    Case("lone surrogate", _ingest("sur.json", lambda ex: orjson.dumps({"type": "bundle", "objects": [
        ex["group"]]}).replace(b'"name":"', b'"name":"\\ud800')),
         1, ("sur.json object #1", "field 'name'", "lone surrogate")),
    Case("NaN", _ingest("nan.json", lambda ex: orjson.dumps({"type": "bundle", "objects": [
        ex["location"]]}).replace(b'"latitude":', b'"latitude":NaN,"x_was":')),
         1, ("nan.json object #1", "NaN is not a JSON number")),
    Case("truncated file", _ingest("cut.json", lambda ex: b'{"type":"bundle","objects":[{"type":"identity",'),
         1, ("cut.json object #1", "malformed JSON")),
    Case("not UTF-8 inside", _ingest("enc.json", lambda ex: b'{"type":"bundle","objects":[{"name":"caf\xe9"}]}'),
         1, ("enc.json", "not valid UTF-8 at byte 40")),
    Case("empty file", _ingest("empty.json", lambda ex: b""), 1, ("empty.json", "not JSON")),
    Case("not a bundle", _ingest("nb.json", lambda ex: b'{"type":"identity","name":"x"}'),
         1, ("nb.json", "not a STIX bundle")),
    Case("file name not UTF-8", _ingest(b"caf\xe9.json", lambda ex: [_strike(ex, latitude=99)]),
         1, ("caf\\xe9.json object #1", "field 'latitude'")),
    Case("missing file", lambda d, ex: ["ingest", str(d / "nope.json")], 1, ("nope.json", "no such file")),
    Case("a folder as input", lambda d, ex: ["ingest", str(d)], 1, ("no such file",)),
    # CSV input
    Case("open quote", lambda d, ex: _csv(d, [GOOD_ROW, 'a2,2015-11-03,36,39,1,"Raqqa', "a3,2015-11-04,36,39,1,X"]),
         1, ("s.csv row 3", "never closed")),
    Case("quote over several lines", lambda d, ex: _csv(d, [GOOD_ROW, 'a2,2015-11-03,36,39,1,"Raq', 'qa"', "a3,2015-11-04,36,39,1,X"]),
         1, ("s.csv row 3", "runs over lines 3–4")),
    Case("too few cells", lambda d, ex: _csv(d, [GOOD_ROW, "a2,2015-11-03,36,39"]),
         1, ("s.csv row 3", "too few cells: 4")),
    Case("too many cells", lambda d, ex: _csv(d, [GOOD_ROW, "a2,2015-11-03,36,39,1,X,Y"]),
         1, ("s.csv row 3", "too many cells: 7")),
    Case("bad date cell", lambda d, ex: _csv(d, ["a1,2015-13-45,35.9,39,1,X"]),
         1, ("s.csv row 2", "field 'time_start'", "'2015-13-45' (column 'date')")),
    Case("NaN cell", lambda d, ex: _csv(d, ["a1,2015-11-02,nan,39,1,X"]),
         1, ("s.csv row 2", "field 'latitude'", "'nan' (column 'lat') is not a float")),
    Case("wrong encoding", lambda d, ex: _csv(d, ["a1,2015-11-02,35.9,39,1,Dayr az-Zawr é"]),
         1, ("s.csv row 2", "not valid utf-8")),
    Case("mapping delimiter empty", lambda d, ex: _csv(d, [GOOD_ROW], 'delimiter = ""\n' + CSV_MAPPING),
         1, ("s.toml.delimiter", "must be one character")),
    Case("mapping format a number", lambda d, ex: _csv(d, [GOOD_ROW], CSV_MAPPING.replace('format = "%Y-%m-%d" }', "format = 5 }", 1)),
         1, ("s.toml: columns.time_start.format", "must be a string")),
    Case("mapping columns a number", lambda d, ex: _csv(d, [GOOD_ROW], CSV_MAPPING.split("[columns]")[0].replace('id_columns', 'columns = 5\nid_columns')),
         1, ("s.toml.columns", "must be a table")),
    Case("mapping key misspelt", lambda d, ex: _csv(d, [GOOD_ROW], "delimeter = ';'\n" + CSV_MAPPING),
         1, ("s.toml", "unknown key(s) delimeter")),
    Case("mapping not TOML", lambda d, ex: _csv(d, [GOOD_ROW], "kind = = 1"), 1, ("s.toml", "not valid TOML")),
    Case("mapping missing", lambda d, ex: ["ingest", "--mapping", str(d / "none.toml"), _csv(d, [GOOD_ROW])[-1]],
         1, ("--mapping", "none.toml", "no such file")),
    Case("CSV without a mapping", lambda d, ex: ["ingest", _csv(d, [GOOD_ROW])[-1]], 1, ("s.csv", "needs a mapping")),
    Case("unknown group name", lambda d, ex: _csv(d, ["a1,2015-11-02,35.9,39,1,Daesh"], CSV_MAPPING.replace(
        'place_name = "place"', 'target_group_ref = { column = "place", lookup = "group" }')),
         1, ("s.csv row 2", "field 'target_group_ref'", "unknown group 'Daesh'")),
    # list, show, export, registry
    Case("list: unknown party", lambda d, ex: ["list", "--party", "atlantis"], 5, ("--party", "no party named 'atlantis'", "known: fr")),
    Case("list: unknown group", lambda d, ex: ["list", "--group", "nobody"], 5, ("--group", "no group named 'nobody'")),
    Case("list: bad --near", lambda d, ex: ["list", "--near", "a,b"], 2, ("--near",)),
    Case("list: --near off the globe", lambda d, ex: ["list", "--near", "95,0,5"], 2, ("--near", "latitude")),
    Case("list: bad --since", lambda d, ex: ["list", "--since", "yesterday"], 2, ("--since", "'yesterday'")),
    Case("list: year 0000 --until", lambda d, ex: ["list", "--until", "0000-01-01"], 2, ("--until",)),
    Case("list: bad kind", lambda d, ex: ["list", "--kind", "Strike Report"], 2, ("--kind", "'Strike Report'")),
    Case("show: no such record", lambda d, ex: ["show", f"liaison-strike-report--{UUID}"], 5, (f"liaison-strike-report--{UUID}",)),
    Case("show: no such name", lambda d, ex: ["show", "atlantis"], 5, ("no record atlantis",)),
    Case("export to a missing folder", lambda d, ex: ["export", "--format", "stix", str(d / "no" / "x.json")],
         1, ("no/x.json", "does not exist")),
    Case("export persons without consent", lambda d, ex: ["export", "--format", "csv", "--kind", "person", str(d / "p.csv")],
         1, ("local only",)),
    Case("export: unknown party", lambda d, ex: ["export", "--format", "stix", "--party", "atlantis", str(d / "x.json")],
         5, ("--party", "atlantis")),
    Case("group add: name taken", lambda d, ex: ["group", "add", "example ARMED group"], 1, ("already exists",)),
    Case("party add: empty name", lambda d, ex: ["party", "add", "  "], 1, ("needs a name",)),
    Case("ingest --rejects to a missing folder", lambda d, ex: ["ingest", "--rejects", str(d / "no" / "r.txt"), _bundle(d, "ok.json", [])],
         1, ("--rejects", "does not exist")),
    # other commands, through the same boundary
    Case("serve: port out of range", lambda d, ex: ["serve", "--port", "99999"], 2, ("--port", "99999")),
    Case("sync: unknown partner", lambda d, ex: ["sync", "atlantis"], 5, ("atlantis",)),
    Case("policy explain: unknown record", lambda d, ex: ["policy", "explain", f"liaison-event--{UUID}", "--to", "x"], 5, (f"liaison-event--{UUID}",)),
    Case("partner add: missing key file", lambda d, ex: ["partner", "add", "ru", "--url", "http://x", "--public-key", str(d / "ru.pub")],
         2, ("--public-key", "ru.pub")),
    Case("partner token: unknown partner", lambda d, ex: ["partner", "token", "atlantis"], 5, ("atlantis",)),
    Case("assess: unknown group", lambda d, ex: ["assess", "--group", "atlantis"], 1, ("atlantis",)),
    Case("assess: missing parameters file", lambda d, ex: ["assess", "--params", str(d / "p.toml")], 2, ("p.toml",)),
    Case("init: already a node", lambda d, ex: ["init", str(ex["_node"]), "--party", "x"], 3, ("already a node",)),
    Case("no such command", lambda d, ex: ["frobnicate"], 2, ("frobnicate",)),
]  # fmt: skip


@pytest.fixture(scope="module")
def corpus_node(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("corpus")
    done = run(["init", str(root / "node"), "--party", "fr"], root, None)
    assert done.returncode == 0, done.stderr
    node = root / "node"
    party = next(ln.split('"')[1] for ln in (node / "liaison.toml").read_text().splitlines()
                 if ln.startswith("party_id"))  # fmt: skip
    examples = {o["type"].removeprefix("liaison-"): o for o in example_objects(party)}
    examples["group"] = examples.pop("threat-actor")
    good = [o for o in example_objects(party) if o["type"] != "identity"]
    done = run(["ingest", _bundle(root, "good.json", good)], root, node)
    assert done.returncode == 0, done.stderr
    examples["_node"] = node
    return node, examples


def run(args: list[str], cwd: Path, node: Path | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LIAISON_NODE": str(node)} if node else dict(os.environ)
    env.pop("LIAISON_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "liaison", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip


def snapshot(node: Path) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(f"file:{node / 'store.db'}?mode=ro", uri=True)
    try:
        return con.execute(
            "SELECT id, modified, digest, latest FROM records ORDER BY rid"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, corpus_node: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    node, examples = corpus_node
    args = case.make(tmp_path, examples)
    before = snapshot(node)
    done = run(args, tmp_path, node)
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out[-3000:]
    assert "internal error" not in out, out[-3000:]
    assert done.returncode == case.code, out[-3000:]
    for fragment in case.says:
        assert fragment in out, (fragment, out[-3000:])
    assert snapshot(node) == before
    assert not list(tmp_path.glob("*.partial")), "a half-written file was left"
