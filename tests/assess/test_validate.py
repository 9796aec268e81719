"""A fast subset of the validation: two scenarios through the same scoring as `validate`."""

from __future__ import annotations

from liaison.assess import Params
from liaison.assess.validate import score_scenario, summarise


def test_two_scenarios_meet_the_criteria() -> None:
    scores = [score_scenario(seed, Params(bootstrap_replicates=200)) for seed in (21, 22)]
    rows = {c.name: c for c in summarise(scores)}
    assert not rows["scenarios"].passed  # two, not twenty
    failed = [c for name, c in rows.items() if name != "scenarios" and not c.passed]
    # with 2 scenarios a single unlucky effect estimate may miss ±25 %; nothing else may fail
    assert all(c.name.startswith("effects ≥ 20 %: sign right and") for c in failed), failed
