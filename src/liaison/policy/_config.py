"""Loading release policies from the node's configuration (``[partners.NAME]`` tables).

Everything is checked at load; every problem names the file, the partner, the
rule (index and name) and the key.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Mapping
from types import MappingProxyType
from typing import Any

import h3

from liaison.records import KINDS, LOCAL_ONLY_KINDS, timestamp_ms

from ._fields import FIELDS_OF_KIND, PROTECTED_FIELDS
from ._geo import MAX_COARSEN_M, resolution_for
from ._model import DESIGNATION_VALUES, Area, PartnerPolicy, Policies, Rule

__all__ = ["PolicyError", "check", "load_policies", "parse_duration"]

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
_GROUP_ID = re.compile(f"^threat-actor--{_UUID}$")
_MARKING_ID = re.compile(f"^marking-definition--{_UUID}$")
_PARTNER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def partner_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a partner (in policies, the registry, file names), or None."""
    if _PARTNER_NAME.match(name):
        return None
    return "partner names are 1-64 letters, digits, '_', '.', '-'"


_CUSTOM = re.compile(r"^x_[a-z0-9_]{1,248}$")
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_UNIT_MS = (604_800_000, 86_400_000, 3_600_000, 60_000, 1_000)
_RULE_KEYS = frozenset(
    {
        "name",
        "kinds",
        "groups",
        "designation",
        "area",
        "since",
        "until",
        "markings",
        "coarsen_m",
        "delay",
        "drop_fields",
        "strip_sources",
        "allow_onward",
    }
)
_DESIGNATIONS = ", ".join(DESIGNATION_VALUES)
_RELEASABLE = tuple(k for k in KINDS if k not in LOCAL_ONLY_KINDS)


class PolicyError(ValueError):
    """The release policies are invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problem(Exception):
    """One invalid value (internal: turned into a message naming where it was)."""


def parse_duration(text: str) -> int:
    """Milliseconds of a duration such as ``"24h"``, ``"1d12h"``, ``"90m"``, ``"0"``.

    Units: ``w`` weeks, ``d`` days, ``h`` hours, ``m`` minutes, ``s`` seconds, in
    that order, each at most once. Raises ``ValueError`` otherwise.
    """
    if text == "0":
        return 0
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"must be a duration such as '24h', '7d' or '1d12h' (got {text!r})")
    return sum(int(v) * unit for v, unit in zip(match.groups(), _UNIT_MS, strict=True) if v)


def _str_list(value: Any, what: str, valid: Callable[[str], object] | None = None) -> list[str]:
    if not isinstance(value, list) or not value:
        raise _Problem(f"must be a non-empty list of {what}")
    for item in value:
        if not isinstance(item, str) or (valid is not None and not valid(item)):
            raise _Problem(f"must be a list of {what} (got {item!r})")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Problem(f"must be a number (got {value!r})")
    return float(value)


def _time_ms(value: Any, *, end_of_day: bool) -> int:
    """Epoch ms of a date (``2015-01-01``) or an RFC 3339 UTC timestamp."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise _Problem(f"must carry a UTC offset (got {value.isoformat()})")
        return int(value.timestamp() * 1000)
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise _Problem(
                f"must be a date YYYY-MM-DD or a UTC timestamp (got {value!r})"
            ) from None
    elif isinstance(value, str):
        try:
            return timestamp_ms(value)
        except ValueError:
            raise _Problem(
                f"must be a date YYYY-MM-DD or a UTC timestamp (got {value!r})"
            ) from None
    else:
        raise _Problem(f"must be a date YYYY-MM-DD or a UTC timestamp (got {value!r})")
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    ms = int(start.timestamp() * 1000)
    return ms + 86_400_000 - 1 if end_of_day else ms


def _lat_lon(lat: Any, lon: Any) -> tuple[float, float]:
    la, lo = _number(lat), _number(lon)
    if not -90 <= la <= 90:
        raise _Problem(f"latitude must be within -90..90 (got {lat!r})")
    if not -180 <= lo <= 180:
        raise _Problem(f"longitude must be within -180..180 (got {lon!r})")
    return la, lo


def _area(value: Any) -> Area:
    if not isinstance(value, dict) or len(value) != 1:
        raise _Problem("must be a table with exactly one of bbox, near, cells")
    ((key, spec),) = value.items()
    if key == "bbox":
        if not isinstance(spec, list) or len(spec) != 4:
            raise _Problem("bbox must be [lat_min, lon_min, lat_max, lon_max]")
        lat_min, lon_min = _lat_lon(spec[0], spec[1])
        lat_max, lon_max = _lat_lon(spec[2], spec[3])
        if lat_min > lat_max:
            raise _Problem(f"bbox lat_min {lat_min} is above lat_max {lat_max}")
        return Area(bbox=(lat_min, lon_min, lat_max, lon_max))
    if key == "near":
        if not isinstance(spec, list) or len(spec) != 3:
            raise _Problem("near must be [lat, lon, km]")
        lat, lon = _lat_lon(spec[0], spec[1])
        km = _number(spec[2])
        if km <= 0:
            raise _Problem(f"near radius must be a positive number of km (got {spec[2]!r})")
        return Area(near=(lat, lon, km))
    if key == "cells":
        cells = _str_list(spec, "H3 cells", h3.is_valid_cell)
        grouped: dict[int, set[str]] = {}
        for cell in cells:
            grouped.setdefault(h3.get_resolution(cell), set()).add(cell)
        return Area(cells=MappingProxyType({r: frozenset(g) for r, g in grouped.items()}))
    raise _Problem(f"has unknown form {key!r} (use bbox, near or cells)")


def _drop_fields(value: Any, kinds: Collection[str]) -> frozenset[str]:
    names = _str_list(value, "field names")
    for name in names:
        if _CUSTOM.match(name):
            continue
        if name in ("latitude", "longitude", "precision"):
            raise _Problem(f"cannot drop the point location field {name!r}; use coarsen_m")
        if name in PROTECTED_FIELDS:
            raise _Problem(f"cannot drop {name!r}: every released record keeps it")
        having = [k for k in kinds if FIELDS_OF_KIND[k].has(name)]
        if not having:
            raise _Problem(f"names {name!r}, which is not a field of {', '.join(kinds)}")
        for kind in having:
            if FIELDS_OF_KIND[kind].required(name):
                raise _Problem(
                    f"cannot drop required field {name!r} of {kind}: the released record "
                    "would be invalid"
                )
    return frozenset(names)


def _quote(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)


def _delay(value: Any) -> int:
    if not isinstance(value, str):
        raise _Problem(f"must be a duration string such as '24h' or '7d' (got {value!r})")
    return parse_duration(value)


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Problem(f"must be true or false (got {value!r})")
    return value


def _kinds(value: Any) -> frozenset[str]:
    kinds = _str_list(value, "record kinds")
    for kind in kinds:
        if kind in LOCAL_ONLY_KINDS:
            raise _Problem(
                f"cannot include {kind!r}: {kind} records are local only, never released"
            )
        if kind not in KINDS:
            raise _Problem(f"has unknown kind {kind!r} (kinds: {', '.join(_RELEASABLE)})")
    return frozenset(kinds)


def _coarsen(value: Any) -> tuple[float, int]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise _Problem(f"must be a positive number of metres (got {value!r})")
    if value > MAX_COARSEN_M:
        raise _Problem(f"must be at most {MAX_COARSEN_M:.0f} metres (got {value!r})")
    return float(value), resolution_for(float(value))


def _rule(index: int, raw: Mapping[str, Any], where: str, out: list[str]) -> Rule | None:
    name = raw.get("name")
    label = f"{where}.rules[{index}]" + (f" ({_quote(name)})" if isinstance(name, str) else "")
    before = len(out)

    def bad(key: str, message: str) -> None:
        out.append(f"{label}: {key} {message}")

    for key in raw:
        if key not in _RULE_KEYS:
            bad(key, f"is not a rule key (keys: {', '.join(sorted(_RULE_KEYS))})")
    values: dict[str, Any] = {}
    kinds: frozenset[str] | None = None
    if "kinds" in raw:
        try:
            kinds = _kinds(raw["kinds"])
        except _Problem as exc:
            bad("kinds", str(exc))
    parsers: dict[str, Callable[[Any], Any]] = {
        "groups": lambda v: frozenset(_str_list(v, "threat-actor ids", _GROUP_ID.match)),
        "designation": lambda v: frozenset(
            _str_list(v, f"designations ({_DESIGNATIONS})", DESIGNATION_VALUES.__contains__)
        ),
        "area": _area,
        "since": lambda v: _time_ms(v, end_of_day=False),
        "until": lambda v: _time_ms(v, end_of_day=True),
        "markings": lambda v: frozenset(_str_list(v, "marking-definition ids", _MARKING_ID.match)),
        "coarsen_m": _coarsen,
        "delay": _delay,
        "drop_fields": lambda v: _drop_fields(v, sorted(kinds or _RELEASABLE)),
        "strip_sources": _flag,
        "allow_onward": _flag,
    }
    if "name" in raw and (not isinstance(name, str) or not name.strip()):
        bad("name", f"must be a non-empty string (got {name!r})")
    for key, parse in parsers.items():
        if key in raw:
            try:
                values[key] = parse(raw[key])
            except (_Problem, ValueError) as exc:
                bad(key, str(exc))
    since, until = values.get("since"), values.get("until")
    if since is not None and until is not None and since > until:
        bad("until", "is before since")
    if values.get("allow_onward") and "object_marking_refs" in values.get("drop_fields", ()):
        bad("allow_onward", "cannot be true when drop_fields removes object_marking_refs")
    if len(out) > before:
        return None
    coarsen, resolution = values.get("coarsen_m", (None, None))
    return Rule(
        index=index,
        name=name,
        kinds=kinds,
        groups=values.get("groups"),
        designation=values.get("designation"),
        area=values.get("area"),
        since_ms=since,
        until_ms=until,
        markings=values.get("markings"),
        coarsen_m=coarsen,
        resolution=resolution,
        delay_ms=values.get("delay", 0),
        drop_fields=values.get("drop_fields", frozenset()),
        strip_sources=values.get("strip_sources", False),
        allow_onward=values.get("allow_onward", False),
    )


def _partner(
    name: str, raw: Any, source: str, extra_keys: Collection[str], out: list[str]
) -> PartnerPolicy | None:
    where = f"partners.{name}"
    before = len(out)
    problem = partner_name_problem(name)
    if problem is not None:
        out.append(f"{where}: {problem}")
    if not isinstance(raw, dict):
        out.append(f"{where}: must be a table")
        return None
    for key in raw:
        if key not in ("rules", "description") and key not in extra_keys:
            out.append(f"{where}: {key} is not a partner key (keys: description, rules)")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        out.append(f"{where}: rules must be an array of tables ([[{where}.rules]])")
        return None
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, rule_raw in enumerate(rules_raw):
        if not isinstance(rule_raw, dict):
            out.append(f"{where}.rules[{index}]: must be a table")
            continue
        rule = _rule(index, rule_raw, where, out)
        if rule is None:
            continue
        if rule.name is not None:
            if rule.name in seen:
                out.append(
                    f"{where}.rules[{index}] ({_quote(rule.name)}): name is already used by "
                    f"rules[{seen[rule.name]}]"
                )
            seen[rule.name] = index
        rules.append(rule)
    if len(out) > before:
        return None
    return PartnerPolicy(name=name, rules=tuple(rules))


def _load(
    raw: Mapping[str, Any], source: str, extra_keys: Collection[str]
) -> tuple[Policies, list[str]]:
    out: list[str] = []
    partners_raw = raw.get("partners", {})
    partners: dict[str, PartnerPolicy] = {}
    if not isinstance(partners_raw, dict):
        out.append("partners must be a table of [partners.NAME] sections")
    else:
        for name, section in partners_raw.items():
            policy = _partner(name, section, source, extra_keys, out)
            if policy is not None:
                partners[name] = policy
    problems = [f"{source}: {p}" for p in out]
    return Policies(partners=MappingProxyType(partners), source=source), problems


def load_policies(
    raw: Mapping[str, Any],
    *,
    source: str = "liaison.toml",
    extra_partner_keys: Collection[str] = (),
) -> Policies:
    """Compile the ``[partners.*]`` tables of a parsed configuration; raise ``PolicyError``.

    ``raw`` is the whole decoded TOML document (other sections are ignored).
    ``extra_partner_keys`` are keys of a partner table that belong to someone
    else (e.g. the partner registry) and are passed over instead of refused.
    """
    policies, problems = _load(raw, source, extra_partner_keys)
    if problems:
        raise PolicyError(problems)
    return policies


def check(
    raw: Mapping[str, Any],
    *,
    source: str = "liaison.toml",
    extra_partner_keys: Collection[str] = (),
) -> list[str]:
    """Every problem of the policies in ``raw`` (empty when they are valid)."""
    return _load(raw, source, extra_partner_keys)[1]
