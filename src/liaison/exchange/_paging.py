"""Query parameters of the TAXII object endpoints, and the ``next`` paging token.

A page is a run of a partner's release rows in ``pseq`` order; ``next`` is the
last sequence number served, so it can only ever address the authenticated
partner's own table, and thousands of rows sharing one ``date_added`` page
exactly (none missed, none repeated).
"""

from __future__ import annotations

from collections.abc import Mapping

from liaison.exchange._taxii import TaxiiError, parse_timestamp_us
from liaison.store import Selection, VersionFilter

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
_MAX_LIST = 100
_MAX_TOKEN = 20
_KNOWN = frozenset(
    {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]",
     "match[spec_version]"}
)  # fmt: skip
_VERSION_WORDS: frozenset[VersionFilter] = frozenset({"last", "first", "all"})


def encode_next(pseq: int) -> str:
    return str(pseq)


def decode_next(token: str) -> int:
    if not token or len(token) > _MAX_TOKEN or not token.isascii() or not token.isdigit():
        raise TaxiiError(400, "Bad next token", "the 'next' value is not one this server issued")
    return int(token)


def selection(
    params: Mapping[str, str],
    *,
    ids: tuple[str, ...] = (),
    allow: frozenset[str] = _KNOWN,
    default_version: VersionFilter = "last",
) -> Selection | None:
    """The selection asked for by the query string; None when it matches nothing
    (e.g. ``match[spec_version]`` other than 2.1). Bad values raise TaxiiError 400."""
    for name in params:
        if name not in allow and name.startswith("match["):
            raise TaxiiError(400, "Unsupported filter", f"{name} is not supported here")
    limit = DEFAULT_LIMIT
    if "limit" in params:
        raw = params["limit"]
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
            raise TaxiiError(400, "Bad limit", "limit must be a positive integer")
        limit = min(int(raw), MAX_LIMIT)
    after = decode_next(params["next"]) if "next" in params else 0
    added_after = None
    if "added_after" in params:
        try:
            added_after = parse_timestamp_us(params["added_after"])
        except ValueError as exc:
            raise TaxiiError(400, "Bad added_after", str(exc)) from None
    if "match[spec_version]" in params:
        wanted = _split(params["match[spec_version]"], "match[spec_version]")
        if "2.1" not in wanted:
            return None
    match_ids = _split(params["match[id]"], "match[id]") if "match[id]" in params else ()
    if ids:
        match_ids = tuple(i for i in ids if not match_ids or i in match_ids)
        if not match_ids:
            return None
    types = _split(params["match[type]"], "match[type]") if "match[type]" in params else ()
    words: list[VersionFilter] = []
    stamps: list[str] = []
    for v in _split(params.get("match[version]", default_version), "match[version]"):
        if v in _VERSION_WORDS:
            words.append(v)
        else:
            stamps.append(_version_stamp(v))
    return Selection(
        after_pseq=after,
        added_after_us=added_after,
        ids=match_ids,
        types=types,
        modified=tuple(stamps),
        versions=tuple(words) if words or stamps else ("last",),
        limit=limit,
    )


def _version_stamp(value: str) -> str:
    """A ``match[version]`` timestamp in the millisecond form records use."""
    from liaison.exchange._taxii import format_us

    try:
        us = parse_timestamp_us(value)
    except ValueError as exc:
        raise TaxiiError(400, "Bad match[version]", str(exc)) from None
    if us % 1000:
        return value  # finer than any stored version: matches nothing
    return format_us(us)


def _split(value: str, name: str) -> tuple[str, ...]:
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    if not items or len(items) > _MAX_LIST or any(len(v) > 200 for v in items):
        raise TaxiiError(400, f"Bad {name}", f"{name} must list 1 to {_MAX_LIST} values")
    return items
