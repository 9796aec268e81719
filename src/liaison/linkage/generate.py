"""Generated person records for tests, benchmarks and the demo — never real
people: random combinations of common names, dates and places.

``population`` draws the true persons; ``observe`` writes one partner's record of
a person with that partner's errors: typos, another transliteration (another
Latin spelling, or the name in Arabic or Cyrillic script), given and family
names swapped, missing fields, date errors. ``two_lists`` gives two partners'
lists with a known overlap.
"""

from __future__ import annotations

import csv
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from liaison.linkage import _names as pools

ERRORS: Final = ("typo", "transliteration", "script", "swap", "missing", "date")

#: Nationality mix when the ICSR estimates are not at hand (shares of foreign
#: fighters by country of origin, rounded; ICSR January 2015).
FALLBACK_MIX: Final[dict[str, float]] = {
    "TN": 3000,
    "SA": 2500,
    "JO": 2000,
    "MA": 1500,
    "RU": 1500,
    "FR": 1200,
    "TR": 600,
    "LB": 900,
    "DE": 600,
    "GB": 600,
    "BE": 440,
    "UZ": 500,
    "LY": 600,
    "EG": 360,
    "KZ": 250,
    "NL": 250,
    "BA": 330,
    "XK": 150,
    "AT": 150,
    "SE": 180,
    "TJ": 190,
}
_ISO3: Final = {
    "AFG": "AF",
    "ALB": "AL",
    "DZA": "DZ",
    "AUS": "AU",
    "AUT": "AT",
    "BHR": "BH",
    "BEL": "BE",
    "BIH": "BA",
    "BGR": "BG",
    "CAN": "CA",
    "CHN": "CN",
    "DNK": "DK",
    "EGY": "EG",
    "FIN": "FI",
    "FRA": "FR",
    "DEU": "DE",
    "IRN": "IR",
    "IRQ": "IQ",
    "IRL": "IE",
    "ISR": "IL",
    "ITA": "IT",
    "JOR": "JO",
    "KAZ": "KZ",
    "KSV": "XK",
    "KWT": "KW",
    "KGZ": "KG",
    "LBN": "LB",
    "LBY": "LY",
    "LUX": "LU",
    "MKD": "MK",
    "MRT": "MR",
    "MAR": "MA",
    "NLD": "NL",
    "NZL": "NZ",
    "NOR": "NO",
    "WBG": "PS",
    "PAK": "PK",
    "QAT": "QA",
    "RUS": "RU",
    "SAU": "SA",
    "SRB": "RS",
    "SOM": "SO",
    "ESP": "ES",
    "SDN": "SD",
    "SWE": "SE",
    "CHE": "CH",
    "TJK": "TJ",
    "TUN": "TN",
    "TUR": "TR",
    "TKM": "TM",
    "ARE": "AE",
    "GBR": "GB",
    "USA": "US",
    "UZB": "UZ",
    "YEM": "YE",
    "AZE": "AZ",
    "GEO": "GE",
    "UKR": "UA",
    "IND": "IN",
    "IDN": "ID",
    "MYS": "MY",
    "PHL": "PH",
    "SGP": "SG",
    "ARG": "AR",
    "BRA": "BR",
    "CHL": "CL",
    "TTO": "TT",
    "JPN": "JP",
    "KOR": "KR",
    "MDV": "MV",
    "SEN": "SN",
    "SYR": "SY",
    "OMN": "OM",
    "POL": "PL",
    "PRT": "PT",
    "CZE": "CZ",
    "EST": "EE",
    "HUN": "HU",
    "SVK": "SK",
    "ROU": "RO",
    "MNE": "ME",
    "SVN": "SI",
    "HRV": "HR",
    "GRC": "GR",
    "CYP": "CY",
    "ISL": "IS",
    "MLT": "MT",
    "LVA": "LV",
    "LTU": "LT",
    "BLR": "BY",
    "MDA": "MD",
    "ARM": "AM",
    "ETH": "ET",
    "ERI": "ER",
    "KEN": "KE",
    "NGA": "NG",
    "MLI": "ML",
    "NER": "NE",
    "TCD": "TD",
    "BGD": "BD",
    "LKA": "LK",
    "NPL": "NP",
    "CUB": "CU",
    "MEX": "MX",
    "COL": "CO",
    "VEN": "VE",
    "PER": "PE",
}
_CAUCASUS: Final = {"RU", "KZ", "KG", "TJ", "UZ", "AZ", "GE", "TM", "UA", "BY"}
_EUROPE: Final = {
    "FR",
    "BE",
    "DE",
    "GB",
    "NL",
    "AT",
    "DK",
    "SE",
    "NO",
    "FI",
    "IE",
    "AU",
    "CA",
    "US",
    "ES",
    "IT",
    "CH",
    "LU",
    "NZ",
    "BG",
}
_NISBA: Final = {
    "TN": "Tunisi",
    "SA": "Jazrawi",
    "JO": "Urduni",
    "MA": "Maghribi",
    "LY": "Libi",
    "EG": "Masri",
    "FR": "Faransi",
    "GB": "Britani",
    "BE": "Baljiki",
    "DE": "Almani",
    "RU": "Shishani",
    "LB": "Lubnani",
    "TR": "Turki",
    "IQ": "Iraqi",
}


def nationality_mix(data_dir: Path | None) -> tuple[dict[str, float], str]:
    """Weights by ISO country code from the ICSR estimates (``icsr.csv`` in
    ``data_dir``, the latest estimate per country), or the fallback with a
    message saying why."""
    path = (data_dir / "icsr.csv") if data_dir is not None else None
    if path is None or not path.is_file():
        return dict(FALLBACK_MIX), (
            f"ICSR estimates not found ({path or 'no data directory'}): using the built-in "
            "nationality mix (ICSR, January 2015, rounded)"
        )
    latest: dict[str, tuple[str, float]] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = _ISO3.get(row.get("countrycode", ""))
            try:
                mean = float(row.get("icsr.mean") or "nan")
            except ValueError:
                continue
            if code is None or not mean > 0:
                continue
            date = row.get("icsr.date", "")
            if code not in latest or date > latest[code][0]:
                latest[code] = (date, mean)
    if not latest:
        return dict(FALLBACK_MIX), f"{path}: no usable rows; using the built-in mix"
    return {
        c: m for c, (_, m) in latest.items()
    }, f"nationality mix from {path} ({len(latest)} countries)"


@dataclass(frozen=True, slots=True)
class TruePerson:
    """A generated person as they are (no record holds them exactly like this)."""

    key: int
    given: pools.Name
    family: pools.Name
    sex: str
    dob: str
    nationality: str
    place: pools.Name
    kunya: str | None


@dataclass
class Observed:
    """One partner's record of a person, and which errors it was given."""

    person: int
    obj: dict[str, Any]
    errors: set[str] = field(default_factory=set)


def population(n: int, rng: random.Random, mix: Mapping[str, float]) -> list[TruePerson]:
    """``n`` distinct generated persons."""
    codes = list(mix)
    weights = [mix[c] for c in codes]
    out: list[TruePerson] = []
    for key in range(n):
        nat = rng.choices(codes, weights)[0]
        sex = "female" if rng.random() < 0.12 else "male"
        if nat in _CAUCASUS:
            g = pools.CAUCASUS_FEMALE if sex == "female" else pools.CAUCASUS_MALE
            f = pools.CAUCASUS_FAMILY
        elif nat in _EUROPE and rng.random() < 0.4:
            g = pools.EUROPE_FEMALE if sex == "female" else pools.EUROPE_MALE
            f = pools.EUROPE_FAMILY
        else:
            g = pools.ARAB_FEMALE if sex == "female" else pools.ARAB_MALE
            f = (
                pools.ARAB_FAMILY
                if rng.random() < 0.75 or nat not in _EUROPE
                else (pools.EUROPE_FAMILY)
            )
        given, family = rng.choice(g), rng.choice(f)
        year = rng.randint(1960, 2002)
        dob = f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        kunya = None
        if sex == "male" and rng.random() < 0.35:
            nisba = _NISBA.get(nat, "Muhajir")
            kunya = f"Abu {rng.choice(pools.ARAB_MALE)[0][0]} al-{nisba}"
        out.append(TruePerson(key, given, family, sex, dob, nat, rng.choice(pools.PLACES), kunya))
    return out


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    letters = "abcdefghijklmnopqrstuvwxyz"
    if op == 0:
        return word[:i] + word[i + 1 :]
    if op == 1:
        return word[:i] + rng.choice(letters) + word[i:]
    if op == 2:
        return word[:i] + rng.choice(letters) + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _spell(
    name: pools.Name,
    rng: random.Random,
    errors: set[str],
    p_variant: float,
    p_script: float,
    script: str,
) -> str:
    latin, arabic, cyrillic = name
    other = arabic if script == "arabic" else cyrillic
    if other and rng.random() < p_script:
        errors.add("script")
        return other
    if len(latin) > 1 and rng.random() < p_variant:
        errors.add("transliteration")
        return rng.choice(latin[1:])
    return latin[0]


def observe(
    p: TruePerson,
    rng: random.Random,
    *,
    party: str,
    rate: float = 1.0,
    now: str = "2016-01-15T00:00:00.000Z",
    script: str | None = None,
) -> Observed:
    """One partner's record of ``p``; ``rate`` scales every error probability.
    ``script`` (``arabic`` or ``cyrillic``) is the other script this partner
    sometimes writes names in (by default: by the person's culture)."""
    errors: set[str] = set()
    if script is None:
        script = "cyrillic" if p.nationality in _CAUCASUS else "arabic"
    in_script = 1.0 if rng.random() < 0.1 * rate else 0.0  # the whole record, or none of it
    given = _spell(p.given, rng, errors, 0.3 * rate, in_script, script)
    family = _spell(p.family, rng, errors, 0.3 * rate, in_script, script)
    if rng.random() < 0.15 * rate:
        errors.add("typo")
        if rng.random() < 0.5:
            given = _typo(given, rng)
        else:
            family = _typo(family, rng)
    full = f"{given} {family}"
    if rng.random() < 0.15 * rate:
        errors.add("swap")
        full = f"{family} {given}"
    dob: str | None = p.dob
    if rng.random() < 0.1 * rate:
        errors.add("date")
        y, m, d = p.dob.split("-")
        kind = rng.random()
        if kind < 0.4 and int(d) <= 12:
            dob = f"{y}-{d}-{m}"
        elif kind < 0.8:
            dob = f"{y}-{m}-{max(1, min(28, int(d) + rng.choice((-1, 1, 10, -10)))):02d}"
        else:
            dob = f"{y}-{m}"
    obj: dict[str, Any] = {
        "type": "liaison-person",
        "spec_version": "2.1",
        "id": f"liaison-person--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": now,
        "modified": now,
        "created_by_ref": party,
        "names": [full],
        "status": "unknown",
        "extensions": {
            "extension-definition--160b049c-e57f-5148-ae43-f35fcdeec237": {
                "extension_type": "new-sdo"
            }
        },
    }
    missing = rng.random() < 0.12 * rate
    drop = (
        rng.choice(("date_of_birth", "place_of_birth", "sex", "nationalities")) if missing else ""
    )
    if missing:
        errors.add("missing")
    if dob and drop != "date_of_birth":
        obj["date_of_birth"] = dob
    if drop != "sex":
        obj["sex"] = p.sex
    if drop != "nationalities":
        obj["nationalities"] = [p.nationality]
    if drop != "place_of_birth":
        obj["place_of_birth"] = _spell(p.place, rng, set(), 0.3 * rate, in_script, script)
    if p.kunya and rng.random() < 0.6:
        obj["aliases"] = [p.kunya]
    return Observed(p.key, obj, errors)


def two_lists(
    n_a: int,
    n_b: int,
    overlap: int,
    *,
    seed: int,
    party_a: str,
    party_b: str,
    mix: Mapping[str, float] | None = None,
    rate: float = 1.0,
) -> tuple[list[Observed], list[Observed]]:
    """Two partners' lists: ``overlap`` persons in both, the rest in one only."""
    if overlap > min(n_a, n_b):
        raise ValueError("the overlap cannot exceed either list")
    rng = random.Random(seed)
    people = population(n_a + n_b - overlap, rng, mix or FALLBACK_MIX)
    shared, only_a, only_b = people[:overlap], people[overlap:n_a], people[n_a:]
    a = [observe(p, rng, rate=rate, party=party_a) for p in shared + only_a]
    b = [observe(p, rng, rate=rate, party=party_b) for p in shared + only_b]
    rng.shuffle(a)
    rng.shuffle(b)
    return a, b


def ground_truth(a: Sequence[Observed], b: Sequence[Observed]) -> set[tuple[int, int]]:
    """The (row in a, row in b) pairs that are the same person."""
    where = {o.person: j for j, o in enumerate(b)}
    return {(i, where[o.person]) for i, o in enumerate(a) if o.person in where}
