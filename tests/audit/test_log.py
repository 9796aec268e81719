"""`liaison audit log`: entries and refusal reasons by action and time, streamed
page by page from an index, on every backend."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.audit import journal
from liaison.cli import cli
from liaison.ingest import ingest_objects
from liaison.node import Node
from liaison.records.examples import example_objects


def busy(node: Node) -> None:
    """A log with ingests and refusals (one refused object, one refused file)."""
    objs = [o for o in example_objects(node.party_id) if o["type"] != "identity"]
    for i, obj in enumerate(objs[:4]):
        assert ingest_objects(node, [obj], source=f"good-{i}").ok
    bad = dict(objs[0], id="location--not-a-uuid")
    assert not ingest_objects(node, [bad], source="bad-file").ok


def test_filters_by_action_and_time_in_time_order(node: Node) -> None:
    busy(node)
    everything = list(journal.entries(node.store))
    shown = list(journal.log_entries(node.store))
    assert shown == sorted(everything, key=lambda e: (e.at, e.seq))
    refusals = list(journal.log_entries(node.store, actions=["refuse"]))
    assert [e.subject for e in refusals] == ["bad-file"]
    assert "field 'id'" in refusals[0].detail["reason"]
    mixed = list(journal.log_entries(node.store, actions=["refuse", "key-create"]))
    assert [e.action for e in mixed] == ["key-create", "refuse"]
    middle = everything[3].at
    assert list(journal.log_entries(node.store, since=middle)) == [
        e for e in shown if e.at >= middle
    ]
    assert list(journal.log_entries(node.store, actions=["nothing-like-it"])) == []


@settings(max_examples=15, deadline=None)
@given(page=st.integers(1, 4), cut=st.integers(0, 8), actions=st.sets(
    st.sampled_from(["ingest", "refuse", "key-create", "export"]), max_size=3))  # fmt: skip
def test_paging_never_skips_or_repeats(
    tmp_path_factory: pytest.TempPathFactory, page: int, cut: int, actions: set[str]
) -> None:
    from liaison.node import SteppingClock, init_node, seeded_ids

    root = tmp_path_factory.mktemp("log")
    # A clock that repeats timestamps: entries with equal `at` must still page right.
    with init_node(root / "n", "fr", clock=SteppingClock(0, 0), ids=seeded_ids(3)) as node:
        busy(node)
        everything = sorted(journal.entries(node.store), key=lambda e: (e.at, e.seq))
        since = everything[min(cut, len(everything) - 1)].at
        got = list(journal.log_entries(node.store, actions=sorted(actions), since=since, page=page))
        want = [e for e in everything if e.at >= since and (not actions or e.action in actions)]
        assert got == want


def test_every_page_is_an_index_range_scan(node: Node) -> None:
    busy(node)
    for action in (None, "refuse"):
        plan = node.store.explain_audit_by_time(action, "2015-01-01T00:00:00.000Z")
        if node.store.dialect == "sqlite":
            index = "audit_at" if action is None else "audit_action_at"
            assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
        else:
            # A tiny table: ask whether the index *can* serve the page, in order.
            node.store._execute("SET enable_seqscan = off")
            node.store._execute("SET enable_bitmapscan = off")
            plan = node.store.explain_audit_by_time(action, "2015-01-01T00:00:00.000Z")
            index = "audit_at" if action is None else "audit_action_at"
            assert f"Index Scan using {index} on audit" in plan and "Sort" not in plan, plan


def test_the_command(node: Node) -> None:
    busy(node)
    runner = CliRunner()
    home = ["--node", str(node.root)]
    out = runner.invoke(cli, ["audit", "log", "--action", "refuse", *home])
    assert out.exit_code == 0, out.output
    (line,) = out.output.splitlines()
    _, _, action, subject, summary = line.split("\t")
    assert (action, subject) == ("refuse", "bad-file")
    assert summary.startswith("bad-file object #1: ") and "field 'id'" in summary
    as_json = runner.invoke(cli, ["audit", "log", "--json", *home])
    lines = [orjson.loads(x) for x in as_json.output.splitlines()]
    assert [e["seq"] for e in lines] == sorted(e["seq"] for e in lines)
    assert lines[0]["action"] == "key-create" and set(lines[0]) >= {"hash", "prev", "detail"}
    late = runner.invoke(cli, ["audit", "log", "--since", "2999-01-01", *home])
    assert late.exit_code == 0 and late.output == ""
    day = lines[-1]["at"][:10]
    assert runner.invoke(cli, ["audit", "log", "--since", day, *home]).output.count("\n") >= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "--since: 'last tuesday' is not a date (YYYY-MM-DD)"),
        (["--since", "2016-13-45"], "--since: '2016-13-45' is not a date"),
        (["--action", "DROP TABLE"], "--action: 'DROP TABLE' is not an action name"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["init", str(tmp_path / "n"), "--party", "fr"]).exit_code == 0
    out = runner.invoke(cli, ["audit", "log", *args, "--node", str(tmp_path / "n")])
    assert out.exit_code == 2 and message in out.output
    assert "Traceback" not in out.output
