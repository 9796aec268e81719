"""What a connector found in its source: rows read, records made, rows it could
not turn into records (each with its reason), rows kept but flagged, and
measures of its own (e.g. MGRS agreement)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liaison.ingest import IngestReport

__all__ = ["ConnectorReport", "Findings"]

#: Examples kept per reason (all are counted).
EXAMPLES_KEPT = 20


@dataclass
class Findings:
    """A connector's account of its source: nothing it read goes unmentioned.

    ``explained`` counts source rows that became no record, by reason;
    ``flagged`` counts rows kept with a flag (e.g. inconsistent fatalities);
    ``examples`` keeps the first ``EXAMPLES_KEPT`` of each reason, and
    ``all_explained`` every explanation (for a full listing).
    """

    source: str
    rows: int = 0
    records: Counter[str] = field(default_factory=Counter)
    explained: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    all_explained: list[tuple[str, str, str]] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)

    def explain(self, where: str, reason: str, detail: str = "") -> None:
        """A source row that became no record, and why."""
        self.explained[reason] += 1
        self.all_explained.append((where, reason, detail))
        self._example(reason, where, detail)

    def flag(self, where: str, reason: str, detail: str = "") -> None:
        """A source row kept as a record but flagged."""
        self.flagged[reason] += 1
        self._example(f"flag:{reason}", where, detail)

    def made(self, stix_type: str, n: int = 1) -> None:
        self.records[stix_type] += n

    def _example(self, key: str, where: str, detail: str) -> None:
        kept = self.examples.setdefault(key, [])
        if len(kept) < EXAMPLES_KEPT:
            kept.append(f"{where}: {detail}" if detail else where)

    def lines(self) -> list[str]:
        """A human summary, one line per figure."""
        out = [f"{self.source}: {self.rows:,} source rows"]
        made = ", ".join(f"{n:,} {t}" for t, n in sorted(self.records.items()))
        out.append(f"  records made: {made or 'none'}")
        for reason, n in sorted(self.explained.items(), key=lambda x: (-x[1], x[0])):
            first = self.examples.get(reason, [""])[0]
            out.append(f"  not a record ({reason}): {n:,}" + (f" — e.g. {first}" if first else ""))
        for reason, n in sorted(self.flagged.items(), key=lambda x: (-x[1], x[0])):
            first = self.examples.get(f"flag:{reason}", [""])[0]
            out.append(f"  kept, flagged ({reason}): {n:,}" + (f" — e.g. {first}" if first else ""))
        for key, value in self.notes.items():
            out.append(f"  {key}: {value}")
        return out


@dataclass
class ConnectorReport:
    """The connector's findings and what the ingest stored of them."""

    findings: Findings
    ingest: IngestReport

    @property
    def ok(self) -> bool:
        return self.ingest.ok
