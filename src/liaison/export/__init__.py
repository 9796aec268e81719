"""Export stored records — as a STIX 2.1 bundle (liaison's own profile, or only
standard STIX), as CSV, or as a MISP event — streamed, checked first, audited.

The output path is checked before any work; the file is written beside it and
moved into place when complete, so a failed export leaves no half-written file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import orjson

from liaison.audit import journal
from liaison.export._csv import CSV_COMMON_COLUMNS, csv_columns, neutralise, write_csv
from liaison.records import LOCAL_ONLY_KINDS, extension_definitions, liaison_identity
from liaison.store import Query, StoredVersion

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = [
    "CSV_COMMON_COLUMNS",
    "ExportError",
    "ExportReport",
    "check_output",
    "csv_columns",
    "export_records",
    "neutralise",
]

ExportFormat = Literal["stix", "csv", "misp"]
Profile = Literal["liaison", "standard"]


class ExportError(Exception):
    """An export cannot be done (output path unusable, bad selection); says why."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    count: int
    kinds: tuple[str, ...]


def check_output(out: Path) -> None:
    """Refuse, before any work, an output path that cannot be written."""
    shown = os.fsencode(out).decode("utf-8", "backslashreplace")
    parent = out.parent
    if out.is_dir():
        raise ExportError(f"{shown}: is a directory")
    if not parent.is_dir():
        raise ExportError(f"{shown}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ExportError(f"{shown}: the folder {parent} is not writable")
    if out.exists() and not os.access(out, os.W_OK):
        raise ExportError(f"{shown}: the file is not writable")


def export_records(
    node: Node,
    out: Path,
    *,
    format: ExportFormat,
    profile: Profile = "liaison",
    kinds: Sequence[str] = (),
    party: str | None = None,
    group: str | None = None,
    include_persons: bool = False,
) -> ExportReport:
    """Write the latest version of every selected record to ``out``.

    ``kinds`` are liaison kinds or STIX types (default: every kind held). Person
    records are local only and left out unless ``include_persons``. The
    ``standard`` profile speaks only standard STIX 2.1 (``liaison.export.standard``);
    ``misp`` writes a MISP event (``liaison.export.misp``).
    """
    if format not in ("stix", "csv", "misp"):
        raise ExportError(f"unknown export format {format!r} (stix, csv or misp)")
    if profile not in ("liaison", "standard"):
        raise ExportError(f"unknown profile {profile!r} (liaison or standard)")
    check_output(out)
    excluded = () if include_persons else LOCAL_ONLY_KINDS
    selected = tuple(k for k in kinds if k not in excluded)
    if kinds and not selected:
        raise ExportError("person records are local only: add --include-persons to export them")
    query = Query(kinds=selected, exclude_kinds=() if selected else excluded,
                  party=party, group=group)  # fmt: skip
    tmp = out.with_name(out.name + ".partial")
    try:
        count, written_kinds = _write(node, tmp, format, profile, query)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    with node.store.transaction() as tx:
        detail = {"count": count, "format": format, "profile": profile,
                  "kinds": list(written_kinds)}  # fmt: skip
        subject = os.fsencode(out).decode("utf-8", "backslashreplace")
        journal.append(node.store, tx, node.key, [("export", subject, detail)], node.now())
    return ExportReport(out, count, written_kinds)


def _write(
    node: Node, tmp: Path, format: ExportFormat, profile: Profile, query: Query
) -> tuple[int, tuple[str, ...]]:
    if format == "csv":
        kinds = query.kinds or tuple(sorted(node.store.counts()))
        kinds = tuple(k for k in kinds if k not in query.exclude_kinds)
        return write_csv(tmp, node.store.query(query), kinds), kinds
    seen: set[str] = set()
    versions = _noting_kinds(node.store.query(query), seen)
    if format == "misp":
        from liaison.export.misp import write_misp_event

        count = write_misp_event(tmp, versions, node)
    elif profile == "standard":
        from liaison.export.standard import write_standard_bundle

        count = write_standard_bundle(tmp, versions, node)
    else:
        count = _write_bundle(tmp, versions, node.new_id("bundle"))
    return count, tuple(sorted(seen))


def _noting_kinds(versions: Iterator[StoredVersion], seen: set[str]) -> Iterator[StoredVersion]:
    for v in versions:
        seen.add(v.index.kind)
        yield v


def _write_bundle(path: Path, versions: Iterator[StoredVersion], bundle_id: str) -> int:
    count = 0
    shared = [liaison_identity(), *extension_definitions()]
    shared_ids = {str(o["id"]) for o in shared}
    with path.open("wb") as fh:
        fh.write(b'{"type":"bundle","id":"' + bundle_id.encode() + b'","objects":[')
        for obj in shared:
            fh.write(orjson.dumps(obj) + b",")
        first = True
        for v in versions:
            if v.index.id in shared_ids:
                continue  # liaison's shared objects (ingested from another node's export)
            fh.write(v.body if first else b"," + v.body)
            first = False
            count += 1
        if first:  # no records: drop the trailing comma after the definitions
            fh.seek(-1, 1)
            fh.truncate()
        fh.write(b"]}\n")
    return count
