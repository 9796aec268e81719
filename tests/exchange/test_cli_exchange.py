"""The exchange commands, end to end (click runner, real nodes, real HTTP)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from liaison.cli import cli
from liaison.exchange import ServerThread, create_app
from liaison.ingest import ingest_objects
from liaison.node import open_node
from liaison.records.examples import example_objects
from tests.exchange.conftest import STRIKE_POLICY


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_partner_policy_serve_sync_commands(tmp_path: Path) -> None:
    fr_dir, ru_dir = tmp_path / "fr", tmp_path / "ru"
    _run("init", str(fr_dir), "--party", "fr")
    _run("init", str(ru_dir), "--party", "ru")
    fr_key, ru_key = tmp_path / "fr.pub", tmp_path / "ru.pub"
    fr_key.write_text(_run("key", "show", "--node", str(fr_dir)))
    ru_key.write_text(_run("key", "show", "--node", str(ru_dir)))
    with open_node(fr_dir) as fr:
        strike = next(o for o in example_objects(fr.party_id) if o["type"] != "identity"
                      and o["type"] == "liaison-strike-report")  # fmt: skip
        person = next(o for o in example_objects(fr.party_id) if o["type"] == "liaison-person")
        assert ingest_objects(fr, [strike, person], source="t").ok
    with (fr_dir / "liaison.toml").open("a") as fh:
        fh.write(STRIKE_POLICY)
    out = _run("partner", "add", "ru", "--url", "http://127.0.0.1:1/api/",
               "--public-key", str(ru_key), "--node", str(fr_dir))  # fmt: skip
    assert "released: ru 2" in out
    token = _run("partner", "token", "ru", "--node", str(fr_dir)).strip()
    assert token.startswith("lsn_")
    assert token not in (fr_dir / "store.db").read_bytes().decode("latin-1")
    assert "policies valid" in _run("policy", "check", "--node", str(fr_dir))
    kept = _run("policy", "withheld", "--to", "ru", "--node", str(fr_dir))
    assert "1 record(s) withheld from ru" in kept
    assert "person" in kept and "local only" in kept
    explained = _run("policy", "explain", strike["id"], "--to", "ru", "--node", str(fr_dir))
    assert "strikes coarse" in explained and "in ru's release table" in explained
    cred = tmp_path / "cred"
    cred.write_text(token)
    with open_node(fr_dir) as fr, ServerThread(create_app(fr)) as srv:
        _run("partner", "add", "fr", "--url", f"{srv.url}/api/", "--public-key", str(fr_key),
             "--credential-file", str(cred), "--node", str(ru_dir))  # fmt: skip
        synced = _run("sync", "--node", str(ru_dir))
    assert "fr: 2 accepted, 0 unchanged, 0 refused" in synced
    listed = _run("partner", "list", "--node", str(ru_dir))
    assert "pulled 2" in listed
    shown = _run("show", strike["id"], "--node", str(ru_dir))
    assert "received from: fr" in shown
    assert "from fr" in shown and "signature verified" in shown  # the sync receipt
    (fr_dir / "liaison.toml").open("a").write('\n[[partners.ru.rules]]\nkinds = ["nope"]\n')
    bad = CliRunner().invoke(cli, ["policy", "check", "--node", str(fr_dir)])
    assert bad.exit_code == 1 and "partners.ru.rules[1]" in bad.output
