"""The hand-labelled sample of release lines and the measure of target and
effect extraction against it (precision and recall per category)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from liaison.ingest.connectors import Context
from liaison.ingest.connectors._config import load_settings
from liaison.ingest.connectors._release_text import LineError, parse_release_line
from liaison.ingest.connectors._targets import parse_targets
from liaison.ingest.connectors.strike_release import (
    StrikeReleaseSettings,
    categories_of,
    line_key,
)

LABELS = Path(__file__).parent / "fixtures" / "target_labels.txt"
HELD_OUT = Path(__file__).parent / "fixtures" / "target_labels_heldout.txt"

__all__ = ["HELD_OUT", "LABELS", "Measure", "labelled_lines", "measure", "read_labels"]

Item = tuple[str, str]  # (category, effect)


def read_labels(path: Path = LABELS) -> dict[str, list[tuple[str, str, int | None]]]:
    """KEY → [(category, effect, count or None)], as written in the fixture."""
    out: dict[str, list[tuple[str, str, int | None]]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        key, _, items = raw.partition(" | ")
        targets = []
        for item in items.split(";"):
            category, effect, count = item.split()
            targets.append((category, effect, None if count == "-" else int(count)))
        assert key not in out, f"label {key} twice"
        out[key.strip()] = targets
    return out


def labelled_lines(all_csv: Path, keys: set[str]) -> dict[str, str]:
    """The text of every labelled line, read from the shared data."""
    found: dict[str, str] = {}
    with all_csv.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            day = datetime.strptime(row["date"], "%m/%d/%Y").date()
            key = line_key(day, row["line"])
            if key in keys:
                found[key] = row["line"]
    return found


@dataclass
class Measure:
    """Matches per category (a target matches when category and effect agree)."""

    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    category_tp: int = 0
    counts_compared: int = 0
    counts_equal: int = 0
    lines: int = 0
    errors: list[tuple[str, str, list[Item], list[Item]]] = field(default_factory=list)

    def precision(self, category: str | None = None) -> float:
        tp = self.tp[category] if category else sum(self.tp.values())
        fp = self.fp[category] if category else sum(self.fp.values())
        return tp / (tp + fp) if tp + fp else float("nan")

    def recall(self, category: str | None = None) -> float:
        tp = self.tp[category] if category else sum(self.tp.values())
        fn = self.fn[category] if category else sum(self.fn.values())
        return tp / (tp + fn) if tp + fn else float("nan")

    def categories(self) -> list[str]:
        return sorted(
            set(self.tp) | set(self.fp) | set(self.fn), key=lambda c: -(self.tp[c] + self.fn[c])
        )


def measure(all_csv: Path, labels_file: Path = LABELS) -> Measure:
    """Run the parser on every labelled line and compare with the labels."""
    labels = read_labels(labels_file)
    lines = labelled_lines(all_csv, set(labels))
    missing = set(labels) - set(lines)
    assert not missing, f"labelled lines not in the shared data: {sorted(missing)[:5]}"
    settings, _ = load_settings("strike-release", StrikeReleaseSettings, None)
    categories = categories_of(settings)
    out = Measure()
    for key, expected in labels.items():
        out.lines += 1
        try:
            clauses = parse_release_line(lines[key])
        except LineError:
            clauses = []
        got = [t for c in clauses for t in parse_targets(c.text, categories)]
        want_items = Counter((c, e) for c, e, _ in expected)
        got_items = Counter((t.category, t.effect) for t in got)
        common = want_items & got_items
        for (category, _), n in common.items():
            out.tp[category] += n
        for (category, _), n in (got_items - common).items():
            out.fp[category] += n
        for (category, _), n in (want_items - common).items():
            out.fn[category] += n
        out.category_tp += sum(
            (
                Counter(c for c, _ in want_items.elements())
                & Counter(c for c, _ in got_items.elements())
            ).values()
        )
        for (wc, we, wn), t in zip(expected, got, strict=False):
            if (wc, we) == (t.category, t.effect) and wn is not None and t.count is not None:
                out.counts_compared += 1
                out.counts_equal += wn == t.count
        if want_items != got_items:
            out.errors.append(
                (
                    key,
                    lines[key],
                    sorted((want_items - common).elements()),
                    sorted((got_items - common).elements()),
                )
            )
    return out


def table(m: Measure) -> str:
    """The Markdown table of docs/connectors.md."""
    rows = ["| category | labelled | found | precision | recall |", "|---|---:|---:|---:|---:|"]
    for c in m.categories():
        rows.append(
            f"| {c} | {m.tp[c] + m.fn[c]} | {m.tp[c] + m.fp[c]} | "
            f"{m.precision(c):.1%} | {m.recall(c):.1%} |"
        )
    total_l = sum(m.tp.values()) + sum(m.fn.values())
    total_f = sum(m.tp.values()) + sum(m.fp.values())
    rows.append(f"| **all** | {total_l} | {total_f} | {m.precision():.1%} | {m.recall():.1%} |")
    return "\n".join(rows)


_ = Context  # the labels use the connector's own tables, no node


if __name__ == "__main__":
    import sys

    m = measure(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else LABELS)
    print(f"{m.lines} lines")
    print(table(m))
    print(f"counts equal: {m.counts_equal}/{m.counts_compared}")
    for key, line, missed, extra in m.errors:
        print(f"\n{key}: {line[:200]}\n   missed {missed}\n   extra  {extra}")
