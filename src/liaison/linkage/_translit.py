"""Transliteration of Cyrillic, Arabic (with Persian and Urdu letters) and Greek
into Latin letters, for names.

The tables follow common romanisations of personal names (BGN/PCGN-like for
Cyrillic, a simplified ALA-LC-like scheme without diacritics for Arabic), chosen
so that the spellings partners actually write meet: ``х`` is ``kh``, ``ш`` is
``sh``; Arabic long vowels are kept (``و`` ``u``, ``ي`` ``i``), short vowels only
where the text marks them (harakat), ``ع`` and ``ء`` are dropped. Names written
without vowels still meet their Latin spellings through the consonant skeleton
(see ``_normalise.skeleton``).
"""

from __future__ import annotations

import re
from typing import Final

CYRILLIC: Final[dict[str, str]] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Ukrainian, Belarusian
    "є": "ye",
    "і": "i",
    "ї": "yi",
    "ґ": "g",
    "ў": "u",
    # Kazakh, Kyrgyz, Tajik, Uzbek (Cyrillic), Chechen palochka
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "ҷ": "j",
    "ӣ": "i",
    "ӯ": "u",
    "ҳ": "h",
    "ӏ": "",
    # Serbian, Macedonian
    "ђ": "dj",
    "ј": "j",
    "љ": "lj",
    "њ": "nj",
    "ћ": "c",
    "џ": "dz",
    "ѓ": "gj",
    "ќ": "kj",
    "ѕ": "dz",
}

ARABIC: Final[dict[str, str]] = {
    "ا": "a",
    "أ": "a",
    "إ": "i",
    "آ": "a",
    "ٱ": "a",
    "ء": "",
    "ؤ": "u",
    "ئ": "i",
    "ب": "b",
    "ت": "t",
    "ث": "th",
    "ج": "j",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ذ": "dh",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "ة": "a",
    "ى": "a",
    # Persian, Urdu, Pashto
    "پ": "p",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ک": "k",
    "ی": "y",
    "ے": "e",
    "ٹ": "t",
    "ڈ": "d",
    "ڑ": "r",
    "ں": "n",
    "ھ": "h",
    "ۀ": "a",
    "ہ": "h",
    # harakat: short vowels where written, the rest dropped
    "\u064e": "a",
    "\u0650": "i",
    "\u064f": "u",
    "\u064b": "an",
    "\u064d": "in",
    "\u064c": "un",
    "\u0652": "",
    "\u0670": "a",
    "\u0640": "",
}

#: Letters that are consonants at the start of a word and long vowels elsewhere.
ARABIC_GLIDES: Final[dict[str, tuple[str, str]]] = {"و": ("w", "u"), "ي": ("y", "i")}
ARABIC_SHADDA: Final = "\u0651"

GREEK: Final[dict[str, str]] = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "y",
    "φ": "f",
    "χ": "ch",
    "ψ": "ps",
    "ω": "o",
}

#: Latin letters that Unicode decomposition does not reduce to ASCII.
LATIN_EXTRA: Final[dict[str, str]] = {
    "ß": "ss",
    "æ": "ae",
    "ø": "o",
    "đ": "d",
    "ł": "l",
    "ı": "i",
    "œ": "oe",
    "þ": "th",
    "ð": "d",
    "ħ": "h",
    "ŋ": "ng",
    "ĸ": "k",
    "ſ": "s",
    "ƒ": "f",
}

SCRIPTS: Final = ("Latin", "Cyrillic", "Arabic", "Greek")


_TABLE: Final = str.maketrans({**LATIN_EXTRA, **GREEK, **ARABIC, **CYRILLIC})
_GLIDE_INITIAL: Final = re.compile(r"(?<![\w\u064b-\u0652\u0670])([وي])")
_SHADDA: Final = re.compile(r"(\w)([\u064b-\u0650]?)\u0651")


def transliterate(text: str) -> str:
    """``text`` (already lower-cased) with Cyrillic, Arabic and Greek letters in Latin.

    Characters of other scripts are left as they are (the caller reports them).
    """
    if text.isascii():
        return text
    text = _SHADDA.sub(lambda m: m.group(1) * 2 + m.group(2), text)  # a doubled consonant
    text = _GLIDE_INITIAL.sub(lambda m: ARABIC_GLIDES[m.group(1)][0], text)
    text = text.translate({ord(k): v[1] for k, v in ARABIC_GLIDES.items()})
    return text.translate(_TABLE)
