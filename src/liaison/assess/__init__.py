"""The assessment method (DESIGN.md "The method") and its validation on simulated conflicts.

Library entry points: ``run``, ``Params``, ``inputs_from_objects``,
``inputs_from_parquet``, ``write_parquet``, ``assessment_objects``; the simulator is
``liaison.assess.simulate``, the HTML report ``liaison.assess.report``.
"""

from __future__ import annotations

from .engine import run
from .errors import AssessmentError
from .inputs import (
    KINDS,
    AssessmentInputs,
    inputs_digest,
    inputs_from_objects,
    inputs_from_parquet,
    write_parquet,
)
from .params import METHOD_VERSION, Params
from .result import AssessmentResult

__all__ = [
    "KINDS",
    "METHOD_VERSION",
    "AssessmentError",
    "AssessmentInputs",
    "AssessmentResult",
    "Params",
    "inputs_digest",
    "inputs_from_objects",
    "inputs_from_parquet",
    "run",
    "write_parquet",
]
