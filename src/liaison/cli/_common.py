"""What every command shares: exit codes, the --node option, error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from liaison.node import Node, NodeError, open_node
from liaison.records import timestamp_ms
from liaison.store import StoredVersion, StoreError

if TYPE_CHECKING:
    from liaison.registry import NameKind

# Exit codes (documented in README.md).
EXIT_OK = 0
EXIT_REFUSED = 1  # some input was refused (invalid records, bad file)
EXIT_USAGE = 2  # bad command line (click's own code)
EXIT_NODE = 3  # node or store unusable (missing, unreachable, bad config)
EXIT_AUDIT = 4  # audit log or signature verification failed
EXIT_NOT_FOUND = 5  # the record asked for does not exist

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def node_option(func: F) -> F:
    """``--node DIR`` (or ``LIAISON_NODE``, default the current directory)."""
    return click.option(
        "--node",
        "node_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("LIAISON_NODE", "."),
        show_default="$LIAISON_NODE or .",
        help="The node directory.",
    )(func)


@contextmanager
def opened(node_dir: Path) -> Iterator[Node]:
    """Open the node, turning node and store errors into clean exits."""
    try:
        node = open_node(node_dir)
    except (NodeError, StoreError) as exc:
        fail(str(exc), EXIT_NODE)
    try:
        yield node
    except StoreError as exc:
        fail(str(exc), EXIT_NODE)
    finally:
        node.close()


def when(value: str | None, name: str, *, end_of_day: bool = False) -> int | None:
    """``--NAME`` as epoch ms: a date (``YYYY-MM-DD``; with ``end_of_day``, its last
    millisecond, so that a date bound is inclusive) or a STIX timestamp."""
    if value is None:
        return None
    if "T" in value:
        text = value if value.endswith("Z") else value + "Z"
    else:
        text = value + ("T23:59:59.999Z" if end_of_day else "T00:00:00.000Z")
    try:
        return timestamp_ms(text)
    except ValueError:
        fail(f"--{name}: {value!r} is not a date (YYYY-MM-DD) or STIX timestamp", EXIT_USAGE)


def require_record(node: Node, record_id: str) -> StoredVersion:
    """The latest stored version of a record, or exit 5 saying it is not there.

    ``record_id`` may also be the name of a party or group (``show nl``).
    """
    version = node.store.get(record_id)
    if version is None and "--" not in record_id:
        from liaison.registry import UnknownName, resolve

        kinds: tuple[NameKind, ...] = ("party", "group")
        for kind in kinds:
            try:
                version = node.store.get(resolve(node.store, kind, record_id))
            except UnknownName:
                continue
            break
    if version is None:
        fail(f"no record {display(record_id)} in this node", EXIT_NOT_FOUND)
    return version


def named(node: Node, kind: NameKind, text: str | None) -> str | None:
    """The id behind a ``--party`` / ``--group`` value (a name, an alias or an id);
    an unknown name exits 5 listing the known ones."""
    if text is None:
        return None
    from liaison.registry import UnknownName, resolve

    try:
        return resolve(node.store, kind, text)
    except UnknownName as exc:
        fail(f"--{kind}: {exc}", EXIT_NOT_FOUND)


def display(text: str | Path) -> str:
    """Text that can always be printed (undecodable bytes of a file name escaped)."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def writable_output(path: Path, option: str) -> None:
    """Check, before any work, that ``path`` can be written; exit 1 saying why not."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        fail(f"{option} {display(path)}: is a directory", EXIT_REFUSED)
    if not parent.is_dir():
        fail(f"{option} {display(path)}: the folder {display(parent)} does not exist", EXIT_REFUSED)
    if not os.access(parent, os.W_OK | os.X_OK):
        fail(
            f"{option} {display(path)}: the folder {display(parent)} is not writable", EXIT_REFUSED
        )
    if path.exists() and not os.access(path, os.W_OK):
        fail(f"{option} {display(path)}: the file is not writable", EXIT_REFUSED)
