"""The HTML report and the assessment records."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import pytest

from liaison.assess import AssessmentResult
from liaison.assess.records_out import assessment_objects
from liaison.assess.report import write_report


def test_report_is_offline_html(assessed: AssessmentResult, tmp_path: Path) -> None:
    path = write_report(assessed, tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") >= 3
    assert "<script" not in text and "<link" not in text
    assert "Targeting share" in text and "Designations" in text
    assert (tmp_path / "assessment.json").read_bytes() == assessed.to_json_bytes()


def test_assessment_objects(assessed: AssessmentResult) -> None:
    counter = itertools.count()

    def new_id(stix_type: str) -> str:
        return f"{stix_type}--00000000-0000-4000-8000-{next(counter):012d}"

    party = assessed.data["parties"][0]["id"]
    objs = assessment_objects(assessed, party, id_factory=new_id, now="2016-06-01T00:00:00.000Z")
    kinds = [o["assessment_type"] for o in objs]
    assert kinds == [
        "group-state",
        "targeting-share",
        "strike-effect",
        "corroboration",
        "designations",
    ]
    assert all(o["inputs_digest"] == assessed.data["inputs_digest"] for o in objs)
    if importlib.util.find_spec("liaison.records") is None:
        pytest.skip("liaison.records not available")
    from liaison.records import parse_record

    for obj in objs:
        parse_record(obj)
