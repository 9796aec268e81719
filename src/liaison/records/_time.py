"""STIX timestamps: RFC 3339, UTC, ``Z`` suffix; conversion to and from epoch ms."""

from __future__ import annotations

import re
from datetime import date

__all__ = [
    "MS_TIMESTAMP_PATTERN",
    "TIMESTAMP_PATTERN",
    "format_timestamp",
    "timestamp_ms",
]

#: Any STIX timestamp: whole seconds with an optional fraction of any length.
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?Z$"
)
#: ``created`` and ``modified``: STIX requires at least millisecond precision
#: (``.123Z``; ``.123456Z`` is kept exactly as it is).
MS_TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3,}Z$"
)

_TIMESTAMP_RE = re.compile(TIMESTAMP_PATTERN)
_EPOCH_ORDINAL = 719163  # date(1970, 1, 1).toordinal()
_MS_PER_DAY = 86_400_000


def _ms_unchecked(s: str) -> int:
    """Epoch ms of a timestamp already known to match ``TIMESTAMP_PATTERN``.

    Raises ``ValueError`` for a day that does not exist (e.g. 30 February).
    The fraction is truncated to the millisecond.
    """
    days = date(int(s[0:4]), int(s[5:7]), int(s[8:10])).toordinal() - _EPOCH_ORDINAL
    ms = days * _MS_PER_DAY + (
        int(s[11:13]) * 3_600_000 + int(s[14:16]) * 60_000 + int(s[17:19]) * 1000
    )
    if len(s) > 20:  # ".fff…Z"
        ms += int((s[20:-1] + "00")[:3])
    return ms


def timestamp_ms(s: str) -> int:
    """Epoch milliseconds (UTC) of a STIX timestamp such as ``2016-01-05T10:00:00.000Z``.

    Raises ``ValueError`` if ``s`` is not an RFC 3339 UTC timestamp ending in ``Z``.
    """
    if not _TIMESTAMP_RE.match(s):
        raise ValueError(f"not an RFC 3339 UTC timestamp ending in Z: {s!r}")
    try:
        return _ms_unchecked(s)
    except ValueError:
        raise ValueError(f"not a valid date: {s!r}") from None


def format_timestamp(ms: int) -> str:
    """The STIX form ``YYYY-MM-DDTHH:MM:SS.sssZ`` of epoch milliseconds (UTC)."""
    days, rest = divmod(ms, _MS_PER_DAY)
    d = date.fromordinal(days + _EPOCH_ORDINAL)
    secs, milli = divmod(rest, 1000)
    hours, secs = divmod(secs, 3600)
    minutes, secs = divmod(secs, 60)
    return f"{d.isoformat()}T{hours:02d}:{minutes:02d}:{secs:02d}.{milli:03d}Z"
