"""The real case, end to end on the shared data (offline)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from liaison.data.realcase import PERIODS, PUBLISHED, find_data, main, run_real_case


def test_real_case_writes_the_report(shared: Path, tmp_path: Path) -> None:
    case = run_real_case(shared, tmp_path / "real-case")
    assert case.seconds < 300  # make real-case: within 5 minutes
    payload = orjson.loads((tmp_path / "real-case" / "real-case.json").read_bytes())
    assert payload["method_version"] == case.method_version
    assert set(payload["periods"]) == set(PERIODS)
    assert all(s["refused"] == 0 for s in payload["sources"])
    for period in payload["periods"].values():
        parties = {p["party"]: p for p in period["parties"]}
        assert set(parties) == {
            "CJTF-OIR (US-led coalition)",
            "Russia",
            "Netherlands (Ministry of Defence)",
        }
        for p in parties.values():
            assert 0 <= p["ci_low"] <= p["share"] <= p["ci_high"] <= 1
            assert p["share"] <= p["share_any"]
            assert len(p["sensitivity"]) >= 5  # method 2: floor and scale, one at a time
        # the coalition's strikes fall where IS was present far more often than the
        # strikes the Syrian Archive attributes to Russia
        assert parties["CJTF-OIR (US-led coalition)"]["share_any"] > parties["Russia"]["share_any"]
    text = (tmp_path / "real-case" / "real-case.md").read_text()
    assert "## Published estimates" in text and all(p[0] in text for p in PUBLISHED)
    assert (tmp_path / "real-case" / "report" / "report.html").is_file()
    with pytest.raises(SystemExit, match="was not made by the real case"):
        run_real_case(shared, tmp_path)  # never removes a folder it did not make


def test_missing_data_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LIAISON_DATA", raising=False)
    assert find_data(tmp_path / "nothing") is None
    with pytest.raises(SystemExit, match="shared data folder was not found"):
        main(["--data", str(tmp_path / "nothing")])
