"""Connector settings: shipped defaults (TOML beside this module) merged with the
user's mapping file, converted to typed settings with clear errors."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from liaison.ingest._sources import SourceError

__all__ = ["ConnectorError", "load_settings", "load_table", "merge", "read_text"]

T = TypeVar("T")


class ConnectorError(SourceError):
    """A connector cannot run: bad settings, unreadable input, missing columns.

    A ``SourceError``: the ingest refuses the source as a whole, and audits why."""


def read_text(path: Path) -> str:
    """A source file's text (UTF-8, byte-order mark dropped), or a clear refusal."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ConnectorError(f"{path}: cannot open: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConnectorError(f"{path.name}: not UTF-8 text ({exc.reason})") from exc


def load_table(name: str) -> dict[str, Any]:
    """A TOML table shipped with the connectors (``groups``, ``ucdp``, …)."""
    text = resources.files("liaison.ingest.connectors").joinpath(f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def read_mapping(path: Path) -> dict[str, Any]:
    """The user's mapping file (TOML), with a clear error when unreadable."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConnectorError(f"{path}: cannot read the mapping: {exc.strerror}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{path}: not a valid TOML mapping: {exc}") from exc


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: tables are merged key by key, every other value is replaced."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def load_settings(
    name: str, cls: type[T], mapping: Path | None, overrides: dict[str, Any] | None = None
) -> tuple[T, dict[str, Any]]:
    """Typed settings of connector ``name`` and the merged group table.

    The user's mapping may hold connector settings at its top level and a
    ``[groups."NAME"]`` table; ``overrides`` (command-line options) win over both.
    """
    data = load_table(name)
    groups = load_table("groups")
    if mapping is not None:
        user = read_mapping(mapping)
        groups = merge(groups, {k: user.pop(k) for k in ("groups", "not_groups") if k in user})
        data = merge(data, user)
    data = merge(data, {k: v for k, v in (overrides or {}).items() if v is not None})
    where = str(mapping) if mapping is not None else f"{name} defaults"
    try:
        settings = msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise ConnectorError(f"{where}: {exc}") from exc
    return settings, groups
