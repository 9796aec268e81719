"""Shared simulated scenarios: simulated and assessed once per test session."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.assess import AssessmentInputs, AssessmentResult, Params, run
from liaison.assess.simulate import SimConfig, simulate_inputs


@pytest.fixture(scope="session")
def scenario() -> tuple[AssessmentInputs, dict[str, Any]]:
    """A full 52-week scenario with 1,500 strikes per party (frames, no JSON)."""
    inputs, truth, _ = simulate_inputs(SimConfig(seed=11))
    return inputs, truth


@pytest.fixture(scope="session")
def assessed(scenario: tuple[AssessmentInputs, dict[str, Any]]) -> AssessmentResult:
    """The default assessment of ``scenario``."""
    return run(scenario[0], Params())
