"""The audit head anchor: the node's signed audit head, kept in a file in the node
directory — outside the store whose log it protects.

A store can be rolled back as a whole (an old backup put back, entries deleted
together with the signed head kept beside them). The anchor remembers how far
the log had got, so `liaison audit verify` can tell. It is advanced after every
committed audit append, in this order:

1. the store commits the new entries and its own copy of the signed head;
2. then the anchor file is replaced (written to a temporary file, synced,
   renamed over the old one, directory synced), under a file lock.

A crash between 1 and 2 leaves the anchor one transaction behind the log,
which verifies (a log may be longer than its anchor); the next append moves it
on. The other order could leave the anchor ahead of a log that never
committed, a false alarm. The anchor only moves forward, and never past a head
the log no longer holds: if the log disagrees with it (rolled back, rewritten),
it keeps the evidence.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

import orjson

from liaison.audit.checkpoint import SignedHead
from liaison.store import StoreError

if TYPE_CHECKING:
    from liaison.store import Store

__all__ = ["ANCHOR_NAME", "AnchorError", "advance_anchor", "read_anchor", "write_anchor"]

log = logging.getLogger("liaison.audit")

#: The anchor's file name in the node directory.
ANCHOR_NAME: Final = "audit-head.json"


class AnchorError(ValueError):
    """The anchor file exists but cannot be used (unreadable, malformed)."""


def read_anchor(path: Path) -> SignedHead | None:
    """The anchored signed head, or None if there is no anchor file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AnchorError(f"audit head anchor {path} cannot be read: {exc.strerror}") from exc
    try:
        return SignedHead.from_dict(orjson.loads(raw))
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise AnchorError(f"audit head anchor {path} is malformed ({exc})") from None


def write_anchor(path: Path, signed: SignedHead) -> None:
    """Replace the anchor atomically (mode 0600; synced before and after the rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a writer killed mid-write (we hold the lock)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, orjson.dumps(signed.to_dict(), option=orjson.OPT_APPEND_NEWLINE))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between the processes of one node (a ``.lock`` file beside)."""
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def advance_anchor(path: Path, signed: SignedHead, store: Store) -> bool:
    """Move the anchor to ``signed`` (a head just committed to ``store``).

    Does nothing if the anchor is already at or past it (another process got
    there first), or if the store no longer holds the anchored head — then the
    anchor is evidence of a rollback and is kept. Returns True if it moved.
    Never raises: the data is committed; a failure is logged.
    """
    try:
        with _locked(path):
            current = read_anchor(path)
            if current is not None:
                if current.head.seq >= signed.head.seq:
                    return False
                held = next(iter(store.audit_rows(after_seq=current.head.seq - 1, batch=1)), None)
                if held is None or held.seq != current.head.seq or held.hash != current.head.hash:
                    log.error(
                        "audit head anchor %s kept at entry %d: the log no longer holds that "
                        "entry (rolled back or rewritten); run `liaison audit verify`",
                        path,
                        current.head.seq,
                    )
                    return False
            write_anchor(path, signed)
            return True
    except (OSError, AnchorError, StoreError) as exc:
        log.error("audit head anchor %s not updated: %s", path, exc)
        return False
