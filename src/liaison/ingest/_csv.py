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
    time_start = { column = ["date", "time"], format = "%d-%b-%y %H:%M" }
    time_end = { column = ["date", "end"], format = "%d-%b-%y %H:%M", else_field = "time_start" }
    latitude = { column = "lat", type = "float", decimal = "," }
    longitude = "lon"
    precision = { column = "precision_km", type = "float", scale = 1000 }
    strikes = { column = "n", type = "int" }
    place_name = "town"

Column options: ``column`` (a name, or a list of names whose values are joined
with a space), ``type`` (str, int, float, timestamp, list), ``format`` (strptime
format of a timestamp; default ISO 8601), ``scale`` (multiply numbers: unit
conversion), ``decimal`` (decimal separator), ``add_hours`` (shift a timestamp),
``replace`` (a table of text substitutions applied first, e.g. month names),
``separator`` (of a list), ``else_field`` (when the column is empty, take the
value of another mapped field). The pseudo-column ``_row`` (the row number) may
be used in ``id_columns`` when rows have no natural key.
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
from liaison.records import LIAISON_NAMESPACE

_CONVERSIONS = ("str", "int", "float", "timestamp", "list")


_COLUMN_KEYS = frozenset(
    {"column", "type", "format", "scale", "add_hours", "separator", "decimal", "replace",
     "else_field"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    """How one record field is fed from one or more CSV columns."""

    field: str
    columns: tuple[str, ...]
    type: str
    format: str | None
    scale: float
    add_hours: float
    separator: str
    decimal: str
    replace: tuple[tuple[str, str], ...]
    else_field: str | None

    @property
    def column(self) -> str:
        return " + ".join(self.columns)


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
    if not isinstance(kind, str) or kind not in STIX_TYPES:
        raise SourceError(f"{path}: 'kind' must be one of {', '.join(STIX_TYPES)} (got {kind!r})")
    columns = [_column(path, field, spec) for field, spec in (raw.get("columns") or {}).items()]
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


def _column(path: Path, field: str, spec: Any) -> Column:
    spec = {"column": spec} if isinstance(spec, (str, list)) else spec
    where = f"{path}: columns.{field}"
    if not isinstance(spec, dict):
        raise SourceError(f"{where}: expected a column name or a table")
    names = spec.get("column")
    names = [names] if isinstance(names, str) else names
    if not names or not all(isinstance(n, str) for n in names):
        raise SourceError(f"{where}: 'column' must name a column (or a list of columns)")
    unknown = set(spec) - _COLUMN_KEYS
    if unknown:
        raise SourceError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    ctype = spec.get("type", "timestamp" if field in TIMESTAMP_FIELDS else "str")
    if ctype not in _CONVERSIONS:
        raise SourceError(f"{where}.type must be one of {', '.join(_CONVERSIONS)}")
    replace = spec.get("replace", {})
    if not isinstance(replace, dict):
        raise SourceError(f"{where}.replace must be a table of text substitutions")
    try:
        scale, add_hours = float(spec.get("scale", 1.0)), float(spec.get("add_hours", 0.0))
    except (TypeError, ValueError):
        raise SourceError(f"{where}: 'scale' and 'add_hours' must be numbers") from None
    return Column(
        field=field,
        columns=tuple(names),
        type=ctype,
        format=spec.get("format"),
        scale=scale,
        add_hours=add_hours,
        separator=str(spec.get("separator", ";")),
        decimal=str(spec.get("decimal", ".")),
        replace=tuple((str(k), str(v)) for k, v in replace.items()),
        else_field=spec.get("else_field"),
    )


def iter_csv(path: Path, mapping: Mapping, *, created_by_ref: str) -> Iterator[Item]:
    """Stream a CSV file as STIX objects, one per row (``row N`` is the file's line N)."""
    try:
        "".encode(mapping.encoding)
    except LookupError as exc:
        raise SourceError(f"{mapping.path}: unknown encoding {mapping.encoding!r}") from exc
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot open: {exc.strerror}") from exc
    with fh:
        lines = _decoded_lines(fh, path.name, mapping.encoding)
        reader = csv.DictReader(lines, delimiter=mapping.delimiter)
        try:
            header = reader.fieldnames or []
            needed = {n for c in mapping.columns for n in c.columns}
            needed |= set(mapping.id_columns) - {"_row"}
            missing = sorted(needed - set(header))
            if missing:
                raise SourceError(
                    f"{path.name}: column(s) {', '.join(missing)} named in {mapping.path.name} "
                    f"are missing (the file has: {', '.join(header) or 'no header'})"
                )
            for row in reader:
                where = f"{path.name} row {reader.line_num}"
                row["_row"] = str(reader.line_num)
                try:
                    yield Item(_row_object(row, mapping, where, created_by_ref), where)
                except RowError as exc:
                    yield Item({}, where, error=str(exc))
        except csv.Error as exc:
            raise SourceError(f"{path.name} row {reader.line_num}: malformed CSV: {exc}") from exc


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


def _row_object(row: dict[str, str], m: Mapping, where: str, created_by_ref: str) -> dict[str, Any]:
    fields: dict[str, Any] = dict(m.defaults)
    fallbacks: list[Column] = []
    for c in m.columns:
        text = " ".join(v for v in ((row.get(n) or "").strip() for n in c.columns) if v)
        if not all((row.get(n) or "").strip() for n in c.columns):
            text = ""  # a partly empty multi-column value counts as missing
        if text == "":
            if c.else_field:
                fallbacks.append(c)
            continue
        fields[c.field] = _convert(text, c, where)
    for c in fallbacks:
        if c.else_field in fields:
            fields[c.field] = fields[c.else_field]
    if "id" not in fields:
        key = "\x1f".join([m.kind, *((row.get(col) or "").strip() for col in m.id_columns)])
        fields["id"] = f"{STIX_TYPES[m.kind]}--{uuid.uuid5(LIAISON_NAMESPACE, key)}"
    return shape_record(
        m.kind, fields, created_by_ref=created_by_ref, version_field=m.version_field
    )


def _convert(text: str, c: Column, where: str) -> Any:
    for old, new in c.replace:
        text = text.replace(old, new)
    if c.decimal != "." and c.type in ("int", "float"):
        text = text.replace(c.decimal, ".")
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
