"""Prediction-powered estimates (core.stats.ppi_mean and friends) against the method's own
implementation, ppi_py (by its authors), on the same inputs, and against cases worked by hand."""

from __future__ import annotations

import numpy as np
import ppi_py  # the dev extra pins it (requirements.lock); make venv installs it
import pytest

from mseed_multilingual.core import stats


def _judge_data(rng: np.random.Generator, n: int, big_n: int, rate: float, sens: float,
                spec: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels, the judge's predictions on them, and its predictions on the unlabelled rest."""
    truth = (rng.random(n + big_n) < rate).astype(float)
    hit = rng.random(n + big_n)
    pred = np.where(truth == 1, hit < sens, hit > spec).astype(float)
    return truth[:n], pred[:n], pred[n:]


CASES = [(40, 400, 0.3, 0.9, 0.95), (100, 900, 0.6, 0.6, 0.99), (30, 60, 0.1, 0.5, 0.5),
         (200, 2000, 0.5, 0.99, 0.99), (35, 3500, 0.8, 0.2, 0.9)]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lam", [None, 0.0, 1.0, 0.4])
def test_ppi_mean_matches_ppi_py(case, lam) -> None:
    rng = np.random.default_rng(sum(int(x * 100) for x in case))
    y, yhat, unl = _judge_data(rng, *case)
    ours = stats.ppi_mean(y, yhat, unl, lam=lam)
    lo, hi = ppi_py.ppi_mean_ci(y, yhat, unl, alpha=0.05, lam=lam)
    point = ppi_py.ppi_mean_pointestimate(y, yhat, unl, lam=lam)
    assert ours.estimate == pytest.approx(float(np.squeeze(point)), abs=1e-12)
    assert (ours.lo, ours.hi) == pytest.approx((float(np.squeeze(lo)), float(np.squeeze(hi))),
                                               abs=1e-9)


def test_ppi_lambda_matches_ppi_py_power_tuning() -> None:
    from ppi_py.ppi import _calc_lam_glm

    y, yhat, unl = _judge_data(np.random.default_rng(3), 80, 800, 0.4, 0.8, 0.9)
    theta = stats.ppi_mean(y, yhat, unl, lam=1.0).estimate
    ref = _calc_lam_glm(y - theta, yhat - theta, unl - theta, np.eye(1), clip=True)
    assert stats.ppi_lambda(y, yhat, unl) == pytest.approx(float(ref), abs=1e-12)
    assert 0 < stats.ppi_lambda(y, yhat, unl) < 1


def test_classical_mean_matches_ppi_py() -> None:
    y, _, _ = _judge_data(np.random.default_rng(5), 50, 0, 0.3, 1, 1)
    lo, hi = ppi_py.classical_mean_ci(y, alpha=0.05)
    est = stats.classical_mean(y)
    assert (est.lo, est.hi) == pytest.approx((float(lo), float(hi)), abs=1e-12)
    assert est.estimate == pytest.approx(y.mean())


def test_perfect_judge_hand_worked() -> None:
    """A judge equal to the labels: with lam = 1 the estimate is the judge's mean over the
    unlabelled answers plus 0, its se that of a mean of N values: sqrt(p(1-p)/N)."""
    y = np.array([1, 0, 0, 1.0])
    unl = np.array([1, 0, 0, 0, 1, 0, 0, 0.0])  # 2 of 8
    est = stats.ppi_mean(y, y, unl, lam=1.0)
    assert est.estimate == pytest.approx(0.25)
    assert est.se == pytest.approx(np.sqrt(0.25 * 0.75 / 8))
    # tuned: lam = var(y) / ((1 + 4/8) var(all 12, ddof 1)) = 0.25 / (1.5 * (4/12*8/12*12/11))
    assert stats.ppi_lambda(y, y, unl) == pytest.approx(0.25 / (1.5 * (4 / 12) * (8 / 12)
                                                                 * 12 / 11))


def test_useless_judge_falls_back_to_the_labels() -> None:
    """A judge that says the same thing everywhere gets weight 0: PPI++ is the labels alone
    (ppi_py divides by zero here)."""
    y = np.array([1, 0, 1, 1, 0, 1.0])
    est = stats.ppi_mean(y, np.ones(6), np.ones(50))
    assert est.lam == 0.0
    ref = stats.classical_mean(y)
    assert (est.estimate, est.lo, est.hi) == pytest.approx((ref.estimate, ref.lo, ref.hi))
    assert est.n_effective == pytest.approx(6)


def test_effective_sample_size_grows_with_a_good_judge() -> None:
    y, yhat, unl = _judge_data(np.random.default_rng(11), 60, 1200, 0.4, 0.95, 0.95)
    est = stats.ppi_mean(y, yhat, unl)
    classical = stats.classical_mean(y)
    assert est.n_effective == pytest.approx(60 * classical.se ** 2 / est.se ** 2)
    assert est.n_effective > 3 * 60
    assert est.hi - est.lo < classical.hi - classical.lo


def test_ppi_is_unbiased_and_covers_when_the_judge_is_biased() -> None:
    """A judge that misses 40% of refusals: its own mean is far off, PPI++ is not (1,000
    draws of the labelled subset from one fixed set of answers; the true mean is over all)."""
    rng = np.random.default_rng(7)
    y_all, pred_all, _ = _judge_data(rng, 2000, 0, 0.5, 0.6, 0.97)
    truth = y_all.mean()
    hits, estimates = 0, []
    for _ in range(1000):
        pick = np.zeros(2000, bool)
        pick[rng.choice(2000, 200, replace=False)] = True
        est = stats.ppi_mean(y_all[pick], pred_all[pick], pred_all[~pick])
        hits += est.lo <= truth <= est.hi
        estimates.append(est.estimate)
    assert abs(pred_all.mean() - truth) > 0.15
    assert abs(np.mean(estimates) - truth) < 0.005
    assert hits / 1000 >= 0.93


def test_labels_only_uses_wilson_and_tango_on_01_labels() -> None:
    y = np.array([0.0] * 30)
    est = stats.labels_only_rate(y)
    lo, hi = stats.wilson_interval(0, 30)
    assert (est.estimate, est.lo, est.hi) == (0.0, float(lo), float(hi)) and est.hi > 0.1
    before = np.array([0, 0, 1, 0, 1, 0, 0, 1, 0, 0.0])
    after = np.array([1, 0, 1, 1, 1, 0, 1, 1, 0, 1.0])
    ch = stats.labels_only_change(before, after)
    assert ch.estimate == pytest.approx(0.4)
    assert (ch.lo, ch.hi) == stats.tango_interval(0, 4, 10)


def test_labels_only_split_labels_use_the_normal_interval() -> None:
    y = np.array([0.5, 1, 0, 1, 1, 0.5])
    assert stats.labels_only_rate(y) == stats.classical_mean(y)
    assert stats.labels_only_change(np.zeros(6), y) == stats.classical_mean(y)


def test_empty_and_mismatched_inputs() -> None:
    assert np.isnan(stats.ppi_mean([], [], [1.0]).estimate)
    assert np.isnan(stats.labels_only_rate([]).lo)
    with pytest.raises(ValueError, match="one prediction per label"):
        stats.ppi_mean([1.0], [1.0, 0.0], [])
    assert stats.ppi_mean([1.0, 0.0], [1.0, 0.0], []).lam == 0.0  # nothing unlabelled
    assert stats.NAN_ESTIMATE.to_json() == {"estimate": None, "ci": [None, None]}
