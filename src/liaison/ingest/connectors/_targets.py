"""Targets and claimed effects in the text of a strike clause.

"struck two separate ISIL tactical units and destroyed five ISIL fighting
positions, an ISIL rocket, and wounded an ISIL fighter" is read as verb phrases
(each effect verb starts one), each a list of targets ("two separate ISIL
tactical units"), each target a count and a category from an ordered table of
patterns (``strike-release.toml``, ``[[categories]]``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from liaison.ingest.connectors._release_text import number_value

__all__ = ["Category", "Target", "parse_targets"]

#: Effect verbs (any inflection of the stem) → claimed effect (docs/records.md).
EFFECTS: tuple[tuple[str, str], ...] = (
    ("destroy", "destroyed"),
    ("eliminat", "destroyed"),
    ("neutraliz", "destroyed"),
    ("kill", "destroyed"),
    ("damag", "damaged"),
    ("degrad", "damaged"),
    ("crater", "damaged"),
    ("disabl", "damaged"),
    ("immobiliz", "damaged"),
    ("breach", "damaged"),
    ("sever", "damaged"),
    ("wound", "damaged"),
    ("injur", "damaged"),
    ("struck", "struck"),
    ("stuck", "struck"),
    ("strik", "struck"),
    ("engag", "struck"),
    ("hit", "struck"),
    ("suppress", "struck"),
    ("target", "struck"),
    ("attack", "struck"),
    ("denied", "struck"),
    ("deny", "struck"),
    ("halt", "struck"),
)
_VERB = re.compile(
    r"\b(?:(?:heavily|successfully|also)\s+)?(?P<verb>destroy(?:ed|ing)?|eliminat(?:ed|ing)|"
    r"neutraliz(?:ed|ing)|kill(?:ed|ing)|damag(?:ed|ing)|degrad(?:ed|ing)|crater(?:ed|ing)|"
    r"disabl(?:ed|ing)|immobiliz(?:ed|ing)|breach(?:ed|ing)|sever(?:ed|ing)|wound(?:ed|ing)|"
    r"injur(?:ed|ing)|struck|stuck|striking|engag(?:ed|ing)|hit|suppress(?:ed|ing)|"
    r"targeted|attack(?:ed|ing)|denied|denying|halted)\b(?:\s+(?:or|and)\s+"
    r"(?:destroy(?:ed|ing)|damag(?:ed|ing)|struck|suppress(?:ed|ing))\b)?",
    re.IGNORECASE,
)
_INCONCLUSIVE = re.compile(r"inconclusive|undetermined|no (?:observed )?effects?", re.IGNORECASE)
# Words joined by "and" inside one target name, kept together when splitting lists.
_COMPOUNDS = re.compile(
    r"command and control|oil and gas|gas and oil|weapons and ammunition|storage and staging|"
    r"bed down|vehicle borne",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    r"^(?:and\s+|as well as\s+|plus\s+|including\s+)?(?:at least\s+|approximately\s+|about\s+)?"
    r"(?P<q>\d+|a|an|one|another|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"several|multiple|numerous|some|many|various)?\b\s*"
    r"(?:(?:separate|additional|other|more|different|second|further|large|small)\s+)*",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"\s+(?:(?:used|operated|associated|which|that|who|where|near|along|in order|to further|"
    r"to help|being|belonging|located|on a|on the|in the|from|for)\b.*)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Category:
    """One row of the category table: a name, a pattern, and a logistics kind
    when targets of this category are logistics."""

    name: str
    pattern: re.Pattern[str]
    logistics: str | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """One target named in a clause: its category, the claimed effect, how many
    (None when the text gives no number: "ISIL fighting positions"), its words."""

    category: str
    effect: str
    count: int | None
    words: str
    logistics: str | None = None


def parse_targets(text: str, categories: Sequence[Category]) -> list[Target]:
    """The targets of a clause's text, in the order written.

    A clause whose effect is inconclusive ("produced inconclusive results") has
    no target; text with no effect verb gives none either.
    """
    clean = re.sub(r"\s+", " ", text).strip().rstrip(".")
    verbs = list(_VERB.finditer(clean))
    if not verbs:
        return []
    out: list[Target] = []
    for i, verb in enumerate(verbs):
        end = verbs[i + 1].start() if i + 1 < len(verbs) else len(clean)
        phrase = clean[verb.end() : end]
        effect = _effect(verb.group(0))
        if _INCONCLUSIVE.search(phrase):
            continue
        for item in _items(phrase):
            target = _target(item, effect, categories, out[-1] if out else None)
            if target is not None:
                out.append(target)
    return out


def _effect(verbs: str) -> str:
    """The claimed effect of a verb, or of two ("struck and destroyed": the
    second; "suppressed or destroyed": the first, the lesser claim)."""
    words = verbs.lower().split()
    word = (
        words[-1]
        if " and " in verbs.lower()
        else next(w for w in words if w not in ("heavily", "successfully", "also"))
    )
    return next((effect for stem, effect in EFFECTS if word.startswith(stem)), "unknown")


_SPLIT_COUNT = re.compile(
    r"\b(?P<a>\d+|[a-z]+)\s+(?:isil\s+)?(?:large|small|tactical)\s+and\s+(?P<b>\d+|[a-z]+)\s+"
    r"(?:large|small)\s+",
    re.IGNORECASE,
)


def _sum_counts(m: re.Match[str]) -> str:
    """ "two large and four small ISIL units" are six units."""
    a, b = number_value(m["a"]), number_value(m["b"])
    return f"{a + b} " if a is not None and b is not None else m.group(0)


def _items(phrase: str) -> list[str]:
    phrase = _SPLIT_COUNT.sub(_sum_counts, phrase)
    protected = _COMPOUNDS.sub(lambda m: m.group(0).replace(" ", "_"), phrase)
    protected = re.sub(r"\([^)]*\)", " ", protected)  # "(VBIED)" repeats the name
    parts = re.split(
        r",\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s+as well as\s+|\s+plus\s+", protected
    )
    return [p.replace("_", " ").strip() for p in parts if p and p.strip(" ,")]


def _target(
    item: str, effect: str, categories: Sequence[Category], previous: Target | None
) -> Target | None:
    words = _TRAILING.sub("", item).strip(" ,;:")
    if not words:
        return None
    q = _QUANTITY.match(words)
    count: int | None = None
    if q is not None and q["q"]:
        count = number_value(q["q"])
        words = words[q.end() :].strip()
    noun = re.sub(
        r"^(?:of\s+)?(?:isil|isis|daesh)(?:[- ](?:occupied|held|used|controlled|"
        r"operated))?\s+",
        "",
        words,
        flags=re.IGNORECASE,
    ).strip()
    if not noun or noun.lower() in ("others", "more", "one", "another"):
        # "damaged one ISIL tank and destroyed another": the same kind of target
        if previous is None or (not noun and count is None):
            return None
        return Target(previous.category, effect, count or 1, previous.words, previous.logistics)
    if count is None and not _plural(noun):
        count = 1
    for category in categories:
        if category.pattern.search(noun):
            return Target(category.name, effect, count, noun, category.logistics)
    return Target("other", effect, count, noun, None)


def _plural(noun: str) -> bool:
    head = noun.split()[-1].lower() if noun.split() else ""
    return head.endswith("s") and not head.endswith(("ss", "us", "is"))
