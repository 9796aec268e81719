"""Reading strike-release sentences: clauses, targets and claimed effects."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from liaison.ingest.connectors._release_text import LineError, parse_release_line
from liaison.ingest.connectors._targets import Category, parse_targets


@pytest.fixture(scope="module")
def categories() -> list[Category]:
    text = resources.files("liaison.ingest.connectors").joinpath("strike-release.toml")
    table = tomllib.loads(text.read_text("utf-8"))["categories"]
    return [Category(c["name"], re.compile(c["pattern"], re.I), c.get("logistics")) for c in table]


def test_the_issue_examples(categories: list[Category]) -> None:
    (clause,) = parse_release_line("- Near Ar Raqqah, one strike destroyed two oil pump jacks.")
    assert (clause.qualifier, clause.places, clause.strikes) == ("near", ("Ar Raqqah",), 1)
    (pump,) = parse_targets(clause.text, categories)
    assert (pump.category, pump.effect, pump.count, pump.logistics) == (
        "oil-infrastructure",
        "destroyed",
        2,
        "oil-trade",
    )
    (unit,) = parse_targets("engaged an ISIL tactical unit", categories)
    assert (unit.category, unit.effect, unit.count) == ("fighting-unit", "struck", 1)
    (trucks,) = parse_targets("destroyed six oil tanker trucks", categories)
    assert (trucks.category, trucks.effect, trucks.count) == ("oil-infrastructure", "destroyed", 6)


@pytest.mark.parametrize(
    ("line", "places", "strikes", "qualifier", "country"),
    [
        (
            "*  Near Mar'a, six strikes struck five separate ISIL tactical units.",
            ("Mar'a",),
            6,
            "near",
            None,
        ),
        ("- Near Hit one strike produced inconclusive results.", ("Hit",), 1, "near", None),
        (
            "- Near Kirkuk, an airstike struck an ISIL fighting position.",
            ("Kirkuk",),
            1,
            "near",
            None,
        ),
        ("- In Tikrit, 17 airstrikes struck an ISIL building.", ("Tikrit",), 17, "in", None),
        (
            "- Near Al Hasakah and Dayr Az Zawr, two strikes engaged an ISIL unit.",
            ("Al Hasakah", "Dayr Az Zawr"),
            2,
            "near",
            None,
        ),
        (
            "In Syria, five airstrikes near Kobani destroyed an ISIL building.",
            ("Kobani",),
            5,
            "near",
            "Syria",
        ),
        (
            "Three airstrikes south of Bayji Oil Refinery struck a small ISIL unit.",
            ("Bayji Oil Refinery",),
            3,
            "south of",
            None,
        ),
        (
            "In Syria, one strike destroyed an ISIL tank near Taqba Airfield west of Ar Raqqah.",
            ("Ar Raqqah",),
            1,
            "west of",
            "Syria",
        ),
    ],
)
def test_clause_forms(
    line: str, places: tuple[str, ...], strikes: int, qualifier: str, country: str | None
) -> None:
    clause = parse_release_line(line)[0]
    assert (clause.places, clause.strikes, clause.qualifier, clause.country) == (
        places,
        strikes,
        qualifier,
        country,
    )


def test_a_2014_paragraph_is_several_clauses_and_continuations_join_the_last() -> None:
    text = (
        "In Syria, 14 airstrikes near Kobani destroyed an ISIL vehicle. Also, those airstrikes "
        "suppressed eight other fighting positions.  Near Aleppo, an airstrike struck a tactical "
        "ISIL unit. In Iraq, one airstrike near Bayji struck a small ISIL unit. All aircraft "
        "departed the strike areas safely."
    )
    clauses = parse_release_line(text)
    assert [(c.places, c.strikes, c.country) for c in clauses] == [
        (("Kobani",), 14, "Syria"),
        (("Aleppo",), 1, "Syria"),
        (("Bayji",), 1, "Iraq"),
    ]
    assert "suppressed eight other fighting positions" in clauses[0].text


def test_province_and_nested_places() -> None:
    (hit,) = parse_release_line("- Near Hit in Al Anbar Province, two strikes struck an ISIL unit.")
    assert (hit.places, hit.region) == (("Hit",), "Al Anbar Province")
    (haram,) = parse_release_line(
        "Finally, in northwest Syria near Haram, a U.S. airstrike struck a storage facility."
    )
    assert (haram.places, haram.qualifier, haram.region) == (("Haram",), "near", "northwest Syria")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("All aircraft returned to base safely.", "no strike in the sentence"),
        ("- Near Mosul, strikes struck several ISIL units.", "no number of strikes"),
        (
            "In Iraq, one airstrike destroyed an ISIL vehicle.",
            "no place the strikes are near or in",
        ),
        ("   ", "empty line"),
    ],
)
def test_unreadable_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(LineError, match=reason):
        parse_release_line(line)


def test_targets_lists_counts_and_effects(categories: list[Category]) -> None:
    text = (
        "struck two large and four small ISIL tactical units and destroyed five ISIL fighting "
        "positions, two ISIL command and control nodes, an ISIL VBIED, and wounded an ISIL "
        "fighter and damaged one ISIL tank and destroyed another and denied ISIL access to terrain"
    )
    got = [(t.category, t.effect, t.count) for t in parse_targets(text, categories)]
    assert got == [
        ("fighting-unit", "struck", 6),
        ("fighting-position", "destroyed", 5),
        ("headquarters", "destroyed", 2),
        ("vbied", "destroyed", 1),
        ("personnel", "damaged", 1),
        ("vehicle", "damaged", 1),
        ("vehicle", "destroyed", 1),
        ("terrain", "struck", 1),
    ]


def test_inconclusive_strikes_have_no_target(categories: list[Category]) -> None:
    assert parse_targets("produced inconclusive results.", categories) == []
    (t,) = parse_targets("struck and destroyed a storage facility", categories)
    assert t.effect == "destroyed"  # "struck and destroyed": the second claim
    (t,) = parse_targets("suppressed or destroyed nine ISIL fighting positions", categories)
    assert t.effect == "struck"  # "or": the lesser claim
