"""The check stage of ingest: validate, canonicalise, hash and index each object.

It is pure CPU work over one batch, so it can run in a worker process while the
main process writes the previous batch (``checked_batches(parallel=True)``).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from liaison.crypto import CanonicalizationError
from liaison.ingest._csv import iter_csv, load_mapping
from liaison.ingest._sources import Item, SourceError, display_name, iter_stix
from liaison.node import Checked, check_object
from liaison.records import RecordError, RecordIndex, warnings_of

BATCH_SIZE = 5_000
#: A batch is also cut when its objects' source text reaches this size: bounds memory.
BATCH_BYTES = 16 * 2**20
# How often the parent checks that a silent worker is still alive, and the
# worker that its parent is (seconds).
_POLL_S = 0.5


@dataclass(slots=True)
class CheckedBatch:
    """The outcome of checking one batch of a source."""

    size: int
    records: list[Checked] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    filtered: int = 0
    #: Records kept but flagged (``liaison.records.warnings_of``), with where they are.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FileSource:
    """A file to ingest, described so that a worker process can open it itself."""

    path: Path
    format: str
    mapping: Path | None = None
    created_by_ref: str = ""
    #: Names to ids, per looked-up kind, for a mapping's ``lookup`` columns.
    names: dict[str, dict[str, str]] | None = None

    def items(self) -> Iterator[Item]:
        if self.format == "csv":
            if self.mapping is None:
                name = display_name(self.path)
                raise SourceError(f"{name}: CSV input needs a mapping (--mapping)")
            spec = load_mapping(self.mapping)
            return iter_csv(self.path, spec, created_by_ref=self.created_by_ref, names=self.names)
        return iter_stix(self.path)


def check_batch(batch: list[Item]) -> CheckedBatch:
    """Check every item of a batch; invalid ones become error messages."""
    out = CheckedBatch(len(batch))
    for item in batch:
        if item.filtered:
            out.filtered += 1
            continue
        if item.error is not None:
            out.errors.append(item.error)
            continue
        try:
            out.records.append(check_object(item.obj, item.where))
            flags = warnings_of(item.obj)
            if flags:
                out.warnings.append(f"{item.where}: {'; '.join(flags)}")
        except (RecordError, CanonicalizationError) as exc:
            out.errors.append(f"{item.where}: {exc}")
        except (ValueError, TypeError, RecursionError) as exc:  # data no check foresaw
            out.errors.append(f"{item.where}: cannot be checked: {type(exc).__name__}: {exc}")
    return out


def batches(
    items: Iterator[Item], *, batch_size: int = BATCH_SIZE, batch_bytes: int = BATCH_BYTES
) -> Iterator[list[Item]]:
    """Cut a stream into batches of at most ``batch_size`` items or ``batch_bytes`` of text."""
    batch: list[Item] = []
    size = 0
    for item in items:
        batch.append(item)
        size += item.size
        if len(batch) >= batch_size or size >= batch_bytes:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def checked_batches(
    items: Iterator[Item], *, batch_size: int = BATCH_SIZE
) -> Iterator[CheckedBatch]:
    """Check a stream in the current process."""
    for batch in batches(items, batch_size=batch_size):
        yield check_batch(batch)


def checked_file_batches(
    source: FileSource, *, parallel: bool, batch_size: int = BATCH_SIZE
) -> Iterator[CheckedBatch]:
    """Check a file, in a worker process when ``parallel`` (the caller keeps writing).

    Every failure of the worker reaches the caller: a ``SourceError`` as it was,
    anything else (a crash, running out of memory, being killed) as a
    ``SourceError`` that says so. The worker dies with its parent.
    """
    if not parallel:
        yield from checked_batches(source.items(), batch_size=batch_size)
        return
    ctx = multiprocessing.get_context("spawn")
    # a one-way pipe, not a Queue: the parent closes its write end, so a worker killed
    # in the middle of a message gives EOF here instead of a read that never ends
    reader, writer = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_worker, args=(source, batch_size, writer, os.getpid()), daemon=True
    )
    worker.start()
    writer.close()
    try:
        while True:
            if not reader.poll(_POLL_S):
                if not worker.is_alive():
                    raise SourceError(_died(source, _exitcode(worker)))
                continue
            try:
                tag, payload = reader.recv()
            except (EOFError, OSError):
                raise SourceError(_died(source, _exitcode(worker))) from None
            if tag == "end":
                break
            if tag == "error":
                raise SourceError(payload)
            yield _unpack(payload)
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()
        reader.close()


def _exitcode(worker: Any) -> int | None:
    """The worker's exit code, once it has ended (a closed pipe comes just before)."""
    worker.join(timeout=_POLL_S * 10)
    code: int | None = worker.exitcode
    return code


def _died(source: FileSource, exitcode: int | None) -> str:
    name = display_name(source.path)
    if exitcode is not None and exitcode < 0:
        try:
            why = f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            why = f"killed by signal {-exitcode}"
        if exitcode == -signal.SIGKILL:
            why += " (out of memory?)"
    else:
        why = f"exit code {exitcode}"
    return f"{name}: the check worker stopped unexpectedly ({why}); nothing was stored"


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker end when its parent does, even after a kill -9 of the parent."""
    if sys.platform == "linux":
        import ctypes

        try:  # PR_SET_PDEATHSIG: the kernel signals us when the parent thread exits
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass

    def watch() -> None:  # portable fallback: the parent's pid changes when it dies
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            threading.Event().wait(_POLL_S)

    threading.Thread(target=watch, name="liaison-parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before we could watch
        os._exit(1)


def _worker(source: FileSource, batch_size: int, messages: Any, parent_pid: int) -> None:
    """Check ``source`` batch by batch and send each over ``messages`` (a pipe's write end)."""
    _die_with_parent(parent_pid)
    try:
        for batch in checked_batches(source.items(), batch_size=batch_size):
            messages.send(("batch", _pack(batch)))
    except SourceError as exc:
        messages.send(("error", str(exc)))
    except MemoryError:
        messages.send(("error", f"{display_name(source.path)}: the check ran out of memory"))
    except BaseException as exc:  # every failure reaches the parent, none is silent
        name = display_name(source.path)
        messages.send(("error", f"{name}: the check failed: {type(exc).__name__}: {exc}"))
    messages.send(("end", None))


# Plain tuples cross the process boundary: unpickling dataclasses costs more than
# building them again.
_Packed = tuple[int, list[tuple[tuple[Any, ...], bytes, bytes, str]], list[str], int, list[str]]


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
    return batch.size, rows, batch.errors, batch.filtered, batch.warnings


def _unpack(packed: _Packed) -> CheckedBatch:
    size, rows, errors, filtered, warnings = packed
    records = [Checked(RecordIndex(*ix), body, digest, where) for ix, body, digest, where in rows]
    return CheckedBatch(size, records, errors, filtered, warnings)
