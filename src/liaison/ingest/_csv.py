"""CSV input with a declarative column mapping (``_mapping.py`` reads the mapping).

Strict: a row with more or fewer cells than the header, a quote that is never
closed, or a quoted cell running over several lines (unless the mapping says
``multiline = true``) is refused with its line number, so no row is ever
swallowed by another. Cells listed in ``null_values`` count as empty; ``map``
turns codes into values; ``lookup`` turns party and group names into ids;
``[[filters]]`` keep only the rows wanted (the others are counted, not refused).
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterator
from collections.abc import Mapping as TypingMapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from liaison.ingest._mapping import Column, Filter, Mapping, load_mapping
from liaison.ingest._shape import STIX_TYPES, shape_record
from liaison.ingest._sources import Item, SourceError, display_name, display_path
from liaison.records import LIAISON_NAMESPACE

__all__ = ["Column", "Filter", "Mapping", "RowError", "iter_csv", "load_mapping"]

#: A name-to-id table per looked-up kind: ``{"party": {"nl": "identity--…"}, …}``.
Names = TypingMapping[str, TypingMapping[str, str]]

_STIX_ID = re.compile(
    r"^[a-z0-9]+(-[a-z0-9]+)*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def iter_csv(
    path: Path, mapping: Mapping, *, created_by_ref: str, names: Names | None = None
) -> Iterator[Item]:
    """Stream a CSV file as STIX objects, one per row (``row N`` is the file's line N).

    Rows left out by a filter come as items marked ``filtered``.
    """
    name = display_name(path)
    missing_lookups = sorted(k for k in mapping.lookups if not (names or {}).get(k))
    if missing_lookups and names is None:
        raise SourceError(f"{display_path(mapping.path)}: 'lookup' needs the node's names "
                          f"({', '.join(missing_lookups)})")  # fmt: skip
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{display_path(path)}: cannot open: {exc.strerror}") from exc
    with fh:
        lines = _decoded_lines(fh, name, mapping.encoding)
        reader = csv.reader(lines, delimiter=mapping.delimiter, strict=True)
        start = 1
        try:
            header = next(reader, None) or []
            _check_header(header, mapping, name)
            width = len(header)
            while True:
                start = reader.line_num + 1
                cells = next(reader, None)
                if cells is None:
                    return
                if not cells:
                    continue  # a blank line
                where = f"{name} row {start}"
                size = sum(len(c) for c in cells)
                problem = _shape_problem(cells, width, start, reader.line_num, mapping)
                if problem is not None:
                    yield Item({}, where, error=f"{where}: {problem}", size=size)
                    continue
                row = dict(zip(header, cells, strict=True))
                row["_row"] = str(start)
                if not all(f.keeps(_cell(row, f.column, mapping.null_values)) for f in
                           mapping.filters):  # fmt: skip
                    yield Item({}, where, size=size, filtered=True)
                    continue
                try:
                    obj = _row_object(row, mapping, where, created_by_ref, names or {})
                except RowError as exc:
                    yield Item({}, where, error=str(exc), size=size)
                    continue
                yield Item(obj, where, size=size)
        except csv.Error as exc:
            reason = str(exc)
            if "unexpected end of data" in reason or "EOF" in reason:
                reason = "a quote opened here is never closed"
            raise SourceError(f"{name} row {start}: malformed CSV: {reason}") from None


def _check_header(header: list[str], mapping: Mapping, name: str) -> None:
    needed = {n for c in mapping.columns for n in c.columns}
    needed |= set(mapping.id_columns) - {"_row"}
    needed |= {f.column for f in mapping.filters} - {"_row"}
    missing = sorted(needed - set(header))
    if missing:
        raise SourceError(
            f"{name}: column(s) {', '.join(missing)} named in {display_name(mapping.path)} "
            f"are missing (the file has: {', '.join(header) or 'no header'})"
        )
    doubled = sorted({h for h in header if header.count(h) > 1})
    if doubled:
        raise SourceError(f"{name}: the header names column(s) {', '.join(doubled)} twice")


def _shape_problem(
    cells: list[str], width: int, start: int, end: int, mapping: Mapping
) -> str | None:
    if end > start and not mapping.multiline:
        return (
            f"a quoted cell runs over lines {start}–{end} (a quote left open?); "
            "set multiline = true in the mapping if cells may hold line breaks"
        )
    if len(cells) != width:
        fewer = "too few" if len(cells) < width else "too many"
        return f"{fewer} cells: {len(cells)}, but the header has {width} columns"
    return None


def _cell(row: dict[str, str], column: str, nulls: frozenset[str]) -> str:
    text = row.get(column, "").strip()
    return "" if text in nulls else text


def _decoded_lines(fh: Any, name: str, encoding: str) -> Iterator[str]:
    """Decode line by line, so a bad byte is reported at its own line."""
    for line_no, raw in enumerate(fh, start=1):
        try:
            text: str = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{name} row {line_no}: not valid {encoding} text "
                f"(byte {raw[exc.start : exc.start + 1]!r}); set 'encoding' in the mapping"
            ) from None
        yield text.lstrip("\ufeff") if line_no == 1 else text


class RowError(Exception):
    """One CSV row cannot be converted; the pipeline reports it like an invalid record."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        super().__init__(f"{where}: field '{field}': {reason}")
        self.where, self.field, self.reason = where, field, reason


def _row_object(
    row: dict[str, str], m: Mapping, where: str, created_by_ref: str, names: Names
) -> dict[str, Any]:
    fields: dict[str, Any] = dict(m.defaults)
    fallbacks: list[Column] = []
    for c in m.columns:
        nulls = c.null_values if c.null_values is not None else m.null_values
        parts = [_cell(row, n, nulls) for n in c.columns]
        if not all(parts):  # a partly empty multi-column value counts as missing
            if c.else_field:
                fallbacks.append(c)
            continue
        fields[c.field] = _convert(" ".join(parts), c, where, names)
    for c in fallbacks:
        if c.else_field in fields:
            fields[c.field] = fields[c.else_field]
    if "id" not in fields:
        key = "\x1f".join([m.kind, *(row.get(col, "").strip() for col in m.id_columns)])
        fields["id"] = f"{STIX_TYPES[m.kind]}--{uuid.uuid5(LIAISON_NAMESPACE, key)}"
    return shape_record(
        m.kind, fields, created_by_ref=created_by_ref, version_field=m.version_field
    )


def _convert(text: str, c: Column, where: str, names: Names) -> Any:
    for old, new in c.replace:
        text = text.replace(old, new)
    if c.values is not None:
        if text not in c.values:
            known = ", ".join(repr(k) for k in list(c.values)[:12])
            raise RowError(where, c.field, f"{text!r} (column '{c.column}') is not in its map "
                           f"(known: {known})")  # fmt: skip
        value = c.values[text]
        if not isinstance(value, str):
            return value
        text = value
    if c.lookup is not None:
        return _look_up(text, c, where, names)
    if c.decimal != "." and c.type in ("int", "float"):
        text = text.replace(c.decimal, ".")
    try:
        if c.type == "int":
            return round(_finite(text) * c.scale) if c.scale != 1.0 else int(text)
        if c.type == "float":
            return _finite(text) * c.scale
        if c.type == "list":
            return [part.strip() for part in text.split(c.separator) if part.strip()]
        if c.type == "timestamp":
            return _timestamp(text, c)
    except (ValueError, OverflowError):
        label = c.format if c.type == "timestamp" and c.format else c.type
        raise RowError(where, c.field, f"{text!r} (column '{c.column}') is not a {label}") from None
    return text


def _finite(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def _look_up(text: str, c: Column, where: str, names: Names) -> str:
    if _STIX_ID.match(text):
        return text
    table = names.get(c.lookup or "", {})
    found = table.get(text) or table.get(text.casefold())
    if found is None:
        shown: dict[str, str] = {}
        for name in sorted(table):  # one spelling of each name (capitals sort first)
            shown.setdefault(name.casefold(), name)
        listed = sorted(shown.values())
        known = ", ".join(listed[:20]) or f"none; add one with 'liaison {c.lookup} add'"
        reason = f"unknown {c.lookup} {text!r} (column '{c.column}'; known: {known})"
        raise RowError(where, c.field, reason)
    return found


def _timestamp(text: str, c: Column) -> str:
    if c.format:
        when = datetime.strptime(text, c.format)
    else:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    when += timedelta(hours=c.add_hours)
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
        f"{when.second:02d}.{when.microsecond // 1000:03d}Z"
    )
