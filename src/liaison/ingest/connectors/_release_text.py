"""Reading CENTCOM / CJTF-OIR strike-release sentences into strike clauses.

A clause is one place (or two), a number of strikes and the text of what they
hit. The releases changed their wording over time; the forms understood are

* "Near Ar Raqqah, one strike destroyed two oil pump jacks." (2015–2016, one
  bullet per place; "In", "North of", … as well as "Near");
* "In Syria, five airstrikes near Kobani destroyed …  Near Aleppo, an airstrike
  struck …" (2014: a paragraph per country, one sentence per place; sentences
  without a count, "Also, those airstrikes suppressed …", continue the clause
  before them);
* "Three airstrikes south of Bayji struck …", "An airstrike in Bayji struck …";
* "One strike destroyed an ISIL tank near Taqba Airfield west of Ar Raqqah."

Anything else raises ``LineError`` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = ["LineError", "StrikeClause", "number_value", "parse_release_line"]

NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "another": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
}
_NUMBER = r"(?:\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_DIRECTION = r"(?:north|south|east|west|northeast|northwest|southeast|southwest)"
_QUALIFIER = (
    rf"(?:near|in the vicinity of|vicinity of|in|around|outside(?: of)?|"
    rf"{_DIRECTION}(?:\s+and\s+{_DIRECTION})?\s+of)"
)
_STRIKES = r"(?:(?:U\.S\.|coalition|additional)\s+)?(?:air\s*)?str?ikes?"
_EFFECT_VERB = (
    r"(?:destroy\w*|struck|stuck|strik\w*|engag\w*|damag\w*|suppress\w*|hit|wound\w*|"
    r"kill\w*|denied|deny\w*|crater\w*|disabl\w*|neutraliz\w*|degrad\w*|immobiliz\w*|"
    r"breach\w*|halted|targeted|produced|resulted|sever\w*|eliminat\w*|was|were)"
)
_BULLET = re.compile(r"^(?:\s|[-*•–—]|<li>|&bull;)+", re.IGNORECASE)
# A sentence ends at a full stop before a capital ("U.S." does not end one), at
# "; another airstrike", or before a stray bullet glued to the next "Near".
_SENTENCE_END = re.compile(
    r"(?<!U\.S)(?<!\bU)\.\s+(?:[^\w\s]*v?(?=Near\b)|(?=[A-Z]))|;\s+(?=another\b|an?\b)"
)
_LEAD = re.compile(r"^(?:finally|additionally|also|separately|meanwhile)\s*,?\s+", re.IGNORECASE)
_IN_COUNTRY = re.compile(r"^in\s+(?P<country>syria|iraq)\s*,\s*", re.IGNORECASE)
_COUNTRY_AFTER = re.compile(r",\s*(?P<country>syria|iraq)\s*$", re.IGNORECASE)

# "Near Ar Raqqah, one strike destroyed …" / "Near Hit one strike …"
_PLACE_FIRST = re.compile(
    rf"^(?P<qual>{_QUALIFIER})\s+(?P<place>[^,]+?(?:,\s*(?:Syria|Iraq))?)(?:,\s*on the [^,]+)?,?\s+"
    rf"(?P<count>{_NUMBER})\s+{_STRIKES}\s*,?\s*(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "Five airstrikes near Kobani destroyed …" / "An airstrike took place in Bayji and struck …"
_COUNT_FIRST = re.compile(
    rf"^(?P<count>{_NUMBER})\s+{_STRIKES}\s*,?\s+"
    rf"(?:(?:were|was)?\s*(?:took place|conducted|occurred)\s+)?"
    rf"(?:in\s+(?:north|south|east|west)\w*\s+(?P<region_country>syria|iraq)\s+)?"
    rf"(?P<qual>{_QUALIFIER})\s+(?:the\s+)?(?P<place>.+?)\s*,?\s+"
    rf"(?:(?:and|where they|which|that|while)\s+)?(?P<rest>{_EFFECT_VERB}\b.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "One strike destroyed an ISIL tank near Taqba Airfield west of Ar Raqqah."
_PLACE_LAST = re.compile(
    rf"^(?P<count>{_NUMBER})\s+{_STRIKES}\s*,?\s+(?P<rest>{_EFFECT_VERB}\b.*)\s+"
    rf"(?P<qual>{_QUALIFIER})\s+(?:the\s+)?(?P<place>[^,.]+?)\s*\.?$",
    re.IGNORECASE | re.DOTALL,
)
# The continuation of a clause: "Also, those airstrikes suppressed …", "These strikes also struck …"
_CONTINUATION = re.compile(
    rf"^(?:in addition,?\s*|additionally,?\s*|also,?\s*)?(?:(?:those|these|the)\s+)?"
    rf"(?:air\s*)?strikes?\s+(?:also\s+)?(?P<rest>{_EFFECT_VERB}\b.*)$|"
    rf"^(?:in addition,?\s*|additionally,?\s*|also,?\s*)(?P<rest2>(?:those|these)\s+.*)$",
    re.IGNORECASE | re.DOTALL,
)


_NESTED = re.compile(
    rf"\b(?P<qual>near|in the vicinity of|{_DIRECTION}\s+of)\s+(?P<place>[A-Z][^,]*)$",
    re.IGNORECASE,
)


class LineError(ValueError):
    """A release line that is not a strike clause; the message says why."""


@dataclass(frozen=True, slots=True)
class StrikeClause:
    """Strikes at one place (or between two) and what they hit.

    ``qualifier`` is how the release relates the strikes to the place ("near",
    "in", "southeast of", …); ``country`` the country the sentence names, if any.
    """

    qualifier: str
    places: tuple[str, ...]
    strikes: int
    text: str
    country: str | None = None
    region: str | None = None


def number_value(word: str) -> int | None:
    """The value of a number written in digits or words ("six", "17", "an")."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def parse_release_line(line: str) -> list[StrikeClause]:
    """The strike clauses of one release line (one bullet, or a 2014 paragraph).

    Raises ``LineError`` when the line holds no strike clause.
    """
    text = _BULLET.sub("", line.replace("\u00a0", " ")).strip()
    if not text:
        raise LineError("empty line")
    clauses: list[StrikeClause] = []
    country: str | None = None
    for n, sentence in enumerate(s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        body = _LEAD.sub("", sentence)
        lead = _IN_COUNTRY.match(body)
        if lead:  # "In Syria, five airstrikes near Kobani …"
            country = lead["country"].title()
            body = body[lead.end() :]
        clause = _clause(body, country)
        if clause is not None:
            clauses.append(clause)
            continue
        more = _CONTINUATION.match(_LEAD.sub("", sentence)) or _CONTINUATION.match(sentence)
        if clauses and more:
            last = clauses[-1]
            rest = more["rest"] or more["rest2"] or ""
            clauses[-1] = replace(last, text=f"{last.text} {rest}".strip())
        elif n == 0:
            raise LineError(_why(sentence))
        # Other sentences (aircraft returned safely, partner nations, …) hold no strike.
    if not clauses:
        raise LineError(_why(text))
    return clauses


def _clause(sentence: str, country: str | None) -> StrikeClause | None:
    m = _PLACE_FIRST.match(sentence) or _COUNT_FIRST.match(sentence)
    if m is None:
        m = _PLACE_LAST.match(sentence)
        if m is None or not m["place"][:1].isupper():
            return None
    if m.re is _COUNT_FIRST and m["region_country"]:
        country = m["region_country"].title()
    count = number_value(m["count"])
    if count is None or count < 1:
        return None
    raw = m["place"].strip().strip(",*").strip()
    after = _COUNTRY_AFTER.search(raw)
    if after:
        country = after["country"].title()
        raw = raw[: after.start()].strip()
    if raw.lower() in ("syria", "iraq"):
        return None
    region = None
    nested = _NESTED.search(raw)
    if nested:  # "in northwest Syria near Haram": the place is the last one named
        region, qualifier_text, raw = raw[: nested.start()].strip(), nested["qual"], nested["place"]
    else:
        qualifier_text = m["qual"]
    inside = re.match(
        r"^(?P<place>.+?)\s+in\s+(?P<region>(?:the\s+)?[\w' -]+?\s+province)$", raw, re.IGNORECASE
    )
    if inside:
        raw, region = inside["place"], inside["region"]
    places = tuple(p.strip() for p in re.split(r"\s+and\s+", raw) if p.strip())
    if not places or any(len(p) > 60 for p in places):
        return None
    qualifier = re.sub(r"\s+", " ", qualifier_text.lower())
    rest = m["rest"].strip()
    return StrikeClause(qualifier, places, count, rest, country, region)


def _why(sentence: str) -> str:
    if not re.search(rf"\b{_STRIKES}\b", sentence, re.IGNORECASE):
        return "no strike in the sentence"
    if not re.search(rf"\b{_NUMBER}\s+{_STRIKES}\b", sentence, re.IGNORECASE):
        return "no number of strikes"
    return "no place the strikes are near or in"
