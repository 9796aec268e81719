"""The linkage schema: parsing, clear errors, and a fingerprint that changes with
every semantic change (and with nothing else)."""

from __future__ import annotations

import pytest

from liaison.linkage import SchemaError, default_schema, default_schema_text, parse_schema


def test_shipped_schema_parses_with_every_field_of_a_person() -> None:
    s = default_schema()
    assert s.bits == 1024
    assert s.hardening.salt == "year_of_birth"
    assert s.hardening.mode == "balance"
    assert {"names", "aliases", "date_of_birth", "sex", "nationalities", "place_of_birth"} <= set(
        s.sources
    )


def test_fingerprint_ignores_comments_and_layout() -> None:
    text = default_schema_text()
    reformatted = "\n".join(line.split("#")[0].rstrip() for line in text.splitlines())
    assert parse_schema(reformatted).fingerprint == default_schema().fingerprint


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("threshold = 0.75", "threshold = 0.7"),
        ('salt = "year_of_birth"', 'salt = "sex"'),
        ('mode = "balance"', 'mode = "xor-fold"'),
        ("bits = 110", "bits = 111"),
        ("band_bits = 12", "band_bits = 13"),
    ],
)
def test_fingerprint_changes_with_any_semantic_change(old: str, new: str) -> None:
    text = default_schema_text()
    assert old in text
    assert parse_schema(text.replace(old, new, 1)).fingerprint != default_schema().fingerprint


@pytest.mark.parametrize(
    ("text", "key", "why"),
    [
        ("[linkage]\nname='x'\n", "field", "at least one"),
        (
            "[linkage]\nname='x'\nbits=1000\n[[field]]\nname='a'\nkind='name'\nbits=1\n",
            "linkage.bits",
            "multiple of 128",
        ),
        (
            "[linkage]\nname='x'\n[[field]]\nname='a'\nkind='soundex'\nbits=1\n",
            "field[0].kind",
            "must be one of",
        ),
        (
            "[linkage]\nname='x'\n[[field]]\nname='a'\nkind='name'\nbits=1\n"
            "[[field]]\nname='a'\nkind='name'\nbits=1\n",
            "field[1].name",
            "defined twice",
        ),
        (
            "[linkage]\nname='x'\ncolour=1\n[[field]]\nname='a'\nkind='name'\nbits=1\n",
            "linkage.colour",
            "unknown key",
        ),
        (
            "[linkage]\nname='x'\n[hardening]\nmode='none'\n[[field]]\nname='a'\nkind='name'\n"
            "bits=1\n",
            "hardening.mode",
            "must be one of",
        ),
        ("[linkage\n", "", "not valid TOML"),
    ],
)
def test_bad_schemas_say_which_key_and_why(text: str, key: str, why: str) -> None:
    with pytest.raises(SchemaError) as err:
        parse_schema(text, source="agreed.toml")
    assert err.value.key == key
    assert why in str(err.value)
    assert str(err.value).startswith("agreed.toml")
