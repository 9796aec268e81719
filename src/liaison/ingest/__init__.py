"""Connectors that bring records into a node: STIX bundles and CSV with a mapping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from liaison.ingest._csv import Mapping, RowError, iter_csv, load_mapping
from liaison.ingest._pipeline import IngestReport, ingest_items, ingest_objects
from liaison.ingest._shape import STIX_TYPES, shape_record
from liaison.ingest._sources import Item, SourceError, iter_stix

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = [
    "STIX_TYPES",
    "IngestReport",
    "Item",
    "Mapping",
    "RowError",
    "SourceError",
    "ingest_file",
    "ingest_items",
    "ingest_objects",
    "iter_csv",
    "iter_stix",
    "load_mapping",
    "shape_record",
]

Format = Literal["stix", "csv"]


def guess_format(path: Path) -> Format:
    """``csv`` for ``.csv``/``.tsv`` files, ``stix`` otherwise."""
    return "csv" if path.suffix.lower() in (".csv", ".tsv") else "stix"


def ingest_file(
    node: Node,
    path: Path,
    *,
    format: Format | None = None,
    mapping: Path | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest one file (a STIX bundle, or a CSV file with its mapping)."""
    fmt = format or guess_format(path)
    if fmt == "csv":
        if mapping is None:
            report = IngestReport(str(path), committed=False)
            report.refuse(f"{path.name}: CSV input needs a mapping (--mapping FILE.toml)")
            return report
        try:
            spec = load_mapping(mapping)
        except SourceError as exc:
            report = IngestReport(str(path), committed=False)
            report.refuse(str(exc))
            return report
        items = iter_csv(path, spec, created_by_ref=node.party_id)
    else:
        items = iter_stix(path)
    return ingest_items(node, items, source=str(path), skip_invalid=skip_invalid, progress=progress)
