"""`make demo` end to end: two nodes exchange, verify, assess, and keep clean audit logs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path


def test_two_party_demo(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "liaison.demo", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=600,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    pulled = re.findall(r"(\w+) pulled from (\w+): ([\d,]+) accepted, (\d+) refused", out)
    assert {(a, b) for a, b, _, _ in pulled} == {("ru", "fr"), ("fr", "ru")}
    assert all(int(n.replace(",", "")) > 0 and refused == "0" for _, _, n, refused in pulled)
    assert out.count("audit log intact") == 2
    assert "fr keeps from ru" in out and "ru keeps from fr" in out
    for party in ("fr", "ru"):
        report = tmp_path / "demo" / party / "report" / "report.html"
        assert report.is_file()
    # the second party's strikes mostly fell elsewhere than the Islamic State's areas
    shares = re.findall(
        r"share of (\w+)'s strikes where the Islamic State was present: (\d+)%", out
    )
    by_party = {}
    for party, share in shares:
        by_party.setdefault(party, []).append(int(share))
    assert min(by_party["fr"]) > 70
    assert max(by_party["ru"]) < 40
