"""The simulator can report as a node's own party (the two-party demo does so)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from liaison.assess.simulate import simulate

NODE_PARTY = "identity--5ec166d2-9758-4c5b-984e-024364ca44a8"


def test_a_party_reports_as_a_given_identity(tmp_path: Path) -> None:
    simulate(tmp_path, seed=2, weeks=12, strikes_per_party=60, bbox=(35, 38, 36.5, 40),
             identities={"A": NODE_PARTY})  # fmt: skip
    objects = orjson.loads((tmp_path / "party-A.json").read_bytes())["objects"]
    strikes = [o for o in objects if o["type"] == "liaison-strike-report"]
    assert strikes
    assert {o["created_by_ref"] for o in strikes} == {NODE_PARTY}
    assert {o["party_ref"] for o in strikes} == {NODE_PARTY}
    assert NODE_PARTY not in {o["id"] for o in objects if o["type"] == "identity"}


def test_identities_for_unknown_parties_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown parties: Z"):
        simulate(tmp_path, seed=2, weeks=12, identities={"Z": NODE_PARTY})
