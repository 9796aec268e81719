"""Open datasets: the catalogue of what the connectors read (producers, licences,
pinned files with checksums), ``fetch_dataset`` to download and verify them, and
the real case (``liaison.data.realcase``)."""

from __future__ import annotations

from liaison.data._catalogue import DATASETS, Dataset, DatasetFile
from liaison.data._fetch import (
    DataFetchError,
    FetchedFile,
    FetchReport,
    fetch_dataset,
    find_dataset,
)

__all__ = [
    "DATASETS",
    "DataFetchError",
    "Dataset",
    "DatasetFile",
    "FetchReport",
    "FetchedFile",
    "fetch_dataset",
    "find_dataset",
]
