"""Loading and checking policies: what is accepted, and errors that name partner, rule, key."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from liaison.policy import PolicyError, check, load_policies, parse_duration

from .strategies import GROUPS


def _one(rule: dict[str, Any], **partner: Any) -> dict[str, Any]:
    return {"partners": {"ru": {"rules": [{"name": "ok", "kinds": ["event"]}, rule], **partner}}}


def _problem(rule: dict[str, Any]) -> str:
    problems = check(_one(rule))
    assert len(problems) == 1, problems
    return problems[0]


def test_error_names_file_partner_rule_and_key() -> None:
    assert _problem({"name": "is-strikes", "coarsen_m": -5}) == (
        'liaison.toml: partners.ru.rules[1] ("is-strikes"): coarsen_m must be a positive '
        "number of metres (got -5)"
    )
    assert _problem({"coarsen_m": True}).startswith("liaison.toml: partners.ru.rules[1]: coarsen_m")


@pytest.mark.parametrize(
    ("rule", "key", "words"),
    [
        ({"colour": "red"}, "colour", "is not a rule key"),
        ({"kinds": ["strike"]}, "kinds", "unknown kind 'strike'"),
        ({"kinds": ["person"]}, "kinds", "local only"),
        ({"kinds": []}, "kinds", "non-empty list"),
        ({"groups": ["threat-actor--x"]}, "groups", "threat-actor ids"),
        ({"designation": ["bad"]}, "designation", "designations"),
        ({"area": {"bbox": [1, 2, 3]}}, "area", "bbox must be"),
        ({"area": {"bbox": [40, 2, 30, 3]}}, "area", "above lat_max"),
        ({"area": {"near": [91, 0, 5]}}, "area", "latitude"),
        ({"area": {"near": [1, 0, 0]}}, "area", "positive"),
        ({"area": {"cells": ["zz"]}}, "area", "H3 cells"),
        ({"area": {"circle": 1}}, "area", "unknown form"),
        ({"area": {"bbox": [1, 2, 3, 4], "near": [1, 2, 3]}}, "area", "exactly one"),
        ({"since": "2015-02-30"}, "since", "date"),
        ({"until": "yesterday"}, "until", "date"),
        ({"since": "2016-01-01", "until": "2015-01-01"}, "until", "before since"),
        ({"markings": ["tlp:green"]}, "markings", "marking-definition ids"),
        ({"coarsen_m": 2_000_000}, "coarsen_m", "at most"),
        ({"delay": "3x"}, "delay", "duration"),
        ({"delay": 24}, "delay", "duration string"),
        ({"drop_fields": ["latitude"]}, "drop_fields", "use coarsen_m"),
        ({"drop_fields": ["modified"]}, "drop_fields", "keeps it"),
        ({"drop_fields": ["nonsense"]}, "drop_fields", "not a field"),
        (
            {"kinds": ["strike-report"], "drop_fields": ["means"]},
            "drop_fields",
            "required field 'means' of strike-report",
        ),
        ({"drop_fields": ["name"]}, "drop_fields", "required field 'name' of group"),
        ({"strip_sources": "yes"}, "strip_sources", "true or false"),
        ({"drop_fields": ["object_marking_refs"], "allow_onward": True}, "allow_onward", "cannot"),
        ({"name": ""}, "name", "non-empty"),
    ],
)
def test_each_invalid_value_is_refused_with_its_key(
    rule: dict[str, Any], key: str, words: str
) -> None:
    problem = _problem(rule)
    assert problem.startswith("liaison.toml: partners.ru.rules[1]"), problem
    assert f": {key} " in problem, problem
    assert words in problem, problem
    with pytest.raises(PolicyError) as err:
        load_policies(_one(rule))
    assert err.value.problems == [problem]


def test_partner_level_problems() -> None:
    assert check({"partners": {"ru": {"url": "x"}}}) == [
        "liaison.toml: partners.ru: url is not a partner key (keys: description, rules)"
    ]
    assert check({"partners": {"ru": {"url": "x"}}}, extra_partner_keys={"url"}) == []
    assert "array of tables" in check({"partners": {"ru": {"rules": {}}}})[0]
    assert "partner names" in check({"partners": {"r u": {}}})[0]
    dup = check({"partners": {"ru": {"rules": [{"name": "a"}, {"name": "a"}]}}}, source="n.toml")
    assert dup == ['n.toml: partners.ru.rules[1] ("a"): name is already used by rules[0]']
    assert check({"partners": 3}) == [
        "liaison.toml: partners must be a table of [partners.NAME] sections"
    ]


def test_all_problems_are_reported_together() -> None:
    raw = {"partners": {"ru": {"rules": [{"coarsen_m": 0, "delay": "x"}, {"kinds": ["x"]}]}}}
    problems = check(raw)
    assert len(problems) == 3
    with pytest.raises(PolicyError, match="coarsen_m") as err:
        load_policies(raw)
    assert str(err.value) == "\n".join(problems)


def test_no_partners_means_deny_everything_and_other_sections_are_ignored() -> None:
    assert load_policies({"node": {"party": "fr"}}).partners == {}
    assert check({}) == []


def test_documented_example_loads(documented_toml: str) -> None:
    policies = load_policies(tomllib.loads(documented_toml))
    ru = policies.get("ru")
    assert ru is not None and len(ru.rules) >= 2
    strikes = ru.rules[0]
    assert strikes.name == "is-strikes-coarse"
    assert strikes.coarsen_m == 10_000 and strikes.delay_ms == 86_400_000
    assert strikes.strip_sources
    assert strikes.since_ms is not None and strikes.until_ms is not None
    assert strikes.until_ms - strikes.since_ms == 2 * 365 * 86_400_000 + 86_400_000 - 1


def test_toml_dates_and_timestamps() -> None:
    raw = tomllib.loads(
        """
        [[partners.ru.rules]]
        since = 2015-01-01
        until = 2015-06-30T12:00:00Z
        """
    )
    rule = load_policies(raw).partners["ru"].rules[0]
    assert rule.since_ms == 1_420_070_400_000
    assert rule.until_ms == 1_435_665_600_000
    naive = tomllib.loads("[[partners.ru.rules]]\nsince = 2015-01-01T00:00:00\n")
    assert "UTC offset" in check(naive)[0]


def test_durations() -> None:
    assert parse_duration("24h") == 86_400_000
    assert parse_duration("1d12h") == 129_600_000
    assert parse_duration("2w") == 1_209_600_000
    assert parse_duration("90m") == 5_400_000
    assert parse_duration("45s") == 45_000
    assert parse_duration("0") == 0
    for bad in ("", "h", "12", "1h1d", "-1h", "1.5h"):
        with pytest.raises(ValueError, match="duration"):
            parse_duration(bad)


def test_selectors_compile() -> None:
    raw = {
        "partners": {
            "ru": {
                "rules": [
                    {
                        "groups": [GROUPS[0]],
                        "area": {"cells": ["862d8c927ffffff", "832d8cfffffffff"]},
                        "designation": ["none"],
                    }
                ]
            }
        }
    }
    rule = load_policies(raw).partners["ru"].rules[0]
    assert rule.area is not None and rule.area.cells is not None
    assert set(rule.area.cells) == {6, 3}
    assert rule.label == "rules[0]"
