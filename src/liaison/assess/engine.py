"""``run``: the whole method over one selection of inputs."""

from __future__ import annotations

from typing import Any

from .corroboration import corroboration, harm_links
from .designations import designations
from .effects import strike_effects
from .errors import AssessmentError, Messages
from .grid import week_start_ms
from .inputs import AssessmentInputs, inputs_digest
from .params import METHOD_VERSION, Params
from .prepare import Prepared, prepare
from .presence import control_field
from .result import AssessmentResult, canonical
from .state import group_state
from .targeting import targeting

__all__ = ["run"]


def _resolve(
    value: str | None, ids: tuple[str, ...], names: tuple[str, ...], what: str
) -> list[str]:
    if value is None:
        return list(ids)
    wanted = value.strip().lower()
    hits = [i for i, n in zip(ids, names, strict=True) if wanted in (i.lower(), n.lower())]
    if not hits:
        known = ", ".join(sorted(names)) or "none"
        raise AssessmentError(f"no {what} matches {value!r} in the selection; known: {known}")
    return hits


def run(
    inputs: AssessmentInputs,
    params: Params | None = None,
    *,
    group: str | None = None,
    party: str | None = None,
    period: tuple[int, int] | None = None,
) -> AssessmentResult:
    """Assess ``inputs`` per DESIGN.md "The method".

    ``group`` and ``party`` (id or name) narrow what is reported; ``period`` is
    ``(start_ms, end_ms)`` (epoch milliseconds, UTC). Raises ``AssessmentError``
    when nothing can be assessed; partial problems become ``messages``.
    """
    params = params or Params()
    msgs = Messages()
    prep = prepare(inputs, params, period, msgs)
    groups = _resolve(group, prep.groups, prep.group_names, "group")
    parties = _resolve(party, prep.parties, prep.party_names, "party")
    if len(prep.parties) < 2:
        msgs.info(
            "single-party",
            "only one party in the selection: "
            "no cross-party corroboration or designation comparison",
        )
    field = control_field(prep, params)
    p = field.p
    state = [s for s in group_state(p, prep, params) if s["group"] in groups]
    shares = targeting(field, prep, params, parties)
    for row in shares:
        if "groups" in row:
            row["groups"] = [g for g in row["groups"] if g["group"] in groups]
        for note in row.get("evidence", {}).get("notes", []):
            msgs.warn("thin-evidence", f"{_party_name(prep, row['party'])}: {note}")
    effects = strike_effects(field, prep, params, parties, msgs)
    data: dict[str, Any] = {
        "method_version": METHOD_VERSION,
        "parameters": params.to_dict(),
        "inputs_digest": inputs_digest(inputs),
        "inputs": inputs.counts(),
        "selection": {"group": group, "party": party, "period": list(period) if period else None},
        "period": _period(prep),
        "groups": [
            {"id": g, "name": n} for g, n in zip(prep.groups, prep.group_names, strict=True)
        ],
        "parties": [
            {"id": i, "name": n} for i, n in zip(prep.parties, prep.party_names, strict=True)
        ],
        "group_state": state,
        "targeting": shares,
        "effects": effects,
        "corroboration": corroboration(prep, params, parties, msgs),
        "harm": harm_links(prep, params, parties),
        "designations": designations(prep, groups, msgs),
        "messages": msgs.entries,
    }
    for row in state:
        if "message" in row:
            msgs.warn("group-without-records", f"{_name(prep, row['group'])}: {row['message']}")
    return AssessmentResult(canonical(data, params.float_digits))


def _period(prep: Prepared) -> dict[str, Any]:
    return {
        "start": week_start_ms(prep.week0 + prep.first),
        "end": week_start_ms(prep.week0 + prep.last + 1),
        "weeks": prep.last - prep.first + 1,
        "resolution": prep.grid.resolution,
        "cells": prep.grid.n_cells,
    }


def _party_name(prep: Prepared, party: str) -> str:
    return dict(zip(prep.parties, prep.party_names, strict=True)).get(party, party)


def _name(prep: Prepared, group: str) -> str:
    return dict(zip(prep.groups, prep.group_names, strict=True)).get(group, group)
