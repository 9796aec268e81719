"""`liaison release`, `policy explain` and `policy withheld` say what the table
holds (click runner, a real node): one library call each."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from liaison.cli import cli
from liaison.ingest import ingest_objects
from liaison.node import open_node
from liaison.records.examples import example_objects


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_release_explain_and_withheld_commands_agree(tmp_path: Path) -> None:
    fr_dir = tmp_path / "fr"
    _run("init", str(fr_dir), "--party", "fr")
    with open_node(fr_dir) as fr:
        me = fr.party_id
        strike = next(o for o in example_objects(me) if o["type"] == "liaison-strike-report")
        assert ingest_objects(fr, [strike], source="t").ok
    node = ("--node", str(fr_dir))
    _run("partner", "add", "ru", "--url", "http://127.0.0.1:1/api/", "--unsigned", *node)
    config = fr_dir / "liaison.toml"
    base = config.read_text(encoding="utf-8")
    config.write_text(base + '\n[[partners.ru.rules]]\nkinds = ["strike-report"]\n')
    assert "released: ru 2" in _run("release", *node)  # the strike and fr's identity
    explained = _run("policy", "explain", me, "--to", "ru", *node)
    assert "released by the own-identity rule" in explained
    assert "in ru's release table: version" in explained
    assert "0 record(s) withheld from ru" in _run("policy", "withheld", "--to", "ru", *node)
    # the strike is from 2016: 9,000 days from then is still ahead (the CLI runs on the real clock)
    config.write_text(
        base + '\n[[partners.ru.rules]]\nkinds = ["strike-report"]\ndelay = "9000d"\n'
    )
    out = _run("release", *node)
    assert "1 delayed" in out and "1 withdrawn" in out and "decided again" in out
    explained = _run("policy", "explain", strike["id"], "--to", "ru", *node)
    assert "delayed until" in explained and "is not in ru's release table" in explained
    withheld = _run("policy", "withheld", "--to", "ru", *node)
    assert "1 record(s) withheld from ru" in withheld and "delayed until" in withheld
