"""The linkage values of a person record (``liaison-person``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def person_values(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The sources a linkage schema can read from a person record's STIX form."""
    names = [n for n in obj.get("names") or () if isinstance(n, str)]
    aliases = names[1:] + [a for a in obj.get("aliases") or () if isinstance(a, str)]
    dob = obj.get("date_of_birth")
    sex = obj.get("sex")
    return {
        "names": names[:1],
        "aliases": aliases,
        "date_of_birth": dob,
        "year_of_birth": dob[:4] if isinstance(dob, str) and len(dob) >= 4 else None,
        "month_of_birth": dob[:7] if isinstance(dob, str) and len(dob) >= 7 else None,
        "sex": sex if sex in ("female", "male") else None,
        "nationalities": list(obj.get("nationalities") or ()),
        "place_of_birth": obj.get("place_of_birth"),
    }
