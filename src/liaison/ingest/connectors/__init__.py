"""Connectors for real open data: UCDP GED, CENTCOM / CJTF-OIR strike-release
text, the Netherlands MoD strike log and Syrian Archive harm allegations.

Each turns its source into STIX records (``liaison.records``) that go through the
node's one write path, like every other source; what it could not turn into a
record is counted with its reason (``Findings``). Settings are TOML (defaults
beside each module, the user's overrides from ``--mapping``); see
docs/connectors.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from liaison.ingest.connectors._config import ConnectorError, load_settings
from liaison.ingest.connectors._context import Context, GroupSpec, record_id
from liaison.ingest.connectors._report import ConnectorReport, Findings

if TYPE_CHECKING:
    from liaison.ingest import Item
    from liaison.ingest.geocode import Gazetteer
    from liaison.node import Node

__all__ = [
    "FORMATS",
    "ConnectorError",
    "ConnectorReport",
    "Context",
    "Findings",
    "GroupSpec",
    "connector_items",
    "ingest_source",
    "record_id",
]


#: ``--format`` name → (module, settings class, items function); imported on use.
_CONNECTORS: dict[str, tuple[str, str, str]] = {
    "ucdp": ("ucdp", "UcdpSettings", "ucdp_items"),
    "strike-release": ("strike_release", "StrikeReleaseSettings", "strike_release_items"),
    "nl-mod": ("nl_mod", "NlModSettings", "nl_mod_items"),
    "syrian-archive": ("syrian_archive", "SyrianArchiveSettings", "syrian_archive_items"),
}
FORMATS = tuple(_CONNECTORS)


def connector_items(
    node: Node,
    path: Path,
    format: str,
    *,
    mapping: Path | None = None,
    options: dict[str, Any] | None = None,
    gazetteer: Callable[[], Gazetteer] | None = None,
) -> tuple[Iterator[Item], Findings]:
    """The records of ``path`` read by connector ``format``, and the findings that
    fill in as the records are consumed. Raises ``ConnectorError`` on bad settings."""
    if format not in _CONNECTORS:
        raise ConnectorError(f"unknown format {format!r} (known: {', '.join(FORMATS)})")
    name, settings_class, items_function = _CONNECTORS[format]
    module = importlib.import_module(f"liaison.ingest.connectors.{name}")
    cls, make = getattr(module, settings_class), getattr(module, items_function)
    settings, table = load_settings(format, cls, mapping, options)
    files = [Path(f) for f in getattr(settings, "gazetteers", ())]
    if gazetteer is None and files:
        base = mapping.parent if mapping is not None else Path.cwd()
        gazetteer = _gazetteer_of([f if f.is_absolute() else base / f for f in files])
    ctx = Context.for_node(node, table, gazetteer_factory=gazetteer)
    findings = Findings(path.name)
    return _with_new_records(ctx, make(path, ctx, settings, findings)), findings


def ingest_source(
    node: Node,
    path: Path,
    format: str,
    *,
    mapping: Path | None = None,
    options: dict[str, Any] | None = None,
    gazetteer: Callable[[], Gazetteer] | None = None,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ConnectorReport:
    """Ingest one open-data file through its connector and the node's write path.

    A source the connector cannot read at all is refused as a whole (the
    ingest report says why); rows it cannot use are counted in the findings.
    """
    from liaison.ingest import IngestReport, ingest_checked
    from liaison.ingest._check import checked_batches

    try:
        items, findings = connector_items(
            node, path, format, mapping=mapping, options=options, gazetteer=gazetteer
        )
        report = ingest_checked(
            node,
            checked_batches(items),
            source=str(path),
            skip_invalid=skip_invalid,
            progress=progress,
        )
    except ConnectorError as exc:
        refused = IngestReport(str(path), committed=False)
        refused.refuse(str(exc))
        return ConnectorReport(Findings(path.name), refused)
    return ConnectorReport(findings, report)


def _gazetteer_of(files: list[Path]) -> Callable[[], Gazetteer]:
    def build() -> Gazetteer:
        from liaison.ingest.geocode import load_gazetteer

        return load_gazetteer(files)

    return build


def _with_new_records(ctx: Context, items: Iterable[Item]) -> Iterator[Item]:
    """``items`` with the group and party records they name emitted first."""
    from liaison.ingest import Item

    for item in items:
        for obj in ctx.take_new():
            yield Item(obj, f"{item.where} ({obj['type']} {obj['name']!r})")
        yield item
    for obj in ctx.take_new():
        yield Item(obj, f"{obj['type']} {obj['name']!r}")
