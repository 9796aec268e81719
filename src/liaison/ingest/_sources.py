"""Input sources yield STIX objects one at a time, each with where it came from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liaison.ingest._jsonstream import JsonLimitError, iter_json_objects


class SourceError(Exception):
    """A whole input is unreadable (bad JSON, missing column, wrong encoding, …)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One object from a source, with a human locator such as ``a.json object #3``.

    ``error`` is set instead when the source could not even build the object
    (a CSV row whose cell cannot be converted); the pipeline refuses it.
    ``size`` is the length of its source text (it bounds a batch's memory);
    ``filtered`` marks a row a mapping's filter left out (neither stored nor refused).
    """

    obj: dict[str, Any]
    where: str
    error: str | None = None
    size: int = 0
    filtered: bool = False


def iter_stix(path: Path) -> Iterator[Item]:
    """Stream the objects of a STIX bundle (or a JSON array of objects) from a file.

    Memory stays flat whatever the file size: objects are decoded one by one,
    strictly and within the limits of ``liaison.ingest._jsonstream``.
    """
    name = display_name(path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{display_path(path)}: cannot open: {exc.strerror}") from exc
    with fh:
        try:
            for raw in iter_json_objects(fh, name):
                where = f"{name} object #{raw.number}"
                if raw.error is not None:
                    yield Item({}, where, error=f"{where}: {raw.error}", size=raw.size)
                elif not isinstance(raw.value, dict):
                    kind = type(raw.value).__name__
                    yield Item({}, where, error=f"{where}: not a JSON object (a {kind})",
                               size=raw.size)  # fmt: skip
                else:
                    yield Item(raw.value, where, size=raw.size)
        except JsonLimitError as exc:
            raise SourceError(str(exc)) from None
        except OSError as exc:
            raise SourceError(f"{display_path(path)}: cannot read: {exc.strerror}") from exc


def display_path(path: Path | str) -> str:
    """A path as text that can always be printed and logged (undecodable bytes escaped)."""
    raw = os.fsencode(path)
    return raw.decode("utf-8", "backslashreplace")


def display_name(path: Path) -> str:
    """The file name part of ``display_path``."""
    return display_path(path.name)
