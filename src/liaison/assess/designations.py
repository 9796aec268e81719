"""The designations matrix: each party's status of each group, and where parties agree."""

from __future__ import annotations

from typing import Any

import polars as pl

from .errors import Messages
from .prepare import Prepared

__all__ = ["designations"]


def designations(prep: Prepared, groups: list[str], msgs: Messages) -> dict[str, Any]:
    """Latest status per party × group (as of the period end), and agreement per group.

    ``agreement`` is ``agree`` when every party with a designation gives the same
    status, ``disagree`` when they differ, ``single`` when only one party has one,
    ``none`` when no party has.
    """
    end_ms = _period_end(prep)
    df = prep.frames["designations"].filter(
        pl.col("since_ms").is_null() | (pl.col("since_ms") < end_ms)
    )
    latest = (
        df.sort("since_ms", "modified", "id", nulls_last=False)
        .group_by("party", "group", maintain_order=True)
        .agg(pl.col("status").last())
    )
    table = {(r[0], r[1]): r[2] for r in latest.iter_rows()}
    parties = sorted({p for p, _ in table} | set(prep.parties))
    matrix: list[dict[str, Any]] = []
    for group in groups:
        statuses: dict[str, str | None] = {p: table.get((p, group)) for p in parties}
        given = {s for s in statuses.values() if s is not None}
        n_given = sum(s is not None for s in statuses.values())
        if n_given == 0:
            agreement = "none"
        elif n_given == 1:
            agreement = "single"
        else:
            agreement = "agree" if len(given) == 1 else "disagree"
        matrix.append({"group": group, "statuses": statuses, "agreement": agreement})
    if not table:
        msgs.warn("no-designations", "no designation records: the matrix is empty")
    pairs = []
    for i, a in enumerate(parties):
        for b in parties[i + 1 :]:
            both = [m for m in matrix if m["statuses"][a] and m["statuses"][b]]
            same = sum(m["statuses"][a] == m["statuses"][b] for m in both)
            pairs.append({"parties": [a, b], "compared": len(both), "agree": same})
    return {"parties": parties, "matrix": matrix, "pairs": pairs}


def _period_end(prep: Prepared) -> int:
    from .grid import week_start_ms

    return week_start_ms(prep.week0 + prep.last + 1)
