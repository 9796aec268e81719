"""Connectors that bring records into a node: STIX bundles and CSV with a mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from liaison.ingest._check import CheckedBatch, FileSource, checked_file_batches
from liaison.ingest._csv import Mapping, RowError, iter_csv
from liaison.ingest._mapping import load_mapping
from liaison.ingest._pipeline import IngestReport, ingest_checked, ingest_objects
from liaison.ingest._shape import STIX_TYPES, shape_record
from liaison.ingest._sources import Item, SourceError, display_path, iter_stix

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
    "display_path",
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
    on_refuse: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest one file (a STIX bundle, or a CSV file with its mapping).

    Large files are checked (parsed, validated, canonicalised, hashed) in a
    worker process while this process writes: both cores work. ``on_refuse``
    is called with every refusal message (e.g. to write a rejects file).
    """
    fmt = format or guess_format(path)
    names: dict[str, dict[str, str]] | None = None
    if fmt == "csv" and mapping is not None:
        try:
            spec = load_mapping(mapping)  # a bad mapping is refused before any work
        except SourceError as exc:
            return ingest_checked(node, _failing(exc), source=display_path(path),
                                  on_refuse=on_refuse)  # fmt: skip
        if spec.lookups:
            from liaison.registry import name_table

            names = {kind: name_table(node.store, kind) for kind in spec.name_kinds}
    source = FileSource(path, fmt, mapping, node.party_id, names)
    if parallel is None:
        parallel = path.is_file() and path.stat().st_size > PARALLEL_ABOVE_BYTES
    return ingest_checked(
        node,
        checked_file_batches(source, parallel=parallel),
        source=display_path(path),
        skip_invalid=skip_invalid,
        progress=progress,
        on_refuse=on_refuse,
    )


def _failing(exc: SourceError) -> Iterator[CheckedBatch]:
    raise exc
    yield  # a generator that fails when first read
