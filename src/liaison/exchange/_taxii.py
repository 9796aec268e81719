"""TAXII 2.1 wire details: media types, error bodies, timestamps, request checks."""

from __future__ import annotations

import re
from typing import Final

import orjson
from starlette.responses import Response

from liaison.records import format_timestamp

TAXII_MEDIA: Final = "application/taxii+json;version=2.1"
STIX_MEDIA: Final = "application/stix+json;version=2.1"
_ACCEPTED_TYPES: Final = frozenset({"application/taxii+json", "application/*", "*/*"})
_TIMESTAMP: Final = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$"
)


class TaxiiError(Exception):
    """A request the server refuses; becomes a TAXII error body."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(f"{status} {title}: {description}")
        self.status = status
        self.title = title
        self.description = description


def error_response(status: int, title: str, description: str = "") -> Response:
    """A TAXII 2.1 error message with the TAXII media type."""
    body: dict[str, str] = {"title": title, "http_status": str(status)}
    if description:
        body["description"] = description
    headers = {"WWW-Authenticate": 'Bearer realm="taxii"'} if status == 401 else None
    return Response(orjson.dumps(body), status, headers=headers, media_type=TAXII_MEDIA)


def taxii_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, 200, headers=headers, media_type=TAXII_MEDIA)


def json_response(value: object, headers: dict[str, str] | None = None) -> Response:
    return taxii_response(orjson.dumps(value), headers)


def accepts_taxii(accept: str | None) -> bool:
    """True if an ``Accept`` header admits TAXII 2.1 JSON (absent means anything)."""
    if accept is None or not accept.strip():
        return True
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media not in _ACCEPTED_TYPES:
            continue
        params = dict(_param(f) for f in fields[1:] if "=" in f)
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if media == "application/taxii+json" and params.get("version", "2.1") != "2.1":
            continue
        return True
    return False


def _param(field: str) -> tuple[str, str]:
    name, _, value = field.partition("=")
    return name.strip().lower(), value.strip().strip('"')


def parse_timestamp_us(value: str) -> int:
    """An RFC 3339 UTC timestamp (``…Z``) as epoch microseconds; ValueError if not one."""
    import calendar

    m = _TIMESTAMP.match(value)
    if m is None:
        raise ValueError(f"{value!r} is not a timestamp of the form YYYY-MM-DDTHH:MM:SS[.s]Z")
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        raise ValueError(f"{value!r} is not a valid timestamp")
    fraction = (m.group(7) or "").ljust(6, "0")[:6]
    seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    return seconds * 1_000_000 + int(fraction)


def format_us(us: int) -> str:
    """Epoch microseconds as a STIX timestamp (millisecond precision when exact)."""
    if us % 1000 == 0:
        return format_timestamp(us // 1000)
    base = format_timestamp(us // 1000)
    return f"{base[:-1]}{us % 1000:03d}Z"
