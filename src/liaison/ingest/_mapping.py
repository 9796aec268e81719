"""CSV mappings: the TOML file that says how rows become records, checked key by key.

A mapping names the record kind and, for each record field, the column that
feeds it and how to convert it::

    kind = "strike-report"
    encoding = "utf-8"              # of the CSV file
    delimiter = ","
    id_columns = ["date", "place"]  # the record id is derived from these (stable re-ingest)
    null_values = ["", "NA"]        # cells that mean "no value"

    [defaults]                      # constant values for every row
    means = "air"

    [columns]
    time_start = { column = ["date", "time"], format = "%d-%b-%y %H:%M" }
    latitude = { column = "lat", type = "float", decimal = "," }
    precision = { column = "where_prec", map = { "1" = 1000, "2" = 25000 } }
    party_ref = { column = "side_a", lookup = "party" }

    [[filters]]                     # keep only rows that pass every filter
    column = "type_of_violence"
    in = ["1", "3"]

Every error names the file and the key; an unknown key is refused (a typo
must not silently do nothing).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from liaison.ingest._shape import STIX_TYPES, TIMESTAMP_FIELDS
from liaison.ingest._sources import SourceError, display_path

__all__ = ["Column", "Filter", "Mapping", "load_mapping"]

CONVERSIONS = ("str", "int", "float", "timestamp", "list")
LOOKUPS = ("party", "group")

_TOP_KEYS = frozenset(
    {"kind", "encoding", "delimiter", "multiline", "id_columns", "version_field",
     "null_values", "defaults", "columns", "filters"}
)  # fmt: skip
_COLUMN_KEYS = frozenset(
    {"column", "type", "format", "scale", "add_hours", "separator", "decimal", "replace",
     "else_field", "map", "lookup", "null_values"}
)  # fmt: skip
_FILTER_KEYS = frozenset({"column", "equals", "in", "not_in", "matches"})


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
    values: dict[str, Any] | None = None  # the ``map`` table: cell text -> value
    lookup: str | None = None  # "party" or "group": cell text is a name
    null_values: frozenset[str] | None = None  # overrides the mapping's

    @property
    def column(self) -> str:
        return " + ".join(self.columns)


@dataclass(frozen=True, slots=True)
class Filter:
    """A row filter: the row is kept only if its ``column`` passes."""

    column: str
    allowed: frozenset[str] | None = None
    refused: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None

    def keeps(self, text: str) -> bool:
        if self.allowed is not None and text not in self.allowed:
            return False
        if text in self.refused:
            return False
        return self.pattern is None or self.pattern.fullmatch(text) is not None


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
    multiline: bool = False
    null_values: frozenset[str] = frozenset({""})
    filters: tuple[Filter, ...] = ()

    @property
    def lookups(self) -> frozenset[str]:
        """The kinds of names this mapping looks up (``party``, ``group``)."""
        return frozenset(c.lookup for c in self.columns if c.lookup is not None)

    @property
    def name_kinds(self) -> tuple[Literal["party", "group"], ...]:
        """``lookups``, typed for the registry."""
        return tuple(k for k in ("party", "group") if k in self.lookups)


class _Keys:
    """Typed access to one TOML table, with errors naming the file and the key."""

    def __init__(self, where: str, table: Any, allowed: frozenset[str]) -> None:
        if not isinstance(table, dict):
            raise SourceError(f"{where}: expected a table, not {_kind(table)}")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise SourceError(
                f"{where}: unknown key(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )
        self.where, self.table = where, table

    def _fail(self, key: str, wanted: str) -> SourceError:
        got = self.table[key]
        return SourceError(f"{self.where}.{key}: must be {wanted} (got {got!r}, {_kind(got)})")

    def text(self, key: str, default: str | None = None, *, length: int | None = None) -> Any:
        value = self.table.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or (length is not None and len(value) != length):
            raise self._fail(key, "one character" if length == 1 else "a string")
        if length is None and value == "" and key not in ("separator",):
            raise self._fail(key, "a non-empty string")
        return value

    def texts(self, key: str) -> tuple[str, ...] | None:
        value = self.table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a string or a list of strings")
        return tuple(value)

    def number(self, key: str, default: float) -> float:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number")
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.table.get(key, False)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def sub(self, key: str) -> dict[str, Any]:
        value = self.table.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(key, "a table")
        return value


def _kind(value: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
             list: "a list", dict: "a table"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    shown = display_path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SourceError(f"{shown}: cannot read mapping: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{shown}: not valid TOML: {exc}") from exc
    top = _Keys(shown, raw, _TOP_KEYS)
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in STIX_TYPES:
        raise SourceError(f"{shown}: 'kind' must be one of {', '.join(STIX_TYPES)} (got {kind!r})")
    encoding = top.text("encoding", "utf-8")
    try:
        "".encode(encoding)
    except LookupError:
        raise SourceError(f"{shown}.encoding: unknown encoding {encoding!r}") from None
    nulls = top.texts("null_values")
    columns = [_column(shown, name, spec) for name, spec in top.sub("columns").items()]
    if not columns:
        raise SourceError(f"{shown}: [columns] maps no field")
    id_columns = top.texts("id_columns") or ()
    if not id_columns and not any(c.field == "id" for c in columns):
        raise SourceError(f"{shown}: give 'id_columns' (or map an 'id' column) so ids are stable")
    filters = raw.get("filters", [])
    if not isinstance(filters, list):
        raise SourceError(f"{shown}.filters: must be an array of tables ([[filters]])")
    return Mapping(
        path=path,
        kind=kind,
        encoding=encoding,
        delimiter=top.text("delimiter", ",", length=1),
        id_columns=id_columns,
        version_field=top.text("version_field"),
        defaults=top.sub("defaults"),
        columns=tuple(columns),
        multiline=top.flag("multiline"),
        null_values=frozenset({"", *nulls}) if nulls is not None else frozenset({""}),
        filters=tuple(_filter(f"{shown}.filters[{i}]", f) for i, f in enumerate(filters)),
    )


def _column(shown: str, field: str, spec: Any) -> Column:
    spec = {"column": spec} if isinstance(spec, str | list) else spec
    where = f"{shown}: columns.{field}"
    if not isinstance(spec, dict):
        raise SourceError(f"{where}: expected a column name or a table, not {_kind(spec)}")
    keys = _Keys(where, spec, _COLUMN_KEYS)
    names = keys.texts("column")
    if not names or not all(names):
        raise SourceError(f"{where}: 'column' must name a column (or a list of columns)")
    ctype = keys.text("type", "timestamp" if field in TIMESTAMP_FIELDS else "str")
    if ctype not in CONVERSIONS:
        raise SourceError(f"{where}.type: must be one of {', '.join(CONVERSIONS)} (got {ctype!r})")
    replace = keys.sub("replace")
    if not all(isinstance(v, str) for v in replace.values()):
        raise SourceError(f"{where}.replace: must be a table of text substitutions")
    values = spec.get("map")
    if values is not None and (not isinstance(values, dict) or not values):
        raise SourceError(f"{where}.map: must be a table of cell value = field value")
    lookup = keys.text("lookup")
    if lookup is not None and lookup not in LOOKUPS:
        raise SourceError(f"{where}.lookup: must be one of {', '.join(LOOKUPS)} (got {lookup!r})")
    nulls = keys.texts("null_values")
    return Column(
        field=field,
        columns=names,
        type=ctype,
        format=keys.text("format"),
        scale=keys.number("scale", 1.0),
        add_hours=keys.number("add_hours", 0.0),
        separator=keys.text("separator", ";"),
        decimal=keys.text("decimal", ".", length=1),
        replace=tuple(replace.items()),
        else_field=keys.text("else_field"),
        values=values,
        lookup=lookup,
        null_values=frozenset({"", *nulls}) if nulls is not None else None,
    )


def _filter(where: str, spec: Any) -> Filter:
    keys = _Keys(where, spec, _FILTER_KEYS)
    column = keys.text("column")
    if column is None:
        raise SourceError(f"{where}: 'column' must name the column to filter on")
    equals, allowed, refused = keys.text("equals"), keys.texts("in"), keys.texts("not_in")
    if equals is not None:
        allowed = (*(allowed or ()), equals)
    pattern = keys.text("matches")
    try:
        compiled = re.compile(pattern) if pattern is not None else None
    except re.error as exc:
        raise SourceError(f"{where}.matches: not a regular expression: {exc}") from None
    if allowed is None and refused is None and compiled is None:
        raise SourceError(f"{where}: give 'equals', 'in', 'not_in' or 'matches'")
    return Filter(
        column=column,
        allowed=frozenset(allowed) if allowed is not None else None,
        refused=frozenset(refused or ()),
        pattern=compiled,
    )
