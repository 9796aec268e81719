"""Command-line start-up: ``liaison --version`` and ``liaison list`` (a node holding
1,000 records, 20 listed), wall time of the real script in a fresh process, median
of repeated runs. Target: each ≤ 0.5 s (issue 10)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from benchmarks._data import strike_and_presence, write_bundle

TARGET_S = 0.5


def _liaison() -> list[str]:
    script = Path(sys.executable).with_name("liaison")
    return [str(script)] if script.exists() else [sys.executable, "-m", "liaison"]


def _median_s(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([*_liaison(), *args], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    runs = 5 if quick else 21
    with tempfile.TemporaryDirectory() as tmp:
        node = Path(tmp) / "node"
        subprocess.run([*_liaison(), "init", str(node), "--party", "bench"], check=True,
                       capture_output=True)  # fmt: skip
        bundle = Path(tmp) / "records.json"
        write_bundle(bundle, strike_and_presence(1_000, f"identity--{uuid.uuid4()}", seed=5))
        subprocess.run([*_liaison(), "ingest", "--node", str(node), str(bundle)], check=True,
                       capture_output=True)  # fmt: skip
        figures = {
            "liaison --version": _median_s(["--version"], runs),
            "liaison list (20 of 1,000 records)": _median_s(
                ["list", "--node", str(node), "--limit", "20"], runs
            ),
            "liaison list --json --kind strike-report": _median_s(
                ["list", "--node", str(node), "--json", "--kind", "strike-report"], runs
            ),
        }
    for label, seconds in figures.items():
        verdict = "ok" if seconds <= TARGET_S else "OVER TARGET"
        target = f"target ≤ {TARGET_S * 1000:.0f} ms, {verdict}"
        print(f"   {label}: {seconds * 1000:.0f} ms median of {runs} ({target})")


if __name__ == "__main__":
    main(sys.argv[1:])
