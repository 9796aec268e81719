"""Input sources yield STIX objects one at a time, each with where it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ijson


class SourceError(Exception):
    """A whole input is unreadable (bad JSON, missing column, wrong encoding, …)."""


@dataclass(frozen=True, slots=True)
class Item:
    """One object from a source, with a human locator such as ``a.json object #3``.

    ``error`` is set instead when the source could not even build the object
    (a CSV row whose cell cannot be converted); the pipeline refuses it.
    """

    obj: dict[str, Any]
    where: str
    error: str | None = None


def iter_stix(path: Path) -> Iterator[Item]:
    """Stream the objects of a STIX bundle (or a JSON array of objects) from a file.

    Memory stays flat whatever the file size: objects are parsed one by one.
    """
    name = path.name
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror}") from exc
    with fh:
        first = _first_byte(fh)
        prefix = "item" if first == b"[" else "objects.item"
        if first not in (b"[", b"{"):
            raise SourceError(f"{name}: not JSON (a STIX bundle starts with '{{')")
        n = 0
        try:
            for n, obj in enumerate(ijson.items(fh, prefix, use_float=True), start=1):
                if not isinstance(obj, dict):
                    raise SourceError(f"{name} object #{n}: not a JSON object")
                yield Item(obj, f"{name} object #{n}")
        except ijson.JSONError as exc:
            raise SourceError(f"{name}: malformed JSON after object #{n}: {exc}") from exc
        if n == 0 and prefix == "objects.item":
            raise SourceError(f"{name}: not a STIX bundle (no 'objects' array found)")


def _first_byte(fh: Any) -> bytes:
    while True:
        b: bytes = fh.read(1)
        if not b or not b.isspace():
            if b == b"\xef":  # UTF-8 byte order mark
                fh.read(2)
                continue
            fh.seek(fh.tell() - len(b))
            return b
