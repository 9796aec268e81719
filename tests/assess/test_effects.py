"""Strike effects and corroboration against simulated ground truth."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from liaison.assess import AssessmentInputs, AssessmentResult
from liaison.assess.fepois import _demean, fepois

F64 = np.ndarray


def test_large_effects_sign_and_magnitude(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    rows = [r for r in assessed.data["effects"] if r.get("effect") is not None]
    big = [r for r in rows if abs(truth["effects"][r["target_category"]][r["outcome"]]) >= 0.2]
    assert len(big) >= 10
    good = 0
    for r in big:
        true = truth["effects"][r["target_category"]][r["outcome"]]
        assert (r["effect"] > 0) == (true > 0), r
        assert r["significant"], r
        good += abs(r["effect"] - true) <= 0.25 * abs(true)
    assert good >= 0.8 * len(big)


def test_zero_effects_rarely_significant(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    zero = [
        r
        for r in assessed.data["effects"]
        if r.get("effect") is not None
        and truth["effects"][r["target_category"]][r["outcome"]] == 0.0
    ]
    assert len(zero) >= 10
    assert np.mean([r["significant"] for r in zero]) <= 0.25
    assert all(abs(r["effect"]) < 0.2 for r in zero if r["outcome"] == "activity")


def test_event_study_and_duration(assessed: AssessmentResult) -> None:
    row = next(
        r
        for r in assessed.data["effects"]
        if r["target_category"] == "headquarters" and r["outcome"] == "activity"
    )
    assert [e["weeks_since_strike"] for e in row["event_study"]] == [[0, 3], [4, 7], [8, 11]]
    # the simulated effect lasts 8 weeks: the first two bins are clearly negative
    assert all(e["ci_high"] < 0 for e in row["event_study"][:2])
    assert row["duration_weeks"] >= 8
    assert row["pre_trend_ci"][0] < 0 < row["pre_trend_ci"][1]
    assert not row["placebo_fails"]


def _panel(seed: int, n_u: int = 60, n_t: int = 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.stack([rng.random((n_u, n_t)) < 0.2, rng.random((n_u, n_t)) < 0.1], axis=2).astype(
        np.float64
    )
    alpha, gamma = rng.normal(0, 1, n_u), rng.normal(0, 0.3, n_t)
    beta = np.array([-0.4, 0.3])
    y = rng.poisson(np.exp(1.0 + alpha[:, None] + gamma[None, :] + x @ beta)).astype(np.float64)
    return y, x, beta


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fepois_matches_statsmodels(seed: int) -> None:
    """Coefficients and cluster-robust SEs equal statsmodels' Poisson GLM with dummies."""
    y, x, _ = _panel(seed)
    n_u, n_t, _k = x.shape
    fit = fepois(y, x)
    u = np.repeat(np.arange(n_u), n_t)
    t = np.tile(np.arange(n_t), n_u)
    frame = pd.DataFrame({"x0": x[:, :, 0].ravel(), "x1": x[:, :, 1].ravel()})
    dummies = pd.concat(
        [
            pd.get_dummies(u, prefix="u", drop_first=False, dtype=float),
            pd.get_dummies(t, prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    design = pd.concat([frame, dummies], axis=1)
    ref = sm.GLM(y.ravel(), design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": u, "use_correction": False}
    )
    assert np.allclose(fit.coef, ref.params[["x0", "x1"]].to_numpy(), atol=1e-6)
    assert np.allclose(fit.se, ref.bse[["x0", "x1"]].to_numpy(), rtol=1e-3)


@pytest.mark.parametrize("seed", [1, 2])
def test_fepois_masked_equals_statsmodels_on_the_observed_rows(seed: int) -> None:
    """An unbalanced panel (a third of the unit-weeks missing, their outcome set to
    garbage) fits as statsmodels does on the observed rows alone."""
    y, x, _ = _panel(seed)
    n_u, n_t, _k = x.shape
    rng = np.random.default_rng(100 + seed)
    mask = (rng.random((n_u, n_t)) > 0.33).astype(np.float64)
    garbage = np.where(mask > 0, y, 1000.0)
    fit = fepois(garbage, x, mask=mask)
    keep = mask.ravel() > 0
    u = np.repeat(np.arange(n_u), n_t)[keep]
    t = np.tile(np.arange(n_t), n_u)[keep]
    design = pd.concat(
        [
            pd.DataFrame({"x0": x[:, :, 0].ravel()[keep], "x1": x[:, :, 1].ravel()[keep]}),
            pd.get_dummies(u, prefix="u", dtype=float),
            pd.get_dummies(t, prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    ref = sm.GLM(y.ravel()[keep], design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": u, "use_correction": False}
    )
    assert np.allclose(fit.coef, ref.params[["x0", "x1"]].to_numpy(), atol=1e-6)
    assert np.allclose(fit.se, ref.bse[["x0", "x1"]].to_numpy(), rtol=1e-3)
    # and the balanced fit of the same garbage differs: the mask is what removes it
    assert not np.allclose(fepois(garbage, x).coef, fit.coef, atol=1e-3)


def test_fepois_regressor_seen_only_where_masked_is_nan() -> None:
    """A regressor that varies only on the masked-out observations is not identified
    (NaN), not a coefficient of 0 with a standard error of 0."""
    y, x, _ = _panel(5)
    rng = np.random.default_rng(6)
    mask = (rng.random(y.shape) > 0.3).astype(np.float64)
    only_masked = ((mask == 0) & (rng.random(y.shape) < 0.5)).astype(np.float64)[:, :, None]
    fit = fepois(y, np.concatenate([x, only_masked], axis=2), mask=mask)
    assert np.isnan(fit.coef[2]) and np.all(np.isfinite(fit.coef[:2]))


def test_fepois_unidentified_regressor_is_nan() -> None:
    y, x, _ = _panel(4)
    x = np.concatenate([x, np.ones((*x.shape[:2], 1))], axis=2)  # absorbed by the FE
    fit = fepois(y, x)
    assert np.isnan(fit.coef[2]) and np.all(np.isfinite(fit.coef[:2]))


def test_demeaning_a_stratum_whose_weight_sits_in_one_week_stays_finite() -> None:
    """One unit alone in its stratum, its fitted means underflowed to ~1e-300 in every
    week but one (front seed 8, 2.8.0: the inverse of rounding noise overflowed and the
    fit raised LinAlgError). Such a stratum carries no information: its regressors
    demean to 0, not to inf or NaN."""
    w = np.full(52, 1.0000000000000237e-300)  # the weights of that fit, exactly
    w[4:11] = 0.0
    w[32:38] = 0.0
    w[11] = 9.9999999999994979e-301
    w[[20, 21, 22, 23, 44, 45, 46, 47]] = 1.0000000000000333e-300
    w[38], w[39] = 1.0000000000000002, 1.0000000000000148e-300
    x = np.random.default_rng(0).random((1, 52, 2))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = _demean(x, w[None, :], np.ones((1, 1)))
    assert np.all(np.isfinite(out))
    assert np.allclose(out[0, 38], 0.0)  # the one weighted week is its own unit mean


def test_inflation_recovered(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    _, truth = scenario
    for party, claims in truth["claims"].items():
        row = assessed.corroboration(party)
        assert abs(row["inflation_points"] - claims["inflation_points"]) <= 5.0, row


def test_harm_and_designations(assessed: AssessmentResult) -> None:
    harm = assessed.data["harm"]
    assert sum(p["linked"] for p in harm["parties"]) > 0.7 * harm["allegations"]
    matrix = assessed.data["designations"]["matrix"]
    assert {m["agreement"] for m in matrix} == {"agree", "disagree"}


def test_exposure_windows_are_probabilities_of_no_strike() -> None:
    from liaison.assess.effects import _none, _survival

    rng = np.random.default_rng(4)
    certain = rng.random((30, 40)) < 0.1
    p = np.where(certain, 1.0, rng.random((30, 40)) * 0.3 * (rng.random((30, 40)) < 0.2))
    for struck in (certain.astype(np.float64), p):
        surv = _survival(struck)
        for start, stop in ((-3, 0), (1, 4), (-11, 0), (0, 0)):
            got = _none(surv, start, stop)
            want = np.ones_like(struck)
            for t in range(struck.shape[1]):
                for u in range(max(t + start, 0), min(t + stop + 1, struck.shape[1])):
                    want[:, t] *= 1.0 - struck[:, u]
            np.testing.assert_allclose(got, want, atol=1e-9)
    # placed strikes only: the windows are exact 0/1 indicators
    got = _none(_survival(certain.astype(np.float64)), -3, 0)
    assert set(np.unique(got)) <= {0.0, 1.0}


@pytest.mark.parametrize("seed", [1, 2])
def test_fepois_clusters_match_statsmodels(seed: int) -> None:
    """Clustered on groups of units (coarser cells), the SEs equal statsmodels' too."""
    y, x, _ = _panel(seed)
    n_u, n_t, _k = x.shape
    groups = np.arange(n_u) // 4
    fit = fepois(y, x, clusters=groups)
    u = np.repeat(np.arange(n_u), n_t)
    t = np.tile(np.arange(n_t), n_u)
    design = pd.concat(
        [
            pd.DataFrame({"x0": x[:, :, 0].ravel(), "x1": x[:, :, 1].ravel()}),
            pd.get_dummies(u, prefix="u", dtype=float),
            pd.get_dummies(t, prefix="t", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    ref = sm.GLM(y.ravel(), design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": groups[u], "use_correction": False}
    )
    assert np.allclose(fit.se, ref.bse[["x0", "x1"]].to_numpy(), rtol=1e-3)


def test_effective_clusters_follow_where_the_treatment_is() -> None:
    """Treatment spread over every unit: about as many effective clusters as units;
    concentrated on 4 of 60 units: a handful, so the interval uses few degrees of freedom."""
    rng = np.random.default_rng(9)
    y, x, _ = _panel(9)
    spread = fepois(y, x)
    w = np.array([1.0, 0.0])
    assert spread.effective_clusters(w) > 12
    few = x.copy()
    few[4:, :, 0] = 0.0
    few[:4, :, 0] = rng.random((4, x.shape[1])) < 0.5
    conc = fepois(y, few)
    assert conc.effective_clusters(w) < 6
    assert conc.effective_clusters(w) <= conc.n_units


def test_holder_indicator_removes_a_reporting_shift() -> None:
    """Places are reported half as much while one group holds them, and strikes follow
    that group: a true zero effect reads as a fall unless the holder enters the model."""
    from types import SimpleNamespace

    from liaison.assess.effects import _holder

    rng = np.random.default_rng(11)
    n_u, n_t = 200, 40
    switch = rng.integers(5, 35, n_u)  # the first group holds each place until then
    held = (np.arange(n_t)[None, :] < switch[:, None]) & (rng.random(n_u) < 0.7)[:, None]
    who = np.stack([held, ~held], axis=2).astype(np.float32)  # [u, t, groups]
    struck = (held & (rng.random((n_u, n_t)) < 0.3)).astype(np.float64)
    base = rng.gamma(4.0, 1.0, n_u)[:, None]
    y = rng.poisson(base * np.where(held, 0.5, 1.0)).astype(np.float64)  # no strike effect
    field = SimpleNamespace(who=np.concatenate([who, who[:1] * 0.0]))  # + the sentinel row
    indicator = _holder(field, np.arange(n_u))  # type: ignore[arg-type]
    assert indicator.shape == (n_u, n_t, 1)
    assert np.array_equal(indicator[:, :, 0] == 1.0, ~held)
    naive = fepois(y, struck[:, :, None])
    with_holder = fepois(y, np.concatenate([struck[:, :, None], indicator], axis=2))
    assert naive.coef[0] < -0.2  # the reporting shift read as an effect
    assert abs(with_holder.coef[0]) < 3 * with_holder.se[0]
    assert abs(with_holder.coef[1] - np.log(2.0)) < 0.15


def _renewed_effect_panel(seed: int) -> tuple[Any, Any, F64, F64, F64]:
    """Two parties strike the same places; a strike of either renews a −40 % effect for
    4 weeks (it does not compound), as in all three validation worlds."""
    from types import SimpleNamespace

    import polars as pl
    import polars_h3 as plh3

    from liaison.assess.grid import build_grid

    rng = np.random.default_rng(seed)
    n_u, n_t = 400, 60
    i = np.arange(n_u)  # places 0.5° apart: no two are neighbours
    spots = pl.DataFrame({"lat": 33.0 + 0.5 * (i % 20), "lon": 36.0 + 0.5 * (i // 20)})
    cells = spots.select(plh3.latlng_to_cell("lat", "lon", 6).alias("c"))["c"].to_numpy()
    grid = build_grid(cells.astype(np.uint64), 6, 1)
    rows = grid.index(cells.astype(np.uint64))
    shape = (grid.n_cells + 1, n_t)
    a, b = np.zeros(shape), np.zeros(shape)
    a[rows] = rng.random((n_u, n_t)) < 0.1
    b[rows] = rng.random((n_u, n_t)) < 0.1
    on = np.zeros((n_u, n_t), bool)
    for lag in range(4):
        on[:, lag:] |= (a[rows] + b[rows])[:, : n_t - lag] > 0
    base = rng.gamma(4.0, 2.0, n_u)[:, None]
    y = rng.poisson(base * np.where(on, 0.6, 1.0)).astype(np.float64)
    return SimpleNamespace(grid=grid), rows, a, b, y


@pytest.mark.parametrize("seed", [1, 2])
def test_latest_strike_of_any_party_renews_the_effect(seed: int) -> None:
    """Counted per party, a place struck by both within an effect's weeks reads as struck
    twice over and both parties' effects shrink; counted from the latest strike of
    either, each party's effect is the truth (−40 %)."""
    from liaison.assess.effects import _bins, _exposure
    from liaison.assess.params import Params

    prep, rows, a, b, y = _renewed_effect_panel(seed)
    params = Params()
    bins = _bins(params)

    def first_bin(latest: bool) -> tuple[float, float]:
        cols = [
            *_exposure(a, rows, prep, params, bins, b if latest else None),  # type: ignore[arg-type]
            *_exposure(b, rows, prep, params, bins, a if latest else None),
        ]  # type: ignore[arg-type]
        x = np.stack(cols, axis=2)
        fit = fepois(y, x)
        k = len(bins) + 2
        return float(np.expm1(fit.coef[0])), float(np.expm1(fit.coef[k]))

    per_party = first_bin(latest=False)
    latest = first_bin(latest=True)
    assert all(e > -0.35 for e in per_party)  # the overlap read as a double effect
    assert all(abs(e + 0.40) < 0.025 for e in latest)


def test_window_sum_matches_a_loop() -> None:
    from liaison.assess.effects import _window_sum

    x = np.random.default_rng(3).random((5, 30))
    for lo, hi in ((0, 3), (4, 7), (8, 11), (0, 0)):
        want = np.array([[x[c, max(t - hi, 0) : max(t - lo + 1, 0)].sum() for t in range(30)]
                         for c in range(5)])  # fmt: skip
        np.testing.assert_allclose(_window_sum(x, lo, hi), want)


def test_selecting_a_party_keeps_the_others_strikes_in_the_regression(
    scenario: tuple[AssessmentInputs, dict[str, Any]], assessed: AssessmentResult
) -> None:
    """A party's effect rows are the same whether or not the run selects that party: the
    other parties' strikes are not left among its controls."""
    from liaison.assess import run

    every = assessed.data["effects"]
    first = every[0]["party"]
    alone = run(scenario[0], party=first).data["effects"]
    assert alone == [row for row in every if row["party"] == first]
    assert {row["party"] for row in every} != {first}  # the run has other parties


def test_logistics_are_read_on_the_weeks_they_were_reported() -> None:
    """Front world: supply-route strikes pick roads convoys use that week, and a road's
    use comes and goes with the front. Read as zero traffic, the weeks nobody reported
    make every party's supply-route effect a large rise (the road was idle before);
    read as missing (the default), each estimate is lower and fewer are significant
    rises. The activity rows do not depend on it."""
    import dataclasses

    from liaison.assess import Params, run
    from liaison.assess.worlds import scenario

    inputs, _ = scenario("front", 1)
    default = Params()
    assert default.effect_logistics_reported_only
    as_zero = dataclasses.replace(default, effect_logistics_reported_only=False)

    def rows(params: Params) -> dict[tuple[str, str, str], dict[str, Any]]:
        out = run(inputs, params).data["effects"]
        return {(r["party"], r["target_category"], r["outcome"]): r for r in out}

    missing, zero = rows(default), rows(as_zero)
    supply = [k for k in zero if k[1] == "supply-route" and k[2] == "logistics"]
    assert len(supply) == 3
    assert all(zero[k]["effect"] > 0.5 and zero[k]["ci_low"] > 0 for k in supply)
    assert all(missing[k]["effect"] < zero[k]["effect"] - 0.5 for k in supply)
    # fewer significant rises; still not the truth's fall (docs/method.md: the strikes
    # pick each road's busiest weeks)
    assert sum(missing[k]["ci_low"] > 0 for k in supply) < len(supply)
    for k, r in zero.items():
        if k[2] == "activity":
            assert missing[k].get("effect") == r.get("effect"), k


def test_relative_effect_bounds_stay_finite() -> None:
    """A few struck cells can give a bound of e^800: the row stays finite (valid JSON)."""
    from liaison.assess.effects import _relative

    assert _relative(0.0) == 0.0
    assert np.isclose(_relative(np.log(0.55)), -0.45)
    assert np.isfinite(_relative(800.0)) and _relative(800.0) > 1e300
    assert _relative(-800.0) == -1.0


def test_effective_clusters_do_not_depend_on_the_direction_scale() -> None:
    """Kish's ratio is scale-free: a direction whose information underflows (a few
    struck cells with almost no outcome left) gives the same count, not a division by 0."""
    y, x, _ = _panel(9)
    fit = fepois(y, x)
    w = np.array([1.0, 0.0])
    want = fit.effective_clusters(w)
    assert want > 1
    assert np.isclose(fit.effective_clusters(w * 1e-160), want)
    assert fit.effective_clusters(w * 0.0) == 0.0


def test_unplaced_mask_leaves_out_where_an_unplaced_strike_may_have_landed() -> None:
    """An unplaced strike's posterior mass marks its cells for ``effect_unplaced_weeks``
    weeks from its week; cells below ``effect_unplaced_mass`` stay clean; 0 weeks: off."""
    import dataclasses

    from liaison.assess.effects import unplaced_mask
    from liaison.assess.params import Params

    params = Params()
    cells = np.array([[0, 1, 2], [3, 4, 5]])  # candidate cells of two strikes
    weights = np.array([[0.6, 0.35, 0.05], [0.2, 0.2, 0.6]])
    week = np.array([2, 30])
    shape = (7, 40)  # 6 cells + the "outside the grid" row
    mask = unplaced_mask(cells, weights, week, shape, params)
    assert mask is not None and mask.shape == shape
    span = params.effect_unplaced_weeks
    for c, w0 in ((0, 2), (1, 2), (3, 30), (4, 30), (5, 30)):
        assert not mask[c, w0 : w0 + span].any()  # left out for `span` weeks
        assert mask[c, :w0].all() and mask[c, w0 + span :].all()
    assert mask[2].all() and mask[6].all()  # 0.05 < 0.1; the outside row
    # two weak strikes on one cell in the same weeks add up
    two = unplaced_mask(np.array([[2], [2]]), np.array([[0.05], [0.05]]), np.array([9, 10]),
                        shape, params)  # fmt: skip
    assert two is not None and not two[2, 10:15].any() and two[2, 9] == 1.0
    off = dataclasses.replace(params, effect_unplaced_weeks=0)
    assert unplaced_mask(cells, weights, week, shape, off) is None


def test_unplaced_strikes_left_out_of_the_controls_keep_the_effect() -> None:
    """Half of the strikes cannot be placed (nobody saw where they fell), yet they have
    the same −40 % effect. Kept among the controls, those affected weeks read as
    unaffected and the placed strikes' effect shrinks; left out, it is the truth."""
    from liaison.assess.effects import _bins, _exposure, unplaced_mask
    from liaison.assess.params import Params

    params = Params()
    prep, rows, a, b, _ = _renewed_effect_panel(5)
    rng = np.random.default_rng(5)
    on = np.zeros(a[rows].shape, bool)
    for lag in range(4):
        on[:, lag:] |= (a[rows] + b[rows])[:, : a.shape[1] - lag] > 0
    base = rng.gamma(4.0, 2.0, rows.size)[:, None]
    y = rng.poisson(base * np.where(on, 0.6, 1.0)).astype(np.float64)
    x = np.stack(_exposure(a, rows, prep, params, _bins(params)), axis=2)  # type: ignore[arg-type]
    cell_b, week_b = np.nonzero(b)  # b's strikes: known to be somewhere, not where
    mask = unplaced_mask(cell_b[:, None], np.full((cell_b.size, 1), 0.5), week_b,
                         b.shape, params)  # fmt: skip
    assert mask is not None
    kept = float(np.expm1(fepois(y, x).coef[0]))
    left_out = fepois(y, x, mask=mask[rows])
    assert kept > -0.33  # diluted by the unseen strikes' weeks
    assert abs(float(np.expm1(left_out.coef[0])) + 0.40) < 0.03


def test_towns_effects_leave_out_the_weeks_unplaced_strikes_may_have_hit() -> None:
    """Towns world seed 1: the coarse party's unseen "near X" strikes hit the towns both
    parties strike. Leaving those cell-weeks out moves both parties' headquarters
    effects towards the truth (−35 %); each row says what share it left out."""
    import dataclasses

    from liaison.assess import Params, run
    from liaison.assess.worlds import scenario

    inputs, truth = scenario("towns", 1)
    assert truth["effects"]["headquarters"]["activity"] == -0.35

    def hq(params: Params) -> list[dict[str, Any]]:
        out = run(inputs, params).data["effects"]
        return [
            r for r in out if r["target_category"] == "headquarters" and r["outcome"] == "activity"
        ]

    default = hq(Params())
    kept = hq(dataclasses.replace(Params(), effect_unplaced_weeks=0))
    assert len(default) == len(kept) == 2
    for on, off in zip(default, kept, strict=True):
        assert on["party"] == off["party"]
        assert 0.05 < on["cell_weeks_left_out"] < 0.5 and off["cell_weeks_left_out"] == 0.0
        assert on["effect"] < off["effect"] - 0.03
        assert abs(on["effect"] + 0.35) < abs(off["effect"] + 0.35)
