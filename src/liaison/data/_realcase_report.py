"""The real case's Markdown report (``real-case.md``) from its JSON payload."""

from __future__ import annotations

from typing import Any

__all__ = ["render_markdown"]


def _pct(x: Any) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def render_markdown(payload: dict[str, Any]) -> str:
    """The report: data accounting, the targeting share per party and period with
    its interval, its sensitivity, and the published estimates beside it."""
    out = [
        "# The real case: targeting share on the Islamic State, 2015–2016",
        "",
        f"Method `{payload['method_version']}`; {payload['seconds']:.0f} s. "
        "Figures: share of each party's strikes (weighted by their count) on places the "
        "Islamic State held, read from the control field over each strike's possible "
        "cells under the party's own prior (docs/method.md §3), with its 95 % interval "
        "(sampling, location, control, evidence, defaults); `share any` counts every "
        "strike where IS was a plausible target (P ≥ 10 %), also where another group was "
        "more likely. See docs/real-case.md.",
        "",
        "## Data read",
        "",
        "| source | rows | records stored | rows not made records (reason: count) | flagged |",
        "|---|---:|---:|---|---|",
    ]
    for s in payload["sources"]:
        explained = ", ".join(f"{k}: {v:,}" for k, v in sorted(s["explained"].items())) or "none"
        flagged = ", ".join(f"{k}: {v:,}" for k, v in sorted(s["flagged"].items())) or "none"
        out.append(f"| {s['label']} | {s['rows']:,} | {s['stored']:,} | {explained} | {flagged} |")
    notes = [(s["label"], k, v) for s in payload["sources"] for k, v in s["notes"].items()]
    if notes:
        out += ["", *(f"* {label} — {k}: {v}" for label, k, v in notes)]
    for label, period in payload["periods"].items():
        out += [
            "",
            f"## {label}",
            "",
            "| party | reports | strikes | share on IS | 95 % interval | share any | "
            "no known group | next groups |",
            "|---|---:|---:|---:|---|---:|---:|---|",
        ]
        for p in period["parties"]:
            others = ", ".join(f"{n} {_pct(s)}" for n, s in p["other_groups"]) or "–"
            out.append(
                f"| {p['party']} | {p['reports'] or 0:,} | {p['strikes'] or 0:,} | "
                f"{_pct(p['share'])} | {_pct(p['ci_low'])} – {_pct(p['ci_high'])} | "
                f"{_pct(p['share_any'])} | {_pct(p['no_known_group'])} | {others} |"
            )
        out += [
            "",
            "Sensitivity of the share on IS (share / share any) to the evidence scale and "
            "the floor:",
            "",
        ]
        for p in period["parties"]:
            if not p["sensitivity"]:
                continue
            tolerances = sorted({s["tolerance_m"] for s in p["sensitivity"]})
            thresholds = sorted({s["threshold"] for s in p["sensitivity"]})
            cell = {(s["threshold"], s["tolerance_m"]): s for s in p["sensitivity"]}
            out += [
                f"*{p['party']}*",
                "",
                "| scale | " + " | ".join(f"floor {t / 1000:.1f} km" for t in tolerances) + " |",
                "|---|" + "---:|" * len(tolerances),
            ]
            for th in thresholds:
                cells = [cell.get((th, t)) for t in tolerances]
                out.append(
                    f"| {th} | "
                    + " | ".join(
                        "–" if c is None else f"{_pct(c['share'])} / {_pct(c['share_any'])}"
                        for c in cells
                    )
                    + " |"
                )
            out.append("")
        if period["messages"]:
            out += ["Method messages:", "", *(f"* {m}" for m in period["messages"]), ""]
        out.append(f"Inputs digest `{period['inputs_digest']}`; inputs {period['inputs']}.")
    out += [
        "",
        "## Published estimates",
        "",
        "| source | basis | share of Russian strikes on IS | period |",
        "|---|---|---|---|",
        *(
            f"| {p['source']} | {p['basis']} | {p['share']} | {p['period']} |"
            for p in payload["published"]
        ),
        "",
    ]
    return "\n".join(out)
