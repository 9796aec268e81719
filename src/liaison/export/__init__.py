"""Export stored records as a STIX 2.1 bundle or as CSV, streamed, and audited."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import msgspec
import orjson

from liaison.audit import journal
from liaison.records import (
    CLASS_OF_KIND,
    KINDS,
    LOCAL_ONLY_KINDS,
    extension_definitions,
    format_timestamp,
    liaison_identity,
)
from liaison.store import Query, StoredVersion

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = ["CSV_COMMON_COLUMNS", "ExportReport", "csv_columns", "export_records"]

ExportFormat = Literal["stix", "csv"]

#: The columns every CSV export starts with.
CSV_COMMON_COLUMNS = (
    "id",
    "kind",
    "party",
    "group",
    "time_start",
    "time_end",
    "latitude",
    "longitude",
    "precision_m",
    "place",
)
_NOT_OWN = frozenset(
    {
        "type", "spec_version", "id", "created", "modified", "created_by_ref", "revoked",
        "labels", "confidence", "lang", "object_marking_refs", "external_references",
        "extensions", "extension_type", "latitude", "longitude", "precision", "place_name",
        "granular_markings", "custom",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    count: int
    kinds: tuple[str, ...]


def csv_columns(kinds: Sequence[str]) -> list[str]:
    """Common columns, then the own fields of each kind (in ``KINDS`` order)."""
    columns = list(CSV_COMMON_COLUMNS)
    for kind in KINDS:
        if kind in kinds:
            for name in _own_fields(kind):
                if name not in columns:
                    columns.append(name)
    return columns


def _own_fields(kind: str) -> list[str]:
    out: list[str] = []
    for f in msgspec.structs.fields(CLASS_OF_KIND[kind]):
        if f.encode_name != "extensions":
            out.append(f.encode_name)
            continue
        for ext in _structs_in(f.type):
            for ef in msgspec.structs.fields(ext):
                out += [g.encode_name for inner in _structs_in(ef.type) for g in _fields(inner)]
    return [n for n in out if n not in _NOT_OWN]


def _structs_in(annotation: Any) -> list[type[msgspec.Struct]]:
    """The Struct classes named by an annotation (itself, or inside a union)."""
    candidates = getattr(annotation, "__args__", (annotation,))
    return [c for c in candidates if isinstance(c, type) and issubclass(c, msgspec.Struct)]


def _fields(cls: type[msgspec.Struct]) -> tuple[msgspec.structs.FieldInfo, ...]:
    return msgspec.structs.fields(cls)


def export_records(
    node: Node,
    out: Path,
    *,
    format: ExportFormat,
    kinds: Sequence[str] = (),
    include_persons: bool = False,
) -> ExportReport:
    """Write the latest version of every selected record to ``out``.

    Person records are local only and left out unless ``include_persons``.
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown kind(s) {', '.join(unknown)}; kinds are {', '.join(KINDS)}")
    excluded = () if include_persons else LOCAL_ONLY_KINDS
    selected = tuple(k for k in (kinds or KINDS) if k not in excluded)
    query = Query(kinds=selected)
    versions = node.store.query(query)
    tmp = out.with_name(out.name + ".partial")
    if format == "stix":
        count = _write_bundle(tmp, versions, node.new_id("bundle"))
    else:
        count = _write_csv(tmp, versions, selected)
    tmp.replace(out)
    with node.store.transaction() as tx:
        detail = {"count": count, "format": format, "kinds": list(selected)}
        journal.append(node.store, tx, node.key, [("export", str(out), detail)], node.now())
    return ExportReport(out, count, selected)


def _write_bundle(path: Path, versions: Iterator[StoredVersion], bundle_id: str) -> int:
    count = 0
    with path.open("wb") as fh:
        fh.write(b'{"type":"bundle","id":"' + bundle_id.encode() + b'","objects":[')
        for obj in (liaison_identity(), *extension_definitions()):
            fh.write(orjson.dumps(obj) + b",")
        first = True
        for v in versions:
            fh.write(v.body if first else b"," + v.body)
            first = False
            count += 1
        if first:  # no records: drop the trailing comma after the definitions
            fh.seek(-1, 1)
            fh.truncate()
        fh.write(b"]}\n")
    return count


def _write_csv(path: Path, versions: Iterator[StoredVersion], kinds: Sequence[str]) -> int:
    columns = csv_columns(kinds)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for v in versions:
            writer.writerow(_csv_row(v, columns))
            count += 1
    return count


def _csv_row(v: StoredVersion, columns: list[str]) -> list[Any]:
    obj = orjson.loads(v.body)
    flat: dict[str, Any] = dict(obj)
    for ext in (obj.get("extensions") or {}).values():
        if isinstance(ext, dict):
            flat.update(ext)
    ix = v.index
    flat.update(
        kind=ix.kind,
        party=ix.party_ref or "",
        group=ix.group_ref or "",
        time_start="" if ix.time_start_ms is None else format_timestamp(ix.time_start_ms),
        time_end="" if ix.time_end_ms is None else format_timestamp(ix.time_end_ms),
        latitude="" if ix.latitude is None else ix.latitude,
        longitude="" if ix.longitude is None else ix.longitude,
        precision_m="" if ix.precision_m is None else ix.precision_m,
        place=flat.get("place_name") or flat.get("name") or "",
    )
    return [_cell(flat.get(c)) for c in columns]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    return value
