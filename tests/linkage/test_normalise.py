"""Normalisation: case, diacritics, transliteration of Arabic, Cyrillic and
Greek, name order, and a clear error for any other script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.linkage import LinkageInputError, default_schema, tokenize
from liaison.linkage._normalise import fold, qgrams, skeleton


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Émilie MÜLLER", "emilie muller"),
        ("al-Baghdādī", "al baghdadi"),
        ("Мухаммад", "mukhammad"),
        ("Йемен", "yemen"),
        ("Αλέξανδρος", "alexandros"),
        ("مُحَمَّد", "muhammad"),
        ("Straße", "strasse"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    "spellings",
    [
        ("Muhammad", "Mohammed", "Mohamed", "محمد", "Мухаммад"),
        ("Abdullah", "Abdallah", "عبدالله"),
        ("Khadija", "Хадиджа", "خديجة"),
        ("Yusuf", "Youssef", "يوسف", "Юсуф"),
    ],
)
def test_spellings_and_scripts_meet_in_the_consonant_skeleton(spellings: tuple[str, ...]) -> None:
    skeletons = {skeleton(fold(s)) for s in spellings}
    assert len(skeletons) == 1, skeletons


def test_word_order_does_not_change_the_name_tokens() -> None:
    s = default_schema()
    a = tokenize(s, [("r1", {"names": ["Omar Haddad"]})])
    b = tokenize(s, [("r2", {"names": ["Haddad Omar"]})])
    assert sorted(a.vocab) == sorted(b.vocab)


@pytest.mark.parametrize(
    ("text", "script"), [("王小明", "Han"), ("דוד", "Hebrew"), ("राम", "Devanagari")]
)
def test_other_scripts_are_refused_naming_record_field_and_script(text: str, script: str) -> None:
    with pytest.raises(LinkageInputError) as err:
        tokenize(default_schema(), [("liaison-person--1", {"names": [text]})])
    message = str(err.value)
    assert "liaison-person--1" in message
    assert "'name'" in message
    assert script in message


def test_a_record_without_any_linkage_field_is_refused_or_skipped() -> None:
    s = default_schema()
    with pytest.raises(LinkageInputError, match="has none of the linkage fields"):
        tokenize(s, [("p1", {"names": ["Ali Saleh"]}), ("p2", {"status": "active"})])
    skipped: list[str] = []
    batch = tokenize(s, [("p1", {"names": ["Ali Saleh"]}), ("p2", {})], skipped=skipped)
    assert batch.ids == ["p1"]
    assert skipped == ["p2"]


def test_bad_dates_are_refused_with_the_value() -> None:
    with pytest.raises(LinkageInputError, match="'12/04/1987' is not a date"):
        tokenize(default_schema(), [("p1", {"date_of_birth": "12/04/1987"})])


@given(st.text(max_size=40))
def test_fold_output_is_plain_lower_case_latin_or_an_error(text: str) -> None:
    try:
        out = fold(text)
    except LinkageInputError:
        return
    assert all(c.islower() or c.isdigit() or c == " " for c in out)
    assert out.isascii()
    assert "  " not in out
    assert out == out.strip()


@given(st.text(alphabet="abcdefgh", min_size=1, max_size=12), st.integers(1, 4))
def test_qgrams_cover_the_padded_text(word: str, q: int) -> None:
    grams = qgrams(word, q)
    assert len(grams) == len(word) + q - 1
    assert all(len(g) == q for g in grams)
    assert "".join(g[0] for g in grams) + grams[-1][1:] == "_" * (q - 1) + word + "_" * (q - 1)
