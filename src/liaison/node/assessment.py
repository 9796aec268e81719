"""Run the assessment method over what a node holds, and keep its results as records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from liaison.assess import AssessmentResult, Params, inputs_from_objects, run
from liaison.assess.records_out import assessment_objects
from liaison.assess.report import write_report
from liaison.node._write import store_objects
from liaison.store import Query

if TYPE_CHECKING:
    from liaison.node import Node

#: Record kinds the method reads.
ASSESSED_KINDS = (
    "party", "group", "designation", "strike-report", "presence", "logistics", "event",
    "harm-allegation",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NodeAssessment:
    """An assessment of a node's records: the result, where its report is, and how
    many assessment records were stored."""

    result: AssessmentResult
    report: Path | None
    stored: int


def assess_node(
    node: Node,
    params: Params | None = None,
    *,
    group: str | None = None,
    party: str | None = None,
    period: tuple[int, int] | None = None,
    out_dir: Path | None = None,
    store_results: bool = True,
) -> NodeAssessment:
    """Assess the latest, non-revoked records of the node (its own and those received).

    Writes the HTML report and JSON into ``out_dir`` when given, and stores the
    assessment as ``liaison-assessment`` records (signed and audited like any
    record) unless ``store_results`` is False.
    """
    query = Query(kinds=ASSESSED_KINDS, include_revoked=False)
    objects = (orjson.loads(v.body) for v in node.store.query(query))
    result = run(inputs_from_objects(objects), params, group=group, party=party, period=period)
    report = write_report(result, out_dir) if out_dir is not None else None
    stored = 0
    if store_results:
        records = assessment_objects(result, node.party_id, id_factory=node.new_id, now=node.now())
        stored = store_objects(node, records, source="liaison assess")
    return NodeAssessment(result, report, stored)
