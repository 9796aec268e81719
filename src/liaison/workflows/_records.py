"""Ingest, then release: the partners' tables follow what was stored."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liaison.ingest import IngestReport
    from liaison.node import Node
    from liaison.release import ReleaseReport

__all__ = ["FileOutcome", "IngestOutcome", "ingest_and_release"]

#: Given a file, a context that yields the progress callback for it (records done).
ProgressFor = Callable[[Path], AbstractContextManager[Callable[[int], None] | None]]


@dataclass(frozen=True)
class FileOutcome:
    """One file's ingest: its report (``None`` when the file does not exist) and,
    for open-data connectors, the connector's findings (one line each)."""

    path: Path
    report: IngestReport | None
    findings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report is not None and self.report.ok


@dataclass(frozen=True)
class IngestOutcome:
    """Every file's outcome, and the release that followed them."""

    files: tuple[FileOutcome, ...]
    release: ReleaseReport
    missing: tuple[Path, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def ingest_and_release(
    node: Node,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    mapping: Path | None = None,
    skip_invalid: bool = False,
    options: dict[str, Any] | None = None,
    on_refuse: Callable[[str], None] | None = None,
    progress_for: ProgressFor | None = None,
) -> IngestOutcome:
    """Ingest ``paths`` (STIX, CSV with ``mapping``, or an open-data connector
    ``format``), then materialise every partner's release table once.

    A missing file is reported, not raised: the other files are still ingested.
    """
    from liaison.ingest import ingest_file
    from liaison.ingest.connectors import FORMATS as CONNECTOR_FORMATS
    from liaison.ingest.connectors import ingest_source
    from liaison.release import materialise_releases

    outcomes: list[FileOutcome] = []
    for path in paths:
        if not path.is_file():
            outcomes.append(FileOutcome(path, None))
            continue
        context = progress_for(path) if progress_for is not None else nullcontext(None)
        with context as advance:
            if format in CONNECTOR_FORMATS:
                assert format is not None
                done = ingest_source(
                    node, path, format, mapping=mapping, options=options,
                    skip_invalid=skip_invalid, progress=advance,
                )  # fmt: skip
                outcomes.append(FileOutcome(path, done.ingest, tuple(done.findings.lines()[1:])))
            else:
                report = ingest_file(
                    node,
                    path,
                    format=format,  # type: ignore[arg-type]
                    mapping=mapping,
                    skip_invalid=skip_invalid,
                    progress=advance,
                    on_refuse=on_refuse,
                )
                outcomes.append(FileOutcome(path, report))
    released = materialise_releases(node)
    missing = tuple(f.path for f in outcomes if f.report is None)
    return IngestOutcome(tuple(outcomes), released, missing)
