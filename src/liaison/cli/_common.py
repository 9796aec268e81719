"""What every command shares: exit codes, the --node option, error reporting."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from liaison.node import Node, NodeError, open_node
from liaison.records import timestamp_ms
from liaison.store import StoredVersion, StoreError

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
    """The latest stored version of a record, or exit 5 saying it is not there."""
    version = node.store.get(record_id)
    if version is None:
        fail(f"no record {record_id} in this node", EXIT_NOT_FOUND)
    return version
