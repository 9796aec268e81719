"""The ingest pipeline: validate, canonicalise, hash, seal, store and audit, in
batches, inside one transaction per source (all or nothing by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from liaison.audit import journal
from liaison.ingest._check import CheckedBatch, checked_batches
from liaison.ingest._sources import Item, SourceError
from liaison.node import Node, classify, conflict_message, write_checked
from liaison.store import StoreError

log = logging.getLogger("liaison.ingest")

MAX_ERRORS_KEPT = 200


@dataclass
class IngestReport:
    """What an ingest did. ``committed`` is False when nothing was stored."""

    source: str
    accepted: int = 0
    unchanged: int = 0
    refused: int = 0
    filtered: int = 0
    flagged: int = 0
    committed: bool = True
    errors: list[str] = field(default_factory=list)
    #: Why records were flagged (kept, but odd: e.g. fatalities out of order).
    warnings: list[str] = field(default_factory=list)
    #: Called with every refusal message (``errors`` keeps only the first ones).
    on_refuse: Callable[[str], None] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.refused == 0

    def refuse(self, message: str) -> None:
        self.refused += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)
        if self.on_refuse is not None:
            self.on_refuse(message)


class _Abort(Exception):
    """Raised inside the transaction to roll a refused source back."""


def ingest_objects(
    node: Node,
    objects: Iterable[dict[str, Any]],
    *,
    source: str,
    skip_invalid: bool = False,
    received_from: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest STIX dicts (already in memory or streamed), checked in this process."""
    items = (Item(o, f"{source} object #{n}") for n, o in enumerate(objects, start=1))
    return ingest_checked(
        node,
        checked_batches(items),
        source=source,
        skip_invalid=skip_invalid,
        received_from=received_from,
        progress=progress,
    )


def ingest_checked(
    node: Node,
    batches: Iterator[CheckedBatch],
    *,
    source: str,
    skip_invalid: bool = False,
    received_from: str | None = None,
    progress: Callable[[int], None] | None = None,
    on_refuse: Callable[[str], None] | None = None,
) -> IngestReport:
    """Write checked batches of one source.

    By default the source is all or nothing: the first refused record stops all
    writing (the rest is still checked, so every error is reported) and the
    transaction is rolled back. With ``skip_invalid`` valid records are kept.
    Refusals are audited after the data transaction, so they are kept either way.
    """
    report = IngestReport(source, on_refuse=on_refuse)
    try:
        with node.store.transaction() as tx:
            for batch in batches:
                report.filtered += batch.filtered
                report.flagged += len(batch.warnings)
                room = MAX_ERRORS_KEPT - len(report.warnings)
                report.warnings.extend(batch.warnings[: max(room, 0)])
                for message in batch.errors:
                    report.refuse(message)
                writing = skip_invalid or report.refused == 0
                split = classify(node.store, batch.records)
                report.unchanged += split.unchanged
                for c in split.conflicts:
                    report.refuse(conflict_message(c))
                if writing and split.new:
                    write_checked(node, tx, split.new, split.latest, source=source,
                                  received_from=received_from)  # fmt: skip
                    report.accepted += len(split.new)
                if progress is not None:
                    progress(batch.size)
            if report.refused and not skip_invalid:
                raise _Abort
    except _Abort:
        report.committed = False
    except SourceError as exc:
        report.committed = False
        report.refuse(str(exc))
    except StoreError:
        report.committed = False
        raise
    if not report.committed:
        report.accepted = 0
        report.unchanged = 0
    if report.refused:
        _audit_refusals(node, report)
    return report


def _audit_refusals(node: Node, report: IngestReport) -> None:
    for message in report.errors:
        log.warning("refused: %s", message)
    items = [
        ("refuse", report.source, {"reason": message, "committed": report.committed})
        for message in report.errors
    ]
    if report.refused > len(report.errors):
        items.append(
            ("refuse", report.source, {"more_refusals": report.refused - len(report.errors)})
        )
    with node.store.transaction() as tx:
        journal.append(node.store, tx, node.key, items, node.now())
