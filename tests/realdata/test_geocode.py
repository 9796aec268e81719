"""Gazetteer lookups: transliteration variants, fuzzy matches, honest refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from liaison.ingest.geocode import (
    Gazetteer,
    GeocodeError,
    Place,
    country_code,
    distance_m,
    normal_key,
    skeleton_key,
    spelling_key,
    user_places,
)

VARIANTS = [
    ("Dayr Az Zawr", "Deir ez-Zor"),
    ("Dayr az-Zawr", "Dayr Ar Zawr"),
    ("Tal Afar", "Tall Afar"),
    ("Tallafar", "Tal Afar"),
    ("Ayn Isa", "Ain Issa"),
    ("Ar Raqqah", "Raqqa"),
    ("Al Huwayjah", "Hawiyjah"),
    ("Mar’a", "Mare'"),
]


@pytest.mark.parametrize(("a", "b"), VARIANTS)
def test_transliterations_share_a_skeleton(a: str, b: str) -> None:
    assert skeleton_key(a) == skeleton_key(b)


def test_keys_drop_articles_punctuation_and_generic_words() -> None:
    assert normal_key("City of Mosul") == "mosul"
    assert normal_key("Al-Bāb") == "bab"
    assert spelling_key("Tall Abyaḑ") == spelling_key("Tal Abyad")
    assert spelling_key("Raqqah") == spelling_key("Raqqa")


@given(st.text(max_size=40))
def test_keys_never_fail_and_are_ascii(name: str) -> None:
    for key in (normal_key(name), spelling_key(name), skeleton_key(name)):
        assert key.isascii()
    assert normal_key(normal_key(name)) == normal_key(name)


def _gazetteer() -> Gazetteer:
    return Gazetteer(
        [
            Place("Ar Raqqah", 35.96, 39.00, "SY", "strikes"),
            Place("Bashir", 35.3, 44.3, "IQ", "strikes"),
            Place("Başīr", 33.06, 36.23, "SY", "geonames"),
            Place("Tal Abyad", 36.52, 39.24, "SY", "strikes"),
            Place("Tall Abyaḑ", 36.70, 38.95, "SY", "geonames", population=20000),
            Place("Makhmur", 35.77, 43.58, "IQ", "strikes"),
        ]
    )


def test_exact_then_key_then_fuzzy() -> None:
    g = _gazetteer()
    assert g.resolve("Ar Raqqah").method == "exact"
    assert g.resolve("Raqqah").method == "normal"
    fuzzy = g.resolve("Mahkmur", "IQ")  # a typo in a release
    assert (fuzzy.place.name, fuzzy.method) == ("Makhmur", "fuzzy")
    assert 85 <= fuzzy.score < 100


def test_the_hinted_country_decides_between_namesakes() -> None:
    g = _gazetteer()
    assert g.resolve("Bashir", "IQ").place.country == "IQ"
    assert g.resolve("Başīr", "SY").place.country == "SY"


def test_a_loose_match_outside_the_hinted_country_is_no_match() -> None:
    g = Gazetteer([Place("Başīr", 33.06, 36.23, "SY", "geonames")])
    assert g.lookup("Bashir", "SY") is not None
    assert g.lookup("Bashir", "IQ") is None  # skeleton match, but in another country


def test_sources_that_disagree_are_reported() -> None:
    match = _gazetteer().resolve("Tal Abyad", "SY")
    assert match.place.source == "strikes"  # the earlier source wins
    assert [p.source for p in match.elsewhere] == ["geonames"]
    assert (
        distance_m(
            match.place.latitude,
            match.place.longitude,
            match.elsewhere[0].latitude,
            match.elsewhere[0].longitude,
        )
        > 25_000
    )


def test_unknown_place_names_the_closest_and_the_sources() -> None:
    with pytest.raises(GeocodeError) as err:
        _gazetteer().resolve("Barghooth", "SY")
    message = str(err.value)
    assert "'Barghooth' not found" in message and "strikes, geonames" in message


def test_short_names_are_not_matched_by_chance() -> None:
    g = Gazetteer([Place("Hit", 33.64, 42.83, "IQ", "s"), Place("Hawl", 36.4, 41.2, "SY", "s")])
    assert g.lookup("Hut") is None


def test_nearest_place() -> None:
    place, metres = _gazetteer().nearest(35.77, 43.60)
    assert place.name == "Makhmur" and metres < 2_000


def test_user_file(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon,country,aliases\nQaraqosh,36.27,43.38,Iraq,Bakhdida;Hamdaniya\n")
    g = Gazetteer(user_places(path))
    match = g.resolve("Bakhdida")
    assert (match.place.name, match.place.country) == ("Qaraqosh", "IQ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name,lat,lon\n,1,2\n", "row 2: field 'name' is empty"),
        ("name,lat,lon\nX,north,2\n", "row 2: field 'lat' is not a number"),
        ("name,lat,lon\nX,95,2\n", "row 2: (95.0, 2.0) is not a WGS 84 point"),
        ("name,y,x\nX,1,2\n", "no column latitude or lat"),
    ],
)
def test_user_file_errors_say_which_row_and_why(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "places.csv"
    path.write_text(text)
    with pytest.raises(GeocodeError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        user_places(path)


def test_country_codes() -> None:
    assert [country_code(x) for x in ("Syria", "Iraq ", "iq", "Atlantis", None)] == [
        "SY",
        "IQ",
        "IQ",
        None,
        None,
    ]


def test_shared_gazetteers_resolve_the_release_places(shared_gazetteer: Gazetteer) -> None:
    for name, country, expected in [
        ("Ar Raqqah", "SY", "Ar Raqqah"),
        ("Kobani", "SY", "Kobani"),
        ("Dayz Ar Awr", "SY", "Dayr Az Zawr"),
        ("Habbaniya", "IQ", "Habbaniyah"),
        ("Al Shaddadi", "SY", "Ash Shaddādah"),
        ("Raqqah", "SY", "Ar Raqqah"),
    ]:
        assert shared_gazetteer.resolve(name, country).place.name == expected, name
