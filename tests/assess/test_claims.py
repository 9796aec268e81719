"""Claims: ordered levels, vocabularies, one-to-one matching, corroboration records."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from liaison.assess import AssessmentInputs, Params, run
from liaison.assess.corroboration import LEVELS, one_to_one, vocabulary
from liaison.assess.inputs import inputs_from_objects
from liaison.assess.observers import latent_class

P = "identity--00000000-0000-4000-8000-0000000000aa"


def test_two_word_vocabulary_reads_damaged_as_not_destroyed() -> None:
    words = ["destroyed"] * 15 + ["damaged"] * 15
    assert vocabulary(words, P, Params())["damaged"] == LEVELS["struck"]
    # with the other words in use, "damaged" keeps its level
    assert vocabulary([*words, "missed"], P, Params())["damaged"] == LEVELS["damaged"]
    # an explicit vocabulary wins
    params = Params(claim_vocabularies=((P, "hit", "destroyed"), (P, "damaged", "damaged")))
    vocab = vocabulary(words, P, params)
    assert vocab["damaged"] == LEVELS["damaged"] and vocab["hit"] == LEVELS["destroyed"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 6), st.floats(0.0, 2.0)),
        min_size=1,
        max_size=40,
    )
)
def test_one_to_one_uses_each_side_once_and_keeps_the_cheapest(
    rows: list[tuple[int, int, float]],
) -> None:
    pairs = pl.DataFrame(
        {
            "lid": [f"l{a}" for a, _, _ in rows],
            "rid": [f"r{b}" for _, b, _ in rows],
            "cost": [c for _, _, c in rows],
        }
    )
    got = one_to_one(pairs)
    assert got["lid"].n_unique() == got.height and got["rid"].n_unique() == got.height
    cheapest = pairs.sort("cost", "lid", "rid").row(0)
    assert (cheapest[0], cheapest[1]) in set(zip(got["lid"], got["rid"], strict=True))
    # maximal: no pair left whose both sides are free
    used_l, used_r = set(got["lid"]), set(got["rid"])
    assert not any(a not in used_l and b not in used_r for a, b, _ in pairs.iter_rows())


def _stix(strikes: list[dict[str, Any]], opinions: list[dict[str, Any]]) -> AssessmentInputs:
    base = {"modified": "2016-01-05T00:00:00.000Z", "created": "2016-01-05T00:00:00.000Z"}
    objs = [{"type": "identity", "id": P, "name": "Party", **base}]
    objs += [
        {
            "type": "identity",
            "id": "identity--00000000-0000-4000-8000-0000000000bb",
            "name": "Observer",
            **base,
        }
    ]
    for i, s in enumerate(strikes):
        objs.append(
            {
                "type": "liaison-strike-report",
                "id": f"liaison-strike-report--00000000-0000-4000-8000-{i:012d}",
                "party_ref": P,
                "time_start": f"2016-01-{5 + i % 20:02d}T10:00:00.000Z",
                "time_end": f"2016-01-{5 + i % 20:02d}T11:00:00.000Z",
                "latitude": 35.0 + 0.2 * (i % 7),
                "longitude": 38.0 + 0.2 * (i // 7),
                "precision": 500.0,
                "target_category": "building",
                "strikes": 1,
                **s,
                **base,
            }
        )
    for j, (strike, verdict) in enumerate(opinions):
        objs.append(
            {
                "type": "opinion",
                "id": f"opinion--00000000-0000-4000-8000-{j:012d}",
                "created_by_ref": "identity--00000000-0000-4000-8000-0000000000bb",
                "object_refs": [f"liaison-strike-report--00000000-0000-4000-8000-{strike:012d}"],
                "opinion": verdict,
                "extensions": {"x": {"extension_type": "property-extension", "agreement": 0.5}},
                **base,
            }
        )
    return inputs_from_objects(objs)


def test_corroboration_records_decide_the_observed_effect() -> None:
    strikes = [{"claimed_effect": "destroyed"}] * 20 + [{"claimed_effect": "missed"}] * 20
    # every "destroyed" disputed, every "missed" confirmed: observed success 0 %
    opinions = [(i, "disagree") for i in range(20)] + [(i, "agree") for i in range(20, 40)]
    result = run(_stix(strikes, opinions), Params(bootstrap_replicates=50))
    row = result.corroboration(P)
    assert row["observed"] == 40
    assert row["observed_via"] == {"opinion": 40}
    assert row["claimed_success_rate"] == 0.5
    assert row["observed_success_rate"] == 0.0
    assert abs(row["inflation_points"] - 50.0) < 1e-6
    # a neutral opinion is no observation
    neutral = run(_stix(strikes, [(0, "neutral")]), Params(bootstrap_replicates=50))
    assert neutral.corroboration(P)["observed"] == 0


def _items(
    rng: np.random.Generator, n: int, pi: float, upgrade: float, observers: list[float]
) -> tuple[Any, Any, Any]:
    """Claims of one party and observations by observers reporting a success after
    every success and after a share ``fp`` of failures (each sees half the strikes)."""
    truth = rng.random(n) < pi
    claimed = truth | (rng.random(n) < upgrade)
    seen = np.full((n, len(observers)), -1, np.int8)
    for j, fp in enumerate(observers):
        looks = rng.random(n) < 0.5
        seen[looks, j] = (truth | (rng.random(n) < fp))[looks]
    keep = (seen >= 0).any(axis=1)
    return claimed[keep], seen[keep], truth[keep]


def test_an_over_claiming_observer_does_not_deflate_truthful_parties() -> None:
    rng = np.random.default_rng(3)
    # two accurate observers and one reporting deaths after 80 % of failures
    c0, s0, t0 = _items(rng, 1500, 0.5, 0.0, [0.02, 0.02, 0.8])
    c1, s1, t1 = _items(rng, 1500, 0.35, 0.35, [0.02, 0.02, 0.8])
    party = np.concatenate([np.zeros(c0.size, np.int64), np.ones(c1.size, np.int64)])
    fit = latent_class(
        party, np.concatenate([c0, c1]), np.concatenate([s0, s1]), np.full(3, 5.0), 200,
        np.random.default_rng(1),
    )  # fmt: skip
    assert fit.weighed and fit.disagreement_z > 10.0
    truth = [100 * (c0.mean() - t0.mean()), 100 * (c1.mean() - t1.mean())]
    got = 100 * (fit.claimed[0] - fit.true_rate[0])
    assert np.all(np.abs(got - truth) < 3.0), (got, truth)
    # the naive reading (every observation alike) deflates the truthful party
    naive = 100 * (c0.mean() - (s0[s0 >= 0] == 1).mean())
    assert naive < truth[0] - 8.0
    assert fit.specificity[0, 2] < 0.35 < 0.9 < fit.specificity[0, 0]
    # the interval re-estimates the observers: it covers the truth
    reps = 100 * (fit.claimed[1:] - fit.true_rate[1:])
    lo, hi = np.quantile(reps, [0.025, 0.975], axis=0)
    assert np.all((lo - 1e-6 <= truth) & (truth <= hi + 1e-6)), (lo, hi, truth)


def test_observers_that_agree_count_alike() -> None:
    rng = np.random.default_rng(5)
    claimed, seen, truth = _items(rng, 800, 0.6, 0.3, [0.0, 0.0])
    fit = latent_class(
        np.zeros(claimed.size, np.int64), claimed, seen, np.array([5.0, 5.0]), 50,
        np.random.default_rng(2),
    )  # fmt: skip
    assert not fit.weighed and fit.disagreement_z < 3.0
    share = (seen == 1).sum(axis=1) / (seen >= 0).sum(axis=1)
    assert abs(fit.true_rate[0, 0] - share.mean()) < 1e-9
    assert abs(fit.true_rate[0, 0] - truth.mean()) < 0.03
    assert abs(100 * (fit.claimed[0, 0] - fit.true_rate[0, 0]) - 100 * (claimed.mean()
               - truth.mean())) < 3.0  # fmt: skip
