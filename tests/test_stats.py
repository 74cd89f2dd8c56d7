"""The statistics against scipy and hand-worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from mseed_multilingual.core import stats


@pytest.mark.parametrize(("b", "c"), [(0, 0), (0, 1), (3, 0), (5, 5), (7, 2), (2, 7), (12, 30),
                                      (1, 40), (100, 80), (250, 260)])
def test_mcnemar_matches_scipy_binomtest(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else binomtest(min(b, c), b + c, 0.5).pvalue
    assert stats.mcnemar_exact(b, c) == pytest.approx(expected, rel=1e-12, abs=1e-300)


def test_mcnemar_vectorized_equals_scalar() -> None:
    b, c = np.array([0, 4, 9, 30]), np.array([6, 4, 1, 10])
    assert np.allclose(stats.mcnemar_exact(b, c),
                       [stats.mcnemar_exact(x, y) for x, y in zip(b, c, strict=True)])


def test_mcnemar_hand_worked() -> None:
    # b=0, c=6: P(X<=0) = 1/64, two-sided 2/64.
    assert stats.mcnemar_exact(0, 6) == pytest.approx(2 / 64)


def test_wilson_hand_worked_and_edges() -> None:
    # 8 of 10: centre (0.8 + z²/20)/(1 + z²/10), known bounds 0.4902, 0.9433.
    lo, hi = stats.wilson_interval(8, 10)
    assert (float(lo), float(hi)) == pytest.approx((0.49016, 0.94332), abs=1e-5)
    lo, hi = stats.wilson_interval(0, 20)
    assert float(lo) == 0.0 and float(hi) == pytest.approx(0.16113, abs=1e-5)
    lo, hi = stats.wilson_interval(0, 0)
    assert np.isnan(lo) and np.isnan(hi)


def test_wilson_matches_scipy_binomtest_wilson() -> None:
    for k, n in [(1, 7), (13, 40), (99, 100)]:
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        lo, hi = stats.wilson_interval(k, n)
        assert (float(lo), float(hi)) == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_holm_hand_worked() -> None:
    # sorted 0.01, 0.02, 0.03, 0.04 times 4, 3, 2, 1 -> 0.04, 0.06, 0.06 (monotone), 0.06
    got = stats.holm([0.03, 0.01, 0.04, 0.02])
    assert got == pytest.approx([0.06, 0.04, 0.06, 0.06])
    got = stats.holm([0.5, np.nan, 0.9])
    assert got[0] == pytest.approx(1.0) and np.isnan(got[1]) and got[2] == pytest.approx(1.0)
    assert stats.holm([]).size == 0


def test_bootstrap_two_pairs_hand_worked() -> None:
    # Pairs: one 0->1 and one 0->0. Resampling 2 ids: delta is 0 (p 1/4), 0.5 (1/2), 1 (1/4).
    rng = stats.group_rng(1, "x")
    draws = stats.bootstrap_delta(np.array([0, 1, 1]), 40000, rng)
    values, counts = np.unique(draws, return_counts=True)
    assert values.tolist() == [0.0, 0.5, 1.0]
    assert counts / counts.sum() == pytest.approx([0.25, 0.5, 0.25], abs=0.01)


def test_bootstrap_matches_explicit_resampling_of_ids() -> None:
    before = np.array([0] * 30 + [1] * 10 + [0] * 15 + [1] * 45)
    after = np.array([0] * 30 + [0] * 10 + [1] * 15 + [1] * 45)
    cells = stats.change_cells(before, after)
    assert cells.tolist() == [10, 75, 15]
    counts = stats.bootstrap_delta(cells, 20000, stats.group_rng(7, "a"))
    rng = np.random.default_rng(3)
    idx = rng.integers(0, before.size, size=(20000, before.size))
    explicit = (after[idx] - before[idx]).mean(axis=1)
    assert counts.mean() == pytest.approx(0.05, abs=0.003)
    assert counts.std() == pytest.approx(explicit.std(), rel=0.05)
    assert np.quantile(counts, [0.025, 0.975]) == pytest.approx(
        np.quantile(explicit, [0.025, 0.975]), abs=0.011)
    # The analytic standard error of a paired mean difference.
    diff = after - before
    assert counts.std() == pytest.approx(diff.std() / np.sqrt(diff.size), rel=0.05)


def test_bootstrap_is_deterministic_per_group_key() -> None:
    cells = np.array([2, 30, 5])
    a = stats.bootstrap_delta(cells, 100, stats.group_rng(1, "run|en|all"))
    b = stats.bootstrap_delta(cells, 100, stats.group_rng(1, "run|en|all"))
    c = stats.bootstrap_delta(cells, 100, stats.group_rng(1, "run|de|all"))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_joint_ratio_hand_worked() -> None:
    # Per prompt (change in language, change in source): 2 x (+1, +1), 2 x (0, +1), 6 x (0, 0).
    lang = np.array([1, 1, 0, 0] + [0] * 6)
    src = np.array([1, 1, 1, 1] + [0] * 6)
    cells9 = stats.joint_change_cells(lang, src)
    assert cells9.sum() == 10 and cells9[3 * 2 + 2] == 2 and cells9[3 * 1 + 2] == 2
    d_lang, d_src = stats.joint_deltas(cells9)
    assert (float(d_lang), float(d_src)) == pytest.approx((0.2, 0.4))
    # The language changes only where the source changed, so every ratio lies in [0, 1];
    # P(a resample has no source change) = 0.6^10 = 0.6%, under 2.5%: a finite interval, with
    # those draws counted (not dropped).
    lo, hi, crossing = stats.ratio_interval_bootstrap(cells9, 5000, stats.group_rng(1, "r"))
    assert 0 <= lo < 0.5 < hi <= 1
    assert 0 < crossing < 0.025 * 5000


def test_percentile_interval_ignores_nan_and_handles_empty() -> None:
    assert all(np.isnan(stats.percentile_interval(np.array([np.nan, np.nan]))))
    lo, hi = stats.percentile_interval(np.r_[np.arange(101.0), np.nan])
    assert (lo, hi) == pytest.approx((2.5, 97.5))


def test_cohen_kappa_hand_worked() -> None:
    # 2x2: agree 20 (yes/yes) + 15 (no/no) of 50; p_yes 0.5 and 0.6 -> pe = 0.3 + 0.2 = 0.5.
    a = [1] * 25 + [0] * 25
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert stats.cohen_kappa(a, b) == pytest.approx((35 / 50 - 0.5) / 0.5)
    with pytest.raises(ValueError):
        stats.cohen_kappa([1], [1, 0])


def test_wilson_contains_the_estimate_at_the_edges():
    """k = 0 and k = n: the bounds are exactly 0 and 1 (float error once put p = 0 above its
    lower bound, and matplotlib refused the negative error bar)."""
    n = np.arange(1, 400, dtype=float)
    lo0, _ = stats.wilson_interval(np.zeros_like(n), n)
    _, hi1 = stats.wilson_interval(n, n)
    assert (lo0 == 0.0).all() and (hi1 == 1.0).all()
    k = np.arange(0, 51, dtype=float)
    lo, hi = stats.wilson_interval(k, np.full_like(k, 50))
    assert (lo <= k / 50).all() and (k / 50 <= hi).all()


# --------------------------------------------------------------------------- change intervals

# Newcombe (1998), Stat Med 17:2635, Table II, method 10 (Wilson score with the phi
# correction), counts (e, f, g, h) = (both, first only, second only, neither).
NEWCOMBE_TABLE_II = [((36, 12, 2, 0), (0.0569, 0.3404)), ((18, 12, 2, 18), (0.0562, 0.3290)),
                     ((53, 0, 0, 1), (-0.0729, 0.0729)), ((0, 30, 0, 0), (0.8395, 1.0))]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_method_10_matches_published_table(counts, expected) -> None:
    e, f, g, h = counts
    # first = after, second = before: f = prompts up, g = prompts down.
    assert stats.newcombe_interval(e, f, g, h) == pytest.approx(expected, abs=5e-5)


def test_tango_matches_published_example() -> None:
    # Fagerland, Lydersen & Laake (2017), Statistical Analysis of Contingency Tables, ch. 8:
    # complete response before/after consolidation therapy (Cavo et al. 2012),
    # [[59, 6], [16, 80]]: delta = (6 - 16) / 161 = -0.0621, Tango 95% CI -0.1240 to -0.0054.
    lo, hi = stats.tango_interval(down=16, up=6, n=161)
    assert (lo, hi) == pytest.approx((-0.1240, -0.0054), abs=5e-5)
    # Mirror image: swapping up and down negates the interval.
    assert stats.tango_interval(down=6, up=16, n=161) == pytest.approx((-hi, -lo), abs=1e-9)


def test_tango_limits_are_where_the_score_statistic_equals_z() -> None:
    for down, up, n in [(0, 3, 10), (2, 7, 30), (0, 0, 6), (1, 1, 12)]:
        lo, hi = stats.tango_interval(down, up, n)
        assert stats._tango_statistic(lo, up, down, n) == pytest.approx(stats.Z95, abs=1e-6)
        assert stats._tango_statistic(hi, up, down, n) == pytest.approx(-stats.Z95, abs=1e-6)
    # No prompt changed: not the bootstrap's [0, 0], a symmetric interval around 0.
    lo, hi = stats.tango_interval(0, 0, 6)
    assert lo == pytest.approx(-hi) and hi > 0.3
    assert stats.tango_interval(0, 6, 6)[1] == 1.0 and stats.tango_interval(6, 0, 6)[0] == -1.0


# (down, same, up) probabilities: no change, symmetric churn, a small and a large gain, a gain
# with churn, a rare gain.
COVERAGE_PATTERNS = [(0.0, 1.0, 0.0), (0.1, 0.8, 0.1), (0.02, 0.9, 0.08), (0.05, 0.6, 0.35),
                     (0.2, 0.5, 0.3), (0.0, 0.5, 0.5)]
COVERAGE_NS = (6, 12, 24, 50)


def test_change_interval_exact_coverage_at_least_093() -> None:
    """Exact coverage by enumerating every (down, same, up) outcome (docs/analysis.md's table)."""
    table = {(n, p): stats.coverage(n, p) for n in COVERAGE_NS for p in COVERAGE_PATTERNS}
    worst = min(table.values())
    assert worst >= 0.93, {k: round(v, 4) for k, v in table.items() if v < 0.93}
    # Spot values of docs/analysis.md's table (4 decimals).
    assert table[(50, (0.0, 0.5, 0.5))] == pytest.approx(0.9351, abs=1e-4)
    assert table[(6, (0.2, 0.5, 0.3))] == pytest.approx(0.9650, abs=1e-4)


def test_coverage_enumeration_is_exact_on_a_tiny_case() -> None:
    # n = 1, P(up) = 0.5, P(same) = 0.5: outcomes up (interval of (0,0,1)) and same.
    lo_up, hi_up = stats.tango_interval(0, 1, 1)
    lo_same, hi_same = stats.tango_interval(0, 0, 1)
    expected = 0.5 * (lo_up <= 0.5 <= hi_up) + 0.5 * (lo_same <= 0.5 <= hi_same)
    assert stats.coverage(1, (0.0, 0.5, 0.5)) == pytest.approx(expected)


def test_fieller_bounded_unbounded_and_exact_for_known_variances() -> None:
    # den clearly away from 0: bounded, contains num/den.
    lo, hi = stats.fieller_interval(0.3, 0.1, 0.6, 0.1, 0.0)
    assert lo < 0.5 < hi
    # The defining equation holds at both limits.
    for r in (lo, hi):
        lhs = (0.3 - r * 0.6) ** 2
        rhs = stats.Z95**2 * (0.01 + r * r * 0.01)
        assert lhs == pytest.approx(rhs)
    # den within z standard errors of 0: the whole line, never a clipped interval.
    assert stats.fieller_interval(0.3, 0.1, 0.15, 0.1, 0.0) == (-np.inf, np.inf)


def test_change_interval_coverage_over_a_grid_of_true_patterns() -> None:
    """Every (down, same, up) on a 0.05 grid with same >= 0.1 (some prompts unchanged, as in
    every safety table): exact coverage >= 0.93 at n = 6 and 12. Only the corner where every
    prompt changes (same = 0) dips lower (0.912 at n = 6, see docs/analysis.md)."""
    from scipy.stats import multinomial

    for n in (6, 12):
        outcomes = np.array([(d, n - d - u, u) for d in range(n + 1) for u in range(n + 1 - d)])
        lo, hi = np.array([stats.tango_interval(d, u, n) for d, _, u in outcomes]).T
        worst = 1.0
        for p_down in np.arange(0, 0.46, 0.05):
            for p_up in np.arange(0, 0.9001 - p_down, 0.05):
                probs = [p_down, max(0.0, 1 - p_down - p_up), p_up]
                truth = p_up - p_down
                covered = (lo - 1e-12 <= truth) & (truth <= hi + 1e-12)
                worst = min(worst, float(multinomial.pmf(outcomes, n, probs)[covered].sum()))
        assert worst >= 0.93, (n, worst)
