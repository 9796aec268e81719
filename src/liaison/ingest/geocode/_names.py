"""Place-name keys that survive transliteration: the same Arabic name written
"Dayr Az Zawr", "Deir ez-Zor" or "Dayr az-Zawr" gets the same key.

Three keys per name, from strict to loose:

* ``normal_key``: ASCII (anyascii), lower case, no punctuation, Arabic articles
  (al-, ar-, az-, …) and generic words ("city of", "village") removed;
* ``spelling_key``: the normal key without spaces, doubled letters or a
  word-final ``h`` ("Tall Abyad" = "Tal Abyad", "Raqqah" = "Raqqa");
* ``skeleton_key``: the normal key without vowels, ``y``/``w`` (written or not
  depending on the transliteration), ``h`` after a consonant or ending a word
  ("Raqqah"/"Raqqa"), and doubled letters — what is left is the consonant frame
  most transliterations share. The first letter is kept.
"""

from __future__ import annotations

import re

from anyascii import anyascii

__all__ = ["normal_key", "skeleton_key", "spelling_key"]

# The Arabic definite article in its assimilated forms ("al-Bab", "ar Raqqah",
# "Deir ez-Zor"), once hyphens are spaces: a word of its own.
_ARTICLE = re.compile(r"\b(?:al|el|ar|er|as|es|az|ez|ad|ed|an|en|at|et|ash|esh|adh|ath|aj)\b")
_GENERIC = re.compile(
    r"\b(?:the|city|town|village|of|center|centre|district|province|governorate|airbase)\b"
)
_NON_ALNUM = re.compile(r"[^a-z0-9 ]+")
_SPACES = re.compile(r"\s+")
_VOWELS = re.compile(r"[aeiouyw]")
_FINAL_H = re.compile(r"([aeiou])h\b")
_DIGRAPH_H = re.compile(r"([bcdfgjklmnpqrstvxz])h")
_DOUBLE = re.compile(r"(.)\1+")


def normal_key(name: str) -> str:
    """Lower-case ASCII key without punctuation, articles or generic words."""
    text = anyascii(name).lower()
    text = text.replace("'", "").replace("`", "").replace("’", "")
    text = text.replace("-", " ").replace("_", " ")
    text = _NON_ALNUM.sub(" ", text)
    text = _ARTICLE.sub(" ", text)
    text = _GENERIC.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def spelling_key(name: str) -> str:
    """``normal_key`` without spaces, doubled letters or a word-final ``h`` after a
    vowel: "Tall Abyad" and "Tal Abyad", "Raqqah" and "Raqqa" are one spelling."""
    text = _FINAL_H.sub(r"\1", normal_key(name)).replace(" ", "")
    return _DOUBLE.sub(r"\1", text)


def skeleton_key(name: str) -> str:
    """The consonant frame of ``normal_key(name)`` (spaces removed)."""
    text = _FINAL_H.sub(r"\1", normal_key(name)).replace(" ", "")
    text = _DIGRAPH_H.sub(r"\1", text)
    first = text[:1]
    rest = _VOWELS.sub("", text[1:])
    return _DOUBLE.sub(r"\1", first + rest)
