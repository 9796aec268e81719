"""The linkage step of the two-party demo (``liaison.demo``): both nodes hold
generated person records (never real people; the nationality mix of the ICSR
foreign-fighter estimates when the shared data is at hand), agree the shipped
schema, publish encodings, match, and one match is disclosed — then the demo
prints what each side learned, and what it did not."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from liaison.audit import journal
from liaison.exchange import ServerThread, create_app
from liaison.node import CONFIG_NAME, store_objects

if TYPE_CHECKING:
    from rich.console import Console

    from liaison.node import Node

SHARED: Path = Path(__file__).resolve().parents[4] / "shared" / "data"


def icsr_dir() -> Path:
    """``$LIAISON_SHARED_DATA/icsr-foreign-fighters`` (default: the shared folder
    beside the repository)."""
    base = Path(os.environ.get("LIAISON_SHARED_DATA") or SHARED)
    return base / "icsr-foreign-fighters"


def run_linkage(
    fr: Node,
    ru: Node,
    ports: dict[str, int],
    console: Console,
    *,
    n: int = 400,
    overlap: int = 120,
    seed: int = 2015,
) -> None:
    """Run the linkage protocol between two demo nodes and print what each learned."""
    from liaison import linkage
    from liaison.linkage.generate import nationality_mix, two_lists

    mix, where = nationality_mix(icsr_dir())
    console.print(where)
    a, b = two_lists(n, n, overlap, seed=seed, party_a=fr.party_id, party_b=ru.party_id, mix=mix)
    store_objects(fr, [o.obj for o in a], source="demo persons (generated)")
    store_objects(ru, [o.obj for o in b], source="demo persons (generated)")
    console.print(
        f"fr and ru each hold {n} generated person records; {overlap} persons are in both"
    )
    schema = fr.root.parent / "linkage-schema.toml"
    schema.write_text(linkage.default_schema_text(), encoding="utf-8")
    with (ru.root / CONFIG_NAME).open("a", encoding="utf-8") as fh:
        fh.write(
            '\n[linkage.partners.fr]\ndisclose = ["names", "date_of_birth", "nationalities"]\n'
        )
    with (
        ServerThread(create_app(fr), port=ports["fr"]),
        ServerThread(create_app(ru), port=ports["ru"]),
    ):
        for node, other in ((fr, "ru"), (ru, "fr")):
            done = linkage.agree(node, other, schema)
        console.print(f"both agreed schema {done.name!r} ({done.fingerprint[:16]}…)")
        for node, other in ((fr, "ru"), (ru, "fr")):
            pub = linkage.publish(node, other)
            console.print(
                f"{node.config.party} published {pub.count} encodings for {other} "
                f"({pub.evaluated} token keys evaluated jointly with {other})"
            )
        found = linkage.match(fr, "ru")
        truth = {o.obj["id"]: o.person for o in a}
        console.print(
            f"fr matched ru's batch: {found.compared:,} pairs compared, "
            f"{len(found.candidates)} candidates above {0.75}"
        )
        best = found.candidates[0]
        req = linkage.request(fr, "ru", best.pseudonym)
        linkage.approve(ru, req.id)
        (got,) = linkage.collect(fr, "ru")
    ru_truth = {o.obj["id"]: o.person for o in b}
    right = got.record is not None and ru_truth.get(got.record) == truth[best.record]
    _learned(fr, ru, len(found.candidates), overlap, right, console)


def _learned(
    fr: Node, ru: Node, candidates: int, overlap: int, right: bool, console: Console
) -> None:
    table = Table(
        "", "fr learned", "ru learned", title="what each side learned (from its audit log)"
    )
    counts = {}
    for node in (fr, ru):
        actions: dict[str, int] = {}
        served = 0
        for e in journal.entries(node.store):
            if e.action.startswith("link"):
                actions[e.action] = actions.get(e.action, 0) + 1
                if e.action == "link-oprf-serve":
                    served += int(e.detail.get("count", 0))
        counts[node.config.party] = served
    table.add_row(
        "the other's list",
        "no: 400 encodings under pseudonyms",
        "no: 400 encodings under pseudonyms",
    )
    table.add_row(
        "token evaluations asked of it",
        f"{counts['fr']:,} (blinded: which tokens, unknown)",
        f"{counts['ru']:,} (blinded: which tokens, unknown)",
    )
    table.add_row(
        "matches",
        f"{candidates} of its records are probably held by ru (true overlap {overlap})",
        "nothing (it did not match)",
    )
    table.add_row(
        "disclosed",
        f"1 record from ru (names, date of birth, nationalities): "
        f"{'the right person' if right else 'NOT the right person'}",
        "that fr asked for it",
    )
    console.print(table)
