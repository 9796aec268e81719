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


def test_report_targeting_table_shows_the_certain_share(
    assessed: AssessmentResult, tmp_path: Path
) -> None:
    """The targeting table has the all-but-certain share (the interval's lower bound
    for ambiguous strikes, 2.9.0) as a column, and every row has one cell per column."""
    import re

    text = write_report(assessed, tmp_path).read_text(encoding="utf-8")
    tables = re.findall(r"<table>(.*?)</table>", text, flags=re.S)
    table = next(t for t in tables if "share (all but certain)" in t)
    header = re.findall(r"<th[^>]*>(.*?)</th>", table)
    assert header[5:7] == ["share (all but certain)", "share (any)"]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    groups = sum(len(r.get("groups", [])) for r in assessed.data["targeting"])
    assert len(rows) >= groups > 0
    assert all(len(re.findall(r"<td", r)) == len(header) for r in rows)


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
