"""Connectors that bring records into a node: STIX bundles and CSV with a mapping."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from liaison.ingest._check import CheckedBatch, FileSource, checked_file_batches
from liaison.ingest._csv import Mapping, RowError, iter_csv, load_mapping
from liaison.ingest._pipeline import IngestReport, ingest_checked, ingest_objects
from liaison.ingest._shape import STIX_TYPES, shape_record
from liaison.ingest._sources import Item, SourceError, iter_stix

if TYPE_CHECKING:
    from liaison.node import Node

__all__ = [
    "STIX_TYPES",
    "CheckedBatch",
    "IngestReport",
    "Item",
    "Mapping",
    "RowError",
    "SourceError",
    "ingest_checked",
    "ingest_file",
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


#: Files larger than this are checked in a worker process while the node writes.
PARALLEL_ABOVE_BYTES = 4 * 2**20


def ingest_file(
    node: Node,
    path: Path,
    *,
    format: Format | None = None,
    mapping: Path | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
    parallel: bool | None = None,
) -> IngestReport:
    """Ingest one file (a STIX bundle, or a CSV file with its mapping).

    Large files are checked (parsed, validated, canonicalised, hashed) in a
    worker process while this process writes: both cores work.
    """
    source = FileSource(path, format or guess_format(path), mapping, node.party_id)
    if parallel is None:
        parallel = path.is_file() and path.stat().st_size > PARALLEL_ABOVE_BYTES
    return ingest_checked(
        node,
        checked_file_batches(source, parallel=parallel),
        source=str(path),
        skip_invalid=skip_invalid,
        progress=progress,
    )
