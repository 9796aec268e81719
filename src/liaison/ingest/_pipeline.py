"""The ingest pipeline: validate, canonicalise, hash, seal, store and audit, in
batches, inside one transaction per source (all or nothing by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from liaison.crypto import seal_batch
from liaison.ingest._check import BATCH_SIZE, Checked, CheckedBatch, checked_batches
from liaison.ingest._sources import Item, SourceError
from liaison.store import NewVersion, Seal, StoreError

if TYPE_CHECKING:
    from liaison.node import Node

log = logging.getLogger("liaison.ingest")

MAX_ERRORS_KEPT = 200


@dataclass
class IngestReport:
    """What an ingest did. ``committed`` is False when nothing was stored."""

    source: str
    accepted: int = 0
    unchanged: int = 0
    refused: int = 0
    committed: bool = True
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refused == 0

    def refuse(self, message: str) -> None:
        self.refused += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)


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
    """Ingest STIX dicts (already in memory or streamed)."""
    items = (Item(o, f"{source} object #{n}") for n, o in enumerate(objects, start=1))
    return ingest_items(
        node,
        items,
        source=source,
        skip_invalid=skip_invalid,
        received_from=received_from,
        progress=progress,
    )


def ingest_items(
    node: Node,
    items: Iterable[Item],
    *,
    source: str,
    skip_invalid: bool = False,
    received_from: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest a stream of items from one source (checked in this process)."""
    batches = checked_batches(iter(items), batch_size=batch_size)
    return ingest_checked(
        node,
        batches,
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
) -> IngestReport:
    """Write checked batches of one source.

    By default the source is all or nothing: the first refused record stops all
    writing (the rest is still checked, so every error is reported) and the
    transaction is rolled back. With ``skip_invalid`` valid records are kept.
    Refusals are audited after the data transaction, so they are kept either way.
    """
    report = IngestReport(source)
    try:
        with node.store.transaction() as tx:
            for batch in batches:
                for message in batch.errors:
                    report.refuse(message)
                writing = skip_invalid or report.refused == 0
                new, latest = _classify(node, batch.records, report)
                if writing and new:
                    _write(node, tx, new, latest, source, received_from, report)
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


def _classify(
    node: Node, checked: list[Checked], report: IngestReport
) -> tuple[list[Checked], dict[str, str]]:
    """Split into unchanged, conflicting (refused) and new versions; also return
    the stored latest ``modified`` of the batch's ids (for the writer)."""
    seen: dict[tuple[str, str], bytes] = {}
    unique: list[Checked] = []
    for c in checked:
        key = (c.index.id, c.index.modified)
        prior = seen.get(key)
        if prior is None:
            seen[key] = c.digest
            unique.append(c)
        elif prior == c.digest:
            report.unchanged += 1
        else:
            report.refuse(_conflict(c))
    stored, latest = node.store.stored_versions_of([k[0] for k in seen])
    new: list[Checked] = []
    for c in unique:
        digest = stored.get((c.index.id, c.index.modified))
        if digest is None:
            new.append(c)
        elif digest == c.digest:
            report.unchanged += 1
        else:
            report.refuse(_conflict(c))
    return new, latest


def _conflict(c: Checked) -> str:
    return (
        f"{c.where}: {c.index.id}: version {c.index.modified} already exists with a different "
        "body (a changed record needs a new 'modified')"
    )


def _write(
    node: Node,
    tx: Any,
    new: list[Checked],
    latest: dict[str, str],
    source: str,
    received_from: str | None,
    report: IngestReport,
) -> None:
    from liaison.node import _journal

    sealed = seal_batch(node.key, [c.digest for c in new])
    batch_id = tx.add_seal(Seal(sealed.root, sealed.signature, sealed.key_id, sealed.alg))
    tx.add_versions(
        batch_id,
        [
            NewVersion(c.index, c.body, c.digest, i, sealed.proofs[i], received_from)
            for i, c in enumerate(new)
        ],
        latest=latest,
    )
    detail = {
        "count": len(new),
        "batch": batch_id,
        "root": sealed.root.hex(),
        "first": new[0].index.id,
        "last": new[-1].index.id,
    }
    if received_from is not None:
        detail["received_from"] = received_from
    _journal.append(node.store, tx, node.key, [("ingest", source, detail)], node.now())
    report.accepted += len(new)


def _audit_refusals(node: Node, report: IngestReport) -> None:
    from liaison.node import _journal

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
        _journal.append(node.store, tx, node.key, items, node.now())
