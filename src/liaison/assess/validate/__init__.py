"""Validation of the method on scenario families with known ground truth (issue 7).

``python -m liaison.assess.validate [--family F] [--scenarios 20] [--quick] [--jobs 2]
[--json FILE]`` assesses every family's scenarios at default parameters, prints one
table per family with every acceptance criterion, the newsroom baseline beside the
method, and a sensitivity table over the defaults; it exits 1 when a criterion fails.
"""

from __future__ import annotations

from .baseline import evidence_rule_shares, newsroom_share
from .cli import Task, main, run_task
from .criteria import Criterion, summarise
from .score import ScenarioScore, placebo_failed, score

__all__ = [
    "Criterion",
    "ScenarioScore",
    "Task",
    "evidence_rule_shares",
    "main",
    "newsroom_share",
    "placebo_failed",
    "run_task",
    "score",
    "summarise",
]
