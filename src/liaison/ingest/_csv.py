"""CSV input with a declarative column mapping (a TOML file).

A mapping names the record kind and, for each record field, the column that
feeds it and how to convert it::

    kind = "strike-report"
    encoding = "utf-8"            # of the CSV file
    id_columns = ["date", "place"]  # the record id is derived from these (stable re-ingest)

    [defaults]                    # constant values for every row
    means = "air"
    reliability = "B"
    credibility = 2

    [columns]
    time_start = { column = "date", format = "%Y-%m-%d" }
    time_end = { column = "date", format = "%Y-%m-%d", add_hours = 24 }
    latitude = "lat"
    longitude = "lon"
    precision = { column = "precision_km", type = "float", scale = 1000 }
    strikes = { column = "n", type = "int" }
    place_name = "town"
"""

from __future__ import annotations

import csv
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from liaison.ingest._shape import STIX_TYPES, TIMESTAMP_FIELDS, shape_record
from liaison.ingest._sources import Item, SourceError
from liaison.records._ids import LIAISON_NAMESPACE

_CONVERSIONS = ("str", "int", "float", "timestamp", "list")


@dataclass(frozen=True, slots=True)
class Column:
    """How one record field is fed from one CSV column."""

    field: str
    column: str
    type: str
    format: str | None
    scale: float
    add_hours: float
    separator: str


@dataclass(frozen=True, slots=True)
class Mapping:
    """A validated CSV mapping."""

    path: Path
    kind: str
    encoding: str
    delimiter: str
    id_columns: tuple[str, ...]
    version_field: str | None
    defaults: dict[str, Any]
    columns: tuple[Column, ...]


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{path}: cannot read mapping: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: not valid TOML: {exc}") from exc
    kind = raw.get("kind")
    if kind not in STIX_TYPES:
        raise SourceError(f"{path}: 'kind' must be one of {', '.join(STIX_TYPES)} (got {kind!r})")
    columns = []
    for field, spec in (raw.get("columns") or {}).items():
        spec = {"column": spec} if isinstance(spec, str) else spec
        if not isinstance(spec, dict) or not isinstance(spec.get("column"), str):
            raise SourceError(f"{path}: columns.{field} needs a 'column' name")
        default_type = "timestamp" if field in TIMESTAMP_FIELDS else "str"
        ctype = spec.get("type", default_type)
        if ctype not in _CONVERSIONS:
            raise SourceError(
                f"{path}: columns.{field}.type must be one of {', '.join(_CONVERSIONS)}"
            )
        unknown = set(spec) - {"column", "type", "format", "scale", "add_hours", "separator"}
        if unknown:
            raise SourceError(
                f"{path}: columns.{field}: unknown key(s) {', '.join(sorted(unknown))}"
            )
        columns.append(
            Column(
                field=field,
                column=spec["column"],
                type=ctype,
                format=spec.get("format"),
                scale=float(spec.get("scale", 1.0)),
                add_hours=float(spec.get("add_hours", 0.0)),
                separator=str(spec.get("separator", ";")),
            )
        )
    if not columns:
        raise SourceError(f"{path}: [columns] maps no field")
    id_columns = tuple(raw.get("id_columns") or ())
    if not id_columns and not any(c.field == "id" for c in columns):
        raise SourceError(f"{path}: give 'id_columns' (or map an 'id' column) so ids are stable")
    return Mapping(
        path=path,
        kind=kind,
        encoding=str(raw.get("encoding", "utf-8")),
        delimiter=str(raw.get("delimiter", ",")),
        id_columns=id_columns,
        version_field=raw.get("version_field"),
        defaults=dict(raw.get("defaults") or {}),
        columns=tuple(columns),
    )


def iter_csv(path: Path, mapping: Mapping, *, created_by_ref: str) -> Iterator[Item]:
    """Stream a CSV file as STIX objects, one per row."""
    try:
        fh = path.open(encoding=mapping.encoding, newline="")
    except LookupError as exc:
        raise SourceError(f"{mapping.path}: unknown encoding {mapping.encoding!r}") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror}") from exc
    with fh:
        reader = csv.DictReader(fh, delimiter=mapping.delimiter)
        row_no = 1
        try:
            header = reader.fieldnames or []
            needed = {c.column for c in mapping.columns} | set(mapping.id_columns)
            missing = sorted(needed - set(header))
            if missing:
                raise SourceError(
                    f"{path.name}: column(s) {', '.join(missing)} named in {mapping.path.name} "
                    f"are missing (the file has: {', '.join(header) or 'no header'})"
                )
            for row_no, row in enumerate(reader, start=2):
                where = f"{path.name} row {row_no}"
                yield Item(_row_object(row, mapping, where, created_by_ref), where)
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{path.name} row {row_no + 1}: not valid {mapping.encoding} text "
                f"(byte {exc.object[exc.start : exc.start + 1]!r}); set 'encoding' in the mapping"
            ) from exc
        except csv.Error as exc:
            raise SourceError(f"{path.name} row {row_no}: malformed CSV: {exc}") from exc


class RowError(Exception):
    """One CSV row cannot be converted; the pipeline reports it like an invalid record."""

    def __init__(self, where: str, field: str, reason: str) -> None:
        super().__init__(f"{where}: field '{field}': {reason}")
        self.where, self.field, self.reason = where, field, reason


def _row_object(row: dict[str, str], m: Mapping, where: str, created_by_ref: str) -> dict[str, Any]:
    fields: dict[str, Any] = dict(m.defaults)
    for c in m.columns:
        text = (row.get(c.column) or "").strip()
        if text == "":
            continue
        fields[c.field] = _convert(text, c, where)
    if "id" not in fields:
        key = "\x1f".join([m.kind, *((row.get(col) or "").strip() for col in m.id_columns)])
        fields["id"] = f"{STIX_TYPES[m.kind]}--{uuid.uuid5(LIAISON_NAMESPACE, key)}"
    return shape_record(
        m.kind, fields, created_by_ref=created_by_ref, version_field=m.version_field
    )


def _convert(text: str, c: Column, where: str) -> Any:
    try:
        if c.type == "int":
            return round(float(text) * c.scale) if c.scale != 1.0 else int(text)
        if c.type == "float":
            return float(text) * c.scale
        if c.type == "list":
            return [part.strip() for part in text.split(c.separator) if part.strip()]
        if c.type == "timestamp":
            return _timestamp(text, c)
    except ValueError:
        label = c.format if c.type == "timestamp" and c.format else c.type
        raise RowError(where, c.field, f"{text!r} (column '{c.column}') is not a {label}") from None
    return text


def _timestamp(text: str, c: Column) -> str:
    if c.format:
        when = datetime.strptime(text, c.format)
    else:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    when += timedelta(hours=c.add_hours)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
