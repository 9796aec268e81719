"""The CLI's one error boundary: every failure becomes a message and an exit code.

Commands report what they expect themselves (``fail``); whatever escapes them
is caught here and classified by its type — bad input (1), bad command line (2),
an unusable node or store (3), a failed verification (4), something that does
not exist (5), interrupted (130) — and anything unforeseen is an internal error
(70) whose message names the exception. No traceback is ever printed unless
``LIAISON_DEBUG=1`` asks for it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

import click

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "classify", "run"]

EXIT_INTERNAL = 70  # a bug: the message names the exception
EXIT_INTERRUPTED = 130

# Exception class name (anywhere in its MRO) -> exit code. By name, so that the
# boundary imports nothing heavy before a failure happens.
_CODES: tuple[tuple[str, int], ...] = (
    ("UnknownName", 5),
    ("RecordError", 1),
    ("RegistryError", 1),
    ("SourceError", 1),
    ("RowError", 1),
    ("CanonicalizationError", 1),
    ("ExportError", 1),
    ("AssessmentError", 1),
    ("SignatureError", 4),
    ("NodeError", 3),
    ("KeyFileError", 3),
    ("StoreError", 3),
    ("PolicyError", 3),
    ("PartnerError", 2),
    ("TaxiiClientError", 3),
    ("TaxiiError", 3),
)


def classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and the message for an exception that escaped a command."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    for name, code in _CODES:
        if name in names:
            return code, _text(exc)
    if isinstance(exc, MemoryError):
        return 1, "out of memory (the input is too large for this machine?)"
    if isinstance(exc, OSError):
        return 1, _os_error(exc)
    if isinstance(exc, UnicodeError):
        return 1, f"text that is not valid Unicode: {exc}"
    return EXIT_INTERNAL, f"internal error ({type(exc).__name__}: {_text(exc)}); please report it"


def _text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _os_error(exc: OSError) -> str:
    from liaison.ingest._sources import display_path

    what = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{display_path(exc.filename)}: {what}"
    return what


def _echo_error(message: str) -> None:
    with contextlib.suppress(OSError, UnicodeError):  # stderr itself is gone
        click.echo(f"error: {message}", err=True)


def run(group: click.Group, argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``) and return its exit code."""
    try:
        result = group.main(
            args=list(argv) if argv is not None else None,
            prog_name="liaison",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        _echo_error("interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exc:
        return _exit_code(exc)
    except KeyboardInterrupt:
        _echo_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except Exception as exc:
        if os.environ.get("LIAISON_DEBUG") == "1":
            raise
        code, message = classify(exc)
        _echo_error(message)
        return code
    return result if isinstance(result, int) else 0


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    _echo_error(str(exc.code))
    return 1


def _quiet_stdout() -> None:
    """After a closed pipe (``liaison list | head``), let the interpreter exit quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
