"""An offline HTML report of an assessment: tables and inline SVG figures (matplotlib Agg)."""

from __future__ import annotations

import html
import io
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from .result import AssessmentResult

__all__ = ["render_html", "write_report"]

_CSS = """body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:right}th{background:#eee}td.l,th.l{text-align:left}
.warning{color:#a40}h2{border-bottom:2px solid #446;margin-top:2em}"""


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "liaison", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return html.escape(str(v))


def _table(header: list[str], rows: list[list[Any]], left: int = 1) -> str:
    head = "".join(
        f'<th class="{"l" if i < left else ""}">{html.escape(h)}</th>' for i, h in enumerate(header)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"l" if i < left else ""}">{_fmt(v)}</td>' for i, v in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _state(data: dict[str, Any], name: dict[str, str]) -> str:
    if not data["group_state"]:
        return "<p>No group in the selection.</p>"
    fig = Figure(figsize=(11, 3.5))
    a1, a2 = fig.subplots(1, 2)
    for g in data["group_state"]:
        weeks = [np.datetime64(w["week_start"], "ms") for w in g["weeks"]]
        a1.plot(weeks, [w["activity"] for w in g["weeks"]], label=name[g["group"]])
        a2.plot(weeks, [w["footprint_km2"] for w in g["weeks"]], label=name[g["group"]])
    a1.set_title("activity (events initiated per week)")
    a2.set_title("footprint (km², P ≥ θ)")
    for a in (a1, a2):
        a.set_xlabel("week")
        a.tick_params(axis="x", labelrotation=30, labelsize=7)
    a1.legend(fontsize=7)
    rows = [
        [name[g["group"]], g["summary"]["activity_total"], g["summary"]["footprint_km2_first"],
         g["summary"]["footprint_km2_last"], g["summary"]["logistics_traffic_total"],
         g["summary"]["activity_trend_per_week"],
         *(g["summary"]["activity_trend_ci"] or [None, None]),
         g["summary"]["weeks_without_data"]]
        for g in data["group_state"]
    ]  # fmt: skip
    header = ["group", "events", "footprint first", "footprint last", "traffic",
              "trend /week", "trend low", "trend high", "weeks w/o data"]  # fmt: skip
    return _svg(fig) + _table(header, rows)


def _targeting(data: dict[str, Any], name: dict[str, str]) -> str:
    rows, bars = [], []
    for r in data["targeting"]:
        for g in r.get("groups", []):
            certain = (g.get("ambiguous_bounds") or [None])[0]
            rows.append([name[r["party"]], name[g["group"]], g["share"], g["ci_low"], g["ci_high"],
                         certain, g["share_any"], g["claimed_share"]])  # fmt: skip
            bars.append((f"{name[r['party']]} / {name[g['group']]}", g))
        if "no_known_group" in r:
            n = r["no_known_group"]
            rows.append(
                [
                    name[r["party"]],
                    "no known group",
                    n["share"],
                    n["ci_low"],
                    n["ci_high"],
                    None,
                    None,
                    None,
                ]
            )
    if not bars:
        return "<p>No strike in the selection.</p>"
    fig = Figure(figsize=(9, 0.3 * len(bars) + 1))
    ax = fig.subplots()
    ys = list(range(len(bars)))
    ax.barh(ys, [b[1]["share"] for b in bars], color="#6a8fc7")
    ax.errorbar([b[1]["share"] for b in bars], ys, fmt="none", ecolor="k",
                xerr=[[b[1]["share"] - b[1]["ci_low"] for b in bars],
                      [b[1]["ci_high"] - b[1]["share"] for b in bars]])  # fmt: skip
    ax.set_yticks(ys, [b[0] for b in bars], fontsize=7)
    ax.set_xlabel("targeting share (95 % CI)")
    header = ["party", "group", "share", "CI low", "CI high", "share (all but certain)",
              "share (any)", "claimed"]  # fmt: skip
    return _svg(fig) + _table(header, rows, left=2)


def _effects(data: dict[str, Any], name: dict[str, str]) -> str:
    est = [r for r in data["effects"] if r.get("effect") is not None]
    rows = [
        [name[r["party"]], r["target_category"], r["outcome"], r["treated"], r.get("effect"),
         r.get("ci_low"), r.get("ci_high"), r.get("significant"), r.get("message")]
        for r in data["effects"]
    ]  # fmt: skip
    if not est:
        return "<p>No estimable strike effect.</p>" + _table(
            ["party", "category", "outcome", "treated", "effect", "low", "high", "sig.", "note"],
            rows,
            3,
        )
    fig = Figure(figsize=(12, 0.28 * len(est) + 1.5))
    a1, a2 = fig.subplots(1, 2)
    ys = list(range(len(est)))
    a1.errorbar([r["effect"] for r in est], ys, fmt="o", ms=3,
                xerr=[[r["effect"] - r["ci_low"] for r in est],
                      [r["ci_high"] - r["effect"] for r in est]])  # fmt: skip
    a1.axvline(0, color="grey", lw=0.8)
    a1.set_yticks(
        ys, [f"{name[r['party']]} {r['target_category']} ({r['outcome']})" for r in est], fontsize=6
    )
    a1.set_xlabel("relative effect, weeks 0…W−1 (95 % CI)")
    for r in est:
        study = [e for e in r["event_study"] if e["effect"] is not None]
        mids = [(e["weeks_since_strike"][0] + e["weeks_since_strike"][1]) / 2 for e in study]
        a2.plot(mids, [e["effect"] for e in study], lw=0.8, marker="o", ms=2)
    a2.axhline(0, color="grey", lw=0.8)
    a2.set_title("event study (all rows)")
    a2.set_xlabel("weeks since the last strike (bin centre)")
    header = ["party", "category", "outcome", "treated", "effect", "low", "high", "sig.", "note"]
    return _svg(fig) + _table(header, rows, left=3)


def _corroboration(data: dict[str, Any], name: dict[str, str]) -> str:
    rows = [
        [name[r["party"]], r["claims"], r["observed"], r.get("corroboration_rate"),
         r.get("claimed_success_rate_observed"), r.get("observed_success_rate"),
         r.get("inflation_points"), *(r.get("inflation_ci") or [None, None])]
        for r in data["corroboration"]
    ]  # fmt: skip
    header = ["party", "claims", "observed", "rate", "claimed success", "observed success",
              "inflation (points)", "low", "high"]  # fmt: skip
    harm = data["harm"]
    hrows = [[name[p["party"]], p["linked"], p["named_not_linked"], p["civilian_casualties_low"],
              p["civilian_casualties_high"],
              ", ".join(f"{k} {v}" for k, v in p["by_grading"].items())]
             for p in harm["parties"]]  # fmt: skip
    return (
        _table(header, rows)
        + f"<p>{harm['allegations']} harm allegations, "
        + f"{harm['unlinked']} not linked to any strike.</p>"
        + _table(
            ["party", "linked", "named, not linked", "casualties low", "high", "gradings"], hrows
        )
    )


def _designations(data: dict[str, Any], name: dict[str, str]) -> str:
    d = data["designations"]
    header = ["group", *(name.get(p, p) for p in d["parties"]), "agreement"]
    rows = [
        [name[m["group"]], *(m["statuses"].get(p) for p in d["parties"]), m["agreement"]]
        for m in d["matrix"]
    ]
    return _table(header, rows, left=len(header))


def render_html(result: AssessmentResult) -> str:
    """The report as one self-contained HTML page."""
    data = result.data
    name = {g["id"]: g["name"] for g in data["groups"]} | {
        p["id"]: p["name"] for p in data["parties"]
    }
    msgs = "".join(
        f'<li class="{m["level"]}">{html.escape(m["code"])}: {html.escape(m["text"])}</li>'
        for m in data["messages"]
    )
    params = _table(
        ["parameter", "value"], [[k, str(v)] for k, v in sorted(data["parameters"].items())]
    )
    parts = [
        ("Group state", _state(data, name)),
        ("Targeting share", _targeting(data, name)),
        ("Strike effects", _effects(data, name)),
        ("Corroboration and harm", _corroboration(data, name)),
        ("Designations", _designations(data, name)),
        ("Parameters", params),
    ]
    body = "".join(f"<h2>{t}</h2>{c}" for t, c in parts)
    period = data["period"]
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>liaison assessment</title>"
        f"<style>{_CSS}</style></head><body><h1>Assessment</h1>"
        f"<p>Method {html.escape(data['method_version'])} · inputs digest "
        f"<code>{data['inputs_digest']}</code> · {period['weeks']} weeks · "
        f"H3 resolution {period['resolution']}</p><ul>{msgs}</ul>{body}</body></html>\n"
    )


def write_report(result: AssessmentResult, out_dir: Path) -> Path:
    """Write ``report.html`` (and ``assessment.json``) into ``out_dir``; returns the HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "assessment.json").write_bytes(result.to_json_bytes())
    path = out_dir / "report.html"
    path.write_text(render_html(result), encoding="utf-8")
    return path
