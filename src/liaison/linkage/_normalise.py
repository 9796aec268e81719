"""Normalisation and tokenisation of linkage values: case, diacritics,
transliteration, name order, q-grams.

Every function here is pure and works on one value; ``_tokens`` applies them to
whole batches.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from liaison.linkage._errors import LinkageInputError
from liaison.linkage._translit import SCRIPTS, transliterate

_NON_LETTER: Final = re.compile(r"[^a-z0-9]+")
_DIGITS: Final = re.compile(r"[^0-9]+")
_DATE: Final = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?$")
_VOWELS: Final = str.maketrans("", "", "aeiouy")
#: Spellings that different romanisations give the same sound (applied to skeletons).
_FOLDS: Final = (
    ("kh", "h"),
    ("ch", "sh"),
    ("ph", "f"),
    ("ck", "k"),
    ("q", "k"),
    ("c", "k"),
    ("dj", "j"),
    ("zh", "j"),
    ("w", "v"),
    ("x", "ks"),
)


def fold(text: str, *, where: tuple[str, str] = ("", "")) -> str:
    """Lower case, Latin letters and digits only, words separated by one space.

    Cyrillic, Arabic and Greek are transliterated; diacritics are removed. A letter
    of any other script is an error naming the script (``where`` is the record and
    field, for the message).
    """
    try:
        return _fold(text)
    except _UnsupportedScript as exc:
        raise LinkageInputError(
            where[0],
            where[1],
            f"{exc.args[0]} script ({exc.args[1]!r}) is not supported; names must be "
            f"written in one of {', '.join(SCRIPTS)}",
        ) from None


class _UnsupportedScript(Exception):
    pass


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    text = transliterate(unicodedata.normalize("NFKC", text).casefold())
    # Then letters with accents the tables do not list (Greek tonos, Latin accents)
    text = transliterate(unicodedata.normalize("NFKD", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    if not text.isascii():
        for c in text:
            if ord(c) > 127 and c.isalpha():
                raise _UnsupportedScript(_script_of(c), c)
    return " ".join(_NON_LETTER.split(text)).strip()


def _script_of(c: str) -> str:
    name = unicodedata.name(c, "")
    first = name.split(" ")[0] if name else f"U+{ord(c):04X}"
    return {"CJK": "Han"}.get(first, first.title())


def words(text: str, drop: Iterable[str] = ()) -> list[str]:
    """The words of a folded name, without the particles in ``drop`` (unless that
    would leave nothing)."""
    found = text.split()
    dropped = [w for w in found if w not in set(drop)]
    return dropped or found


def skeleton(word: str) -> str:
    """The consonant skeleton of a folded word: romanisation variants folded, vowels
    (and ``y``) removed, doubled letters collapsed — ``muhammad``, ``mohamed`` and
    the Arabic ``محمد`` all give ``mhmd``."""
    for a, b in _FOLDS:
        word = word.replace(a, b)
    bare = word.translate(_VOWELS) or word[:1]
    out: list[str] = []
    for c in bare:
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out)


def qgrams(text: str, q: int, *, pad: bool = True) -> list[str]:
    """The q-grams of ``text``, padded with ``_`` on both sides."""
    if pad:
        text = "_" * (q - 1) + text + "_" * (q - 1)
    if len(text) < q:
        return [text] if text else []
    return [text[i : i + q] for i in range(len(text) - q + 1)]


def name_tokens(
    values: Sequence[str], q: int, drop: Sequence[str], where: tuple[str, str]
) -> list[str]:
    """Q-grams of each word of each name, as a set: the order of the words (given
    and family names swapped) does not matter."""
    out: set[str] = set()
    for value in values:
        for w in words(fold(value, where=where), drop):
            out.update(qgrams(w, q))
    return sorted(out)


def skeleton_tokens(
    values: Sequence[str], q: int, drop: Sequence[str], where: tuple[str, str]
) -> list[str]:
    """Q-grams of the consonant skeleton of each word of each name."""
    out: set[str] = set()
    for value in values:
        for w in words(fold(value, where=where), drop):
            out.update(qgrams(skeleton(w), q))
    return sorted(out)


def text_tokens(values: Sequence[str], q: int, where: tuple[str, str]) -> list[str]:
    """Q-grams of the folded text as written (spaces kept)."""
    out: set[str] = set()
    for value in values:
        folded = fold(value, where=where).replace(" ", "_")
        out.update(qgrams(folded, q))
    return sorted(out)


def date_tokens(values: Sequence[str], where: tuple[str, str], parts: str = "ymd") -> list[str]:
    """Positional digits of ``YYYY[-MM[-DD]]``: one typo changes one token; a
    partial date gives only the digits it has. ``parts`` ``md`` leaves the year
    out (when the year salts the encoding it would only repeat it)."""
    out: set[str] = set()
    for value in values:
        m = _DATE.match(value.strip())
        if m is None:
            raise LinkageInputError(
                where[0], where[1], f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
        digits = "".join(g for g in m.groups() if g)
        first, last = {"ymd": (0, 8), "md": (4, 8), "y": (0, 4)}[parts]
        out.update(f"{i}{d}" for i, d in enumerate(digits) if first <= i < last)
    return sorted(out)


def digit_tokens(values: Sequence[str]) -> list[str]:
    """Positional digits of a number written with or without separators."""
    out: set[str] = set()
    for value in values:
        digits = _DIGITS.sub("", value)
        out.update(f"{i}{d}" for i, d in enumerate(digits))
    return sorted(out)


def exact_tokens(values: Sequence[str], where: tuple[str, str]) -> list[str]:
    """Each folded value as one token."""
    return sorted({f for v in values if (f := fold(v, where=where))})
