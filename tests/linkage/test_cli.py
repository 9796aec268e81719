"""``liaison link`` end to end through the command line, two served nodes."""

from __future__ import annotations

from click.testing import CliRunner

from liaison.cli import cli
from tests.linkage.conftest import Pair, write_settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_link_commands(pair: Pair) -> None:
    fr, ru = str(pair.fr.root), str(pair.ru.root)
    code, out = run("link", "schema")
    assert code == 0 and "[hardening]" in out and "# fingerprint:" in out
    code, out = run("link", "publish", "ru", "--node", fr)
    assert code == 0 and "published lkb-" in out
    code, out = run("link", "publish", "fr", "--node", ru)
    assert code == 0
    code, out = run("link", "match", "ru", "--node", fr)
    assert code == 0 and "candidates" in out
    pseudonym = out.splitlines()[1].split()[-1]
    code, out = run("link", "request", "ru", pseudonym, "--node", fr)
    assert code == 0 and "pending" in out
    request_id = out.split()[1]
    code, out = run("link", "requests", "--node", ru)
    assert request_id in out and "pending" in out
    code, out = run("link", "approve", request_id, "--node", ru)
    assert code == 1 and "allows no field" in out  # default deny, a clean error
    write_settings(pair.ru, '[linkage.partners.fr]\ndisclose = ["names"]')
    code, out = run("link", "approve", request_id, "--node", ru)
    assert code == 0 and "disclosed to fr" in out
    code, out = run("link", "collect", "ru", "--node", fr)
    assert code == 0 and "stored" in out
    code, out = run("link", "request", "ru", "lkp-nope", "--node", fr)
    assert code == 1 and "not a pseudonym" in out
    code, out = run("link", "publish", "nobody", "--node", fr)
    assert code != 0 and "nobody" in out
