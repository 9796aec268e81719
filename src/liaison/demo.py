"""``make demo``: two sovereign nodes, ``fr`` and ``ru``, coordinate without allying.

Each ingests its own (simulated) strike reports, presence and logistics
observations plus the same open event data; each decides what the other may
receive (fr: strike reports and Islamic State presence, coarsened to 10 km,
delayed 24 h, without sources; ru: its strike reports as they are); both serve
TAXII 2.1, both sync and verify; each then runs the assessment method on what it
holds. The demo prints what each side holds, what was withheld from whom and
why, the key figures, and where each HTML report is.

Run with ``python -m liaison.demo DIR``; DIR is recreated on each run (only if a
previous demo made it).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from liaison.assess.simulate import simulate
from liaison.data.realcase import demo_step as real_case_step
from liaison.exchange import (
    ServerThread,
    create_app,
    free_port,
    issue_token,
    save_credential,
)
from liaison.linkage.demo import run_linkage
from liaison.node import CONFIG_NAME, Node, audit_report, init_node
from liaison.node.assessment import assess_node
from liaison.records import KINDS
from liaison.release import withheld
from liaison.store import Query
from liaison.workflows import connect_partner, ingest_and_release, sync_and_release

MARKER = ".liaison-demo"
SEED = 2015
BBOX = (34.6, 37.8, 36.6, 40.6)  # around Raqqa, Aleppo, Palmyra: a Syria-like theatre

FR_POLICY = """
# -- release policy (written by the demo) --
[[partners.ru.rules]]
name = "strike reports, coarse and late"
kinds = ["strike-report"]
coarsen_m = 10000
delay = "24h"
strip_sources = true
drop_fields = ["target_description"]

[[partners.ru.rules]]
name = "Islamic State presence, coarse and late"
kinds = ["presence"]
groups = ["{is_group}"]
coarsen_m = 10000
delay = "24h"
strip_sources = true

[[partners.ru.rules]]
name = "designations"
kinds = ["designation"]
"""

RU_POLICY = """
# -- release policy (written by the demo) --
[[partners.fr.rules]]
name = "strike reports as they are"
kinds = ["strike-report"]

[[partners.fr.rules]]
name = "designations"
kinds = ["designation"]
"""


def fresh_dir(path: Path) -> None:
    """Remove a previous demo directory (never a directory the demo did not make)."""
    if path.exists():
        if not (path / MARKER).exists():
            raise SystemExit(f"{path} exists and was not made by the demo; choose another path")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by `make demo`; safe to delete\n")


def _group_named(node: Node, prefix: str) -> str:
    import orjson

    for v in node.store.query(Query(kinds=("group",))):
        if orjson.loads(v.body)["name"].startswith(prefix):
            return v.index.id
    raise SystemExit(f"no group named {prefix!r} in {node.root}")


def _names(node: Node) -> dict[str, str]:
    import orjson

    out = {}
    for v in node.store.query(Query(kinds=("group", "party"))):
        out[v.index.id] = orjson.loads(v.body)["name"]
    return out


def run(root: Path, console: Console) -> None:
    """Build both nodes, exchange, assess, and print what happened."""
    fresh_dir(root)
    fr = init_node(root / "fr", "fr")
    ru = init_node(root / "ru", "ru")
    try:
        console.rule("[bold]1. two sovereign nodes")
        for node in (fr, ru):
            console.print(
                f"node [bold]{node.config.party}[/] in {node.root}: key {node.key.key_id}"
            )
        console.rule("[bold]2. each ingests its own records and the open event data")
        _ingest(root, fr, ru, console)
        console.rule("[bold]3. each decides what the other receives")
        is_group = _group_named(fr, "Islamic State")
        ports = _agree(fr, ru, is_group, console)
        console.rule("[bold]4. both serve TAXII 2.1; both sync and verify")
        _exchange(fr, ru, ports, console)
        console.rule("[bold]5. what each side now holds")
        _holdings(fr, ru, console)
        console.rule("[bold]6. what was withheld, from whom, and why")
        _withheld(fr, ru, console)
        console.rule("[bold]7. each side assesses what it holds")
        for node in (fr, ru):
            _assess(node, is_group, console)
        console.rule("[bold]8. foreign fighters: linkage without disclosure")
        run_linkage(fr, ru, ports, console)
        console.rule("[bold]9. audit")
        for node in (fr, ru):
            result = audit_report(node)
            console.print(f"{node.config.party}: {result}")
            if not result.ok:
                raise SystemExit(4)
        console.rule("[bold]9. the real case: 2015–2016 open data (docs/real-case.md)")
        real_case_step(root, console)
    finally:
        fr.close()
        ru.close()


def _ingest(root: Path, fr: Node, ru: Node, console: Console) -> None:
    sim = simulate(root / "simulated", seed=SEED, weeks=26, strikes_per_party=500, bbox=BBOX,
                   parties=("A", "B"), identities={"A": fr.party_id, "B": ru.party_id})  # fmt: skip
    for node, own in ((fr, "party-A"), (ru, "party-B")):
        done = ingest_and_release(node, [sim.bundles[own], sim.bundles["open-sources"]])
        for outcome in done.files:
            assert outcome.report is not None
            console.print(
                f"{node.config.party}: {outcome.path.name}: {outcome.report.accepted:,} records "
                f"signed and stored, {outcome.report.refused} refused"
            )


def _agree(fr: Node, ru: Node, is_group: str, console: Console) -> dict[str, int]:
    with (fr.root / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write(FR_POLICY.format(is_group=is_group))
    with (ru.root / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write(RU_POLICY)
    ports = {"fr": free_port(), "ru": free_port()}
    for node, other in ((fr, ru), (ru, fr)):
        name = other.config.party
        url = f"http://127.0.0.1:{ports[name]}/api/"
        done = connect_partner(node, name, url, public_key=other.key.public_key_b64)
        for partner, n in done.release.released.items():
            console.print(
                f"{node.config.party} → {partner}: {n:,} objects released "
                f"(signed, in {partner}'s release table)"
            )
    for node, other in ((fr, ru), (ru, fr)):  # each hands the other its bearer token
        save_credential(other, node.config.party, issue_token(node, other.config.party))
    return ports


def _exchange(fr: Node, ru: Node, ports: dict[str, int], console: Console) -> None:
    with (
        ServerThread(create_app(fr), port=ports["fr"]),
        ServerThread(create_app(ru), port=ports["ru"]),
    ):
        for node, other in ((ru, "fr"), (fr, "ru")):
            (got,) = sync_and_release(node, [other]).reports
            state = f", error: {got.error}" if got.error else ""
            console.print(
                f"{node.config.party} pulled from {other}: {got.accepted:,} accepted, "
                f"{got.refused} refused{state}"
            )


def _holdings(fr: Node, ru: Node, console: Console) -> None:
    table = Table("kind", "fr: own", "fr: from ru", "ru: own", "ru: from fr")
    for kind in KINDS:
        cells = [kind]
        for node in (fr, ru):
            own = received = 0
            for v in node.store.query(Query(kinds=(kind,))):
                if v.received_from is None:
                    own += 1
                else:
                    received += 1
            cells += [f"{own:,}", f"{received:,}"]
        table.add_row(*cells)
    console.print(table)


def _withheld(fr: Node, ru: Node, console: Console) -> None:
    for node, partner in ((fr, "ru"), (ru, "fr")):
        names = _names(node)
        kept = Table("kind", "records", "why", title=f"{node.config.party} keeps from {partner}")
        for line in withheld(node, partner):
            reason = line.reason
            for ident, name in names.items():
                reason = reason.replace(ident, name)
            kept.add_row(line.kind, f"{line.count:,}", reason)
        console.print(kept)


def _assess(node: Node, is_group: str, console: Console) -> None:
    done = assess_node(node, out_dir=node.root / "report")
    data = done.result.data
    names = {g["id"]: g["name"] for g in data["groups"]}
    names |= {p["id"]: p["name"] for p in data["parties"]}
    console.print(
        f"[bold]{node.config.party}[/]'s assessment (method {data['method_version']}, "
        f"inputs {data['inputs_digest'][:12]}…):"
    )
    for row in data["targeting"]:
        share = next((g for g in row.get("groups", []) if g["group"] == is_group), None)
        if share is not None:
            console.print(
                f"  share of {names.get(row['party'], row['party'])}'s strikes where the "
                f"Islamic State was present: {share['share']:.0%} "
                f"(95 % interval {share['ci_low']:.0%}–{share['ci_high']:.0%})"
            )
    for row in data["corroboration"]:
        if row.get("inflation_points") is not None:
            console.print(
                f"  {names.get(row['party'], row['party'])}: "
                f"{row.get('corroboration_rate', 0):.0%} of claimed effects corroborated, "
                f"claims exceed observations by {row['inflation_points']:+.0f} points"
            )
    console.print(f"  report: {done.report}")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    run(Path(args[0] if args else "demo-node"), Console())


if __name__ == "__main__":
    main()
