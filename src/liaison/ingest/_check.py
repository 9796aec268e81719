"""The check stage of ingest: validate, canonicalise, hash and index each object.

It is pure CPU work over one batch, so it can run in a worker process while the
main process writes the previous batch (``checked_batches(parallel=True)``).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from liaison.crypto import CanonicalizationError
from liaison.ingest._csv import iter_csv, load_mapping
from liaison.ingest._sources import Item, SourceError, iter_stix
from liaison.node import Checked, check_object
from liaison.records import RecordError, RecordIndex

BATCH_SIZE = 5_000
# Batches queued between the check worker and the writer: bounds memory.
_QUEUE_DEPTH = 4


@dataclass(slots=True)
class CheckedBatch:
    """The outcome of checking one batch of a source."""

    size: int
    records: list[Checked] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FileSource:
    """A file to ingest, described so that a worker process can open it itself."""

    path: Path
    format: str
    mapping: Path | None = None
    created_by_ref: str = ""

    def items(self) -> Iterator[Item]:
        if self.format == "csv":
            if self.mapping is None:
                raise SourceError(f"{self.path.name}: CSV input needs a mapping (--mapping)")
            spec = load_mapping(self.mapping)
            return iter_csv(self.path, spec, created_by_ref=self.created_by_ref)
        return iter_stix(self.path)


def check_batch(batch: list[Item]) -> CheckedBatch:
    """Check every item of a batch; invalid ones become error messages."""
    out = CheckedBatch(len(batch))
    for item in batch:
        if item.error is not None:
            out.errors.append(item.error)
            continue
        try:
            out.records.append(check_object(item.obj, item.where))
        except (RecordError, CanonicalizationError) as exc:
            out.errors.append(f"{item.where}: {exc}")
    return out


def checked_batches(
    items: Iterator[Item], *, batch_size: int = BATCH_SIZE
) -> Iterator[CheckedBatch]:
    """Check a stream in the current process."""
    while batch := list(islice(items, batch_size)):
        yield check_batch(batch)


def checked_file_batches(
    source: FileSource, *, parallel: bool, batch_size: int = BATCH_SIZE
) -> Iterator[CheckedBatch]:
    """Check a file, in a worker process when ``parallel`` (the caller keeps writing).

    A ``SourceError`` in the worker is raised again here.
    """
    if not parallel:
        yield from checked_batches(source.items(), batch_size=batch_size)
        return
    ctx = multiprocessing.get_context("spawn")
    queue: Any = ctx.Queue(maxsize=_QUEUE_DEPTH)
    worker = ctx.Process(target=_worker, args=(source, batch_size, queue), daemon=True)
    worker.start()
    try:
        while True:
            message = queue.get()
            if message is None:
                break
            if isinstance(message, SourceError):
                raise message
            yield _unpack(message)
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _worker(source: FileSource, batch_size: int, queue: Any) -> None:
    try:
        for batch in checked_batches(source.items(), batch_size=batch_size):
            queue.put(_pack(batch))
    except SourceError as exc:
        queue.put(exc)
    queue.put(None)


# Plain tuples cross the process boundary: unpickling dataclasses costs more than
# building them again.
_Packed = tuple[int, list[tuple[tuple[Any, ...], bytes, bytes, str]], list[str]]


def _pack(batch: CheckedBatch) -> _Packed:
    rows = [
        (
            (
                c.index.id, c.index.modified, c.index.kind, c.index.time_start_ms,
                c.index.time_end_ms, c.index.group_ref, c.index.party_ref, c.index.latitude,
                c.index.longitude, c.index.precision_m, c.index.revoked,
            ),
            c.body,
            c.digest,
            c.where,
        )
        for c in batch.records
    ]  # fmt: skip
    return batch.size, rows, batch.errors


def _unpack(packed: _Packed) -> CheckedBatch:
    size, rows, errors = packed
    records = [Checked(RecordIndex(*ix), body, digest, where) for ix, body, digest, where in rows]
    return CheckedBatch(size, records, errors)
