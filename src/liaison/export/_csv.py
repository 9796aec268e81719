"""CSV export: common index columns, then each kind's own fields; cells a
spreadsheet would execute are neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec
import orjson

from liaison.records import CLASS_OF_KIND, KINDS, format_timestamp
from liaison.store import StoredVersion

__all__ = ["CSV_COMMON_COLUMNS", "csv_columns", "neutralise", "write_csv"]

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
#: The own columns of an object of no liaison kind.
GENERIC_COLUMNS = ("name", "description")
_NOT_OWN = frozenset(
    {
        "type", "spec_version", "id", "created", "modified", "created_by_ref", "revoked",
        "labels", "confidence", "lang", "object_marking_refs", "external_references",
        "extensions", "extension_type", "latitude", "longitude", "precision", "place_name",
        "granular_markings", "custom", "foreign_extensions",
    }
)  # fmt: skip
#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet would execute (``=cmd|…``) gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_columns(kinds: Sequence[str]) -> list[str]:
    """Common columns, then the own fields of each kind (in ``KINDS`` order), then
    ``name`` and ``description`` when other STIX types are exported."""
    columns = list(CSV_COMMON_COLUMNS)
    for kind in KINDS:
        if kind in kinds:
            for name in _own_fields(kind):
                if name not in columns:
                    columns.append(name)
    if any(k not in CLASS_OF_KIND for k in kinds):
        columns += [c for c in GENERIC_COLUMNS if c not in columns]
    return columns


def _own_fields(kind: str) -> list[str]:
    out: list[str] = []
    for f in msgspec.structs.fields(CLASS_OF_KIND[kind]):
        if f.encode_name != "extensions":
            out.append(f.encode_name)
            continue
        for ext in _structs_in(f.type):
            for ef in msgspec.structs.fields(ext):
                out += [
                    g.encode_name
                    for inner in _structs_in(ef.type)
                    for g in msgspec.structs.fields(inner)
                ]
    return [n for n in out if n not in _NOT_OWN]


def _structs_in(annotation: Any) -> list[type[msgspec.Struct]]:
    """The Struct classes named by an annotation (itself, or inside a union)."""
    candidates = getattr(annotation, "__args__", (annotation,))
    return [c for c in candidates if isinstance(c, type) and issubclass(c, msgspec.Struct)]


def write_csv(path: Path, versions: Iterable[StoredVersion], kinds: Sequence[str]) -> int:
    """Write ``versions`` as CSV rows; returns how many."""
    columns = csv_columns(kinds)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for v in versions:
            writer.writerow(_row(v, columns))
            count += 1
    return count


def _row(v: StoredVersion, columns: list[str]) -> list[Any]:
    obj = orjson.loads(v.body)
    flat: dict[str, Any] = dict(obj)
    for ext in (obj.get("extensions") or {}).values():
        if isinstance(ext, dict):
            flat.update({k: x for k, x in ext.items() if k not in flat})
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
    """Numbers stay numbers (a negative longitude is not a formula); text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        return neutralise(";".join(str(x) for x in value))
    if isinstance(value, dict):
        return neutralise(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
    return neutralise(str(value))
