"""One Cohen's kappa (core.stats) for every caller, checked against sklearn and statsmodels;
when chance agreement is 1 (both raters used one same class) it is undefined: NaN, as both
references give it, and null in JSON (judge agreement, judge cards)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from mseed_multilingual.core import stats
from mseed_multilingual.judges.agreement import compare
from mseed_multilingual.judges.validity import kappa_from_table


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("classes", [2, 3, 5])
def test_kappa_of_labels_and_of_a_table_match_sklearn_and_statsmodels(seed, classes):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, classes, 60)
    b = np.where(rng.random(60) < 0.6, a, rng.integers(0, classes, 60))
    k = len(np.union1d(a, b))
    table = np.zeros((k, k))
    np.add.at(table, (np.searchsorted(np.union1d(a, b), a),
                      np.searchsorted(np.union1d(a, b), b)), 1)
    expected = cohen_kappa_score(a, b)
    assert stats.cohen_kappa(a, b) == pytest.approx(expected, abs=1e-12)
    assert stats.cohen_kappa_table(table) == pytest.approx(expected, abs=1e-12)
    assert stats.cohen_kappa_table(table) == pytest.approx(cohens_kappa(table).kappa, abs=1e-12)
    assert kappa_from_table(table.astype(int).tolist()).kappa == pytest.approx(expected,
                                                                               abs=1e-12)


def test_string_labels_as_the_judges_use_them():
    a = ["safe", "safe", "unsafe", "invalid", "safe", "unsafe"]
    b = ["safe", "unsafe", "unsafe", "safe", "safe", "unsafe"]
    assert stats.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_chance_agreement_one_is_undefined_everywhere():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(cohen_kappa_score(["safe"] * 4, ["safe"] * 4))
        assert math.isnan(cohens_kappa(np.array([[4, 0], [0, 0]])).kappa)
    assert math.isnan(stats.cohen_kappa(["safe"] * 4, ["safe"] * 4))
    assert math.isnan(stats.cohen_kappa_table([[4, 0], [0, 0]]))
    assert math.isnan(stats.cohen_kappa_table([[0, 0], [0, 0]]))  # no counts
    assert kappa_from_table([[4, 0], [0, 0]]).kappa is None
    same = {("en", f"h{i}"): "safe" for i in range(4)}
    out = compare(same, dict(same))
    assert out["overall"]["kappa"] is None and out["overall"]["agreement"] == 1.0


def test_perfect_agreement_on_two_classes_is_one():
    assert stats.cohen_kappa([0, 1, 1, 0], [0, 1, 1, 0]) == 1.0
    assert stats.cohen_kappa_table([[10, 0], [0, 5]]) == 1.0


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="same length"):
        stats.cohen_kappa([1, 0], [1])
    with pytest.raises(ValueError, match="square table"):
        stats.cohen_kappa_table([[1, 2, 3], [4, 5, 6]])
