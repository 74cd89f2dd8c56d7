"""Statistics for paired before/after comparisons of binary outcomes, vectorized over groups.

Everything here works on *counts*, not rows, so a report over a million answers costs a few
group-bys plus one small array per group: a paired bootstrap that resamples prompt ids with
replacement is exactly a multinomial draw over the pair cells (00, 01, 10, 11), so drawing the
cell counts gives the same distribution as looping over ids, at a cost independent of n.

Conventions: 95% intervals, ``delta = after - before``; a prompt's change is -1, 0 or +1, so
one language's pairs reduce to 3 counts (down, same, up), and the joint table of (change in the
language, change in the source language) to 3 x 3 counts, which gives the transfer ratio its
interval (both languages on the same prompt ids).

The default interval of a change is Tango's score interval, which needs only (down, same, up)
and keeps its coverage at the small n of per-language safety tables (``coverage`` computes it
exactly); the bootstrap stays available. Ratio intervals may be unbounded and say so (+-inf).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

STATS_VERSION = "2"
DEFAULT_SEED = 20250607
DEFAULT_RESAMPLES = 2000
CONFIDENCE = 0.95
Z95 = 1.959963984540054


def wilson_interval(successes: np.ndarray | float, n: np.ndarray | float,
                    z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval; unlike the normal interval it stays inside [0, 1] at 0 and n.

    ``n == 0`` gives NaN bounds (no information), never a division warning.
    """
    k = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
        lo, hi = np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)
    # At k = 0 (k = n) the bound is exactly 0 (1); in floating point centre - half can come out
    # a hair above 0, which would put the estimate outside its own interval.
    lo, hi = np.where(k <= 0, 0.0, lo), np.where(k >= n, 1.0, hi)
    empty = n <= 0
    return np.where(empty, np.nan, lo), np.where(empty, np.nan, hi)


def mcnemar_exact(b: np.ndarray | int, c: np.ndarray | int) -> np.ndarray:
    """Two-sided exact McNemar p-value from the discordant counts b (0->1) and c (1->0).

    Under H0 the discordant pairs split Binomial(b + c, 1/2); the two-sided p-value of that
    symmetric test is ``min(1, 2 * P(X <= min(b, c)))`` (equal to scipy's binomtest). No
    discordant pair means no evidence of change: p = 1.
    """
    from scipy.stats import binom

    b = np.asarray(b, dtype=np.int64)
    c = np.asarray(c, dtype=np.int64)
    n = b + c
    p = np.minimum(1.0, 2.0 * binom.cdf(np.minimum(b, c), n, 0.5))
    return np.where(n == 0, 1.0, p)


def holm(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error control); NaNs stay NaN, untested."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    vals = p[ok]
    m = vals.size
    if m == 0:
        return out
    order = np.argsort(vals, kind="stable")
    adjusted = np.maximum.accumulate((m - np.arange(m)) * vals[order])
    res = np.empty(m)
    res[order] = np.minimum(adjusted, 1.0)
    out[ok] = res
    return out


def group_rng(seed: int, key: str) -> np.random.Generator:
    """A generator for one group, derived from the seed and the group's name.

    Seeding per group (not one stream for all) keeps a group's interval unchanged when other
    runs or languages are added to the report.
    """
    return np.random.default_rng([int(seed), zlib.crc32(key.encode("utf-8"))])


def change_cells(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Counts of the per-prompt change after - before in (-1, 0, +1) for paired 0/1 arrays.

    These three counts are all a paired binary comparison needs: ``up`` and ``down`` are the
    discordant pairs of McNemar's test, and delta = (up - down) / n.
    """
    diff = np.asarray(after, dtype=np.int64) - np.asarray(before, dtype=np.int64)
    return np.bincount(diff + 1, minlength=3)


def delta_from_cells(cells: np.ndarray) -> np.ndarray:
    """after - before from change counts (last axis: down, same, up)."""
    cells = np.asarray(cells, dtype=float)
    n = cells.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (cells[..., 2] - cells[..., 0]) / n


def bootstrap_cells(cells: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` paired-bootstrap draws of the cell counts (shape resamples x cells).

    Resampling n prompt ids with replacement and counting their cells is a multinomial draw
    with the observed cell shares, so this is the paired bootstrap without touching rows.
    """
    cells = np.asarray(cells, dtype=np.int64)
    n = int(cells.sum())
    if n == 0:
        return np.zeros((resamples, cells.size), dtype=np.int64)
    return rng.multinomial(n, cells / n, size=resamples)


def bootstrap_delta(cells: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap draws of after - before for one group's change counts (down, same, up)."""
    return delta_from_cells(bootstrap_cells(cells, resamples, rng))


def joint_change_cells(change_lang: np.ndarray, change_src: np.ndarray) -> np.ndarray:
    """3 x 3 counts (flattened) of (change in the language, change in the source) per prompt.

    Built on the prompt ids present in both languages, so that resampling ids moves both
    changes together: the interval of their ratio then reflects their correlation.
    """
    idx = (3 * (np.asarray(change_lang, dtype=np.int64) + 1)
           + np.asarray(change_src, dtype=np.int64) + 1)
    return np.bincount(idx, minlength=9)


def joint_deltas(cells9: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(delta of the language, delta of the source) from joint 3 x 3 counts (last axis)."""
    c = np.asarray(cells9, dtype=float).reshape(*np.shape(cells9)[:-1], 3, 3)
    return delta_from_cells(c.sum(axis=-1)), delta_from_cells(c.sum(axis=-2))


def percentile_interval(draws: np.ndarray, confidence: float = CONFIDENCE
                        ) -> tuple[float, float]:
    """Percentile bootstrap interval over the finite draws; NaN when there are none."""
    finite = np.asarray(draws, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return float("nan"), float("nan")
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return float(lo), float(hi)


# Chance agreement this close to 1 is 1: kappa's denominator is then rounding noise.
KAPPA_CHANCE_TOL = 1e-12


def cohen_kappa_table(table: Sequence[Sequence[float]] | np.ndarray) -> float:
    """Cohen's kappa of a square count table (rows one rater's classes, columns the other's).

    NaN when chance agreement is 1, i.e. both raters used one same class only: agreement beyond
    chance is then 0/0, undefined, as sklearn's ``cohen_kappa_score`` and statsmodels'
    ``cohens_kappa`` give it. Not 1.0 (a judge that calls every answer safe on answers that are
    all safe has shown nothing about telling them apart), and not an error (one language's
    sample may be like that). NaN also for a table without counts. In JSON NaN is null.
    """
    p = np.asarray(table, dtype=float)
    if p.ndim != 2 or p.shape[0] != p.shape[1]:
        raise ValueError(f"cohen_kappa_table needs a square table, got shape {p.shape}")
    n = p.sum()
    if n == 0:
        return float("nan")
    p = p / n
    observed = float(np.trace(p))
    expected = float(p.sum(axis=1) @ p.sum(axis=0))
    if expected >= 1.0 - KAPPA_CHANCE_TOL:
        return float("nan")
    return (observed - expected) / (1.0 - expected)


def cohen_kappa(a: Sequence[Any] | np.ndarray, b: Sequence[Any] | np.ndarray) -> float:
    """Cohen's kappa of two raters' labels (any comparable labels: ints, strings); NaN when
    chance agreement is 1 (see :func:`cohen_kappa_table`)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("cohen_kappa needs two non-empty label arrays of the same length")
    labels, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    k = len(labels)
    table = np.bincount(codes[:a.size] * k + codes[a.size:], minlength=k * k).reshape(k, k)
    return cohen_kappa_table(table)


# --------------------------------------------------------------------------- paired differences

CHANGE_INTERVALS = ("score", "newcombe", "bootstrap")
DEFAULT_CHANGE_INTERVAL = "score"
_ROOT_TOL = 1e-10


def _tango_statistic(delta: float, up: float, down: float, n: float) -> float:
    """Tango's score statistic for H0: p(up) - p(down) = delta (Tango 1998, eq. 3).

    The nuisance parameter is the restricted maximum-likelihood estimate of p(down) under H0;
    the statistic only needs the discordant counts and n, which is why the change interval
    can be computed from the (down, same, up) cells alone.
    """
    a = 2 * n
    b = -up - down + (2 * n - up + down) * delta
    c = -down * delta * (1 - delta)
    q_down = (np.sqrt(max(b * b - 4 * a * c, 0.0)) - b) / (2 * a)
    var = n * (2 * q_down + delta * (1 - delta))
    num = up - down - n * delta
    if var <= 0:
        return 0.0 if num == 0 else float(np.sign(num)) * np.inf
    return float(num / np.sqrt(var))


def tango_interval(down: int, up: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Tango's (1998) asymptotic score interval for after - before of paired 0/1 outcomes.

    The set of deltas that the score test does not reject at level z; unlike the Wald or the
    bootstrap interval it has non-zero width when no prompt changed (0 of n changed is still
    compatible with small changes), and its coverage stays near nominal at small n (see the
    enumeration table in docs/analysis.md). ``n == 0`` gives NaN bounds.
    """
    from scipy.optimize import brentq

    if n <= 0:
        return float("nan"), float("nan")
    est = (up - down) / n
    lo_edge, hi_edge = -1 + _ROOT_TOL, 1 - _ROOT_TOL

    def lower(d: float) -> float:
        return _tango_statistic(d, up, down, n) - z

    def upper(d: float) -> float:
        return _tango_statistic(d, up, down, n) + z

    lo = -1.0 if est <= -1 or lower(lo_edge) <= 0 else brentq(lower, lo_edge, est,
                                                               xtol=_ROOT_TOL)
    hi = 1.0 if est >= 1 or upper(hi_edge) >= 0 else brentq(upper, est, hi_edge,
                                                            xtol=_ROOT_TOL)
    return float(lo), float(hi)


def newcombe_interval(both: int, up: int, down: int, neither: int,
                      z: float = Z95) -> tuple[float, float]:
    """Newcombe's (1998) method 10 for after - before: Wilson limits of the two marginal rates
    combined with the phi correlation correction. Needs the concordant split (both, neither),
    which the change cells do not keep, so it is offered for reference beside Tango's."""
    n = both + up + down + neither
    if n <= 0:
        return float("nan"), float("nan")
    p1, p2 = (both + up) / n, (both + down) / n
    l1, u1 = (float(x) for x in wilson_interval(both + up, n, z))
    l2, u2 = (float(x) for x in wilson_interval(both + down, n, z))
    margins = (both + up) * (down + neither) * (both + down) * (up + neither)
    b = both * neither - up * down
    c = b - n / 2 if b > n / 2 else (b if b < 0 else 0.0)
    phi = c / np.sqrt(margins) if margins > 0 else 0.0
    d_lo = np.sqrt(max((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2, 0))
    d_hi = np.sqrt(max((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2, 0))
    return float(p1 - p2 - d_lo), float(p1 - p2 + d_hi)


def change_interval(cells: np.ndarray, z: float = Z95) -> tuple[float, float]:
    """The default 95% interval of a change from its (down, same, up) counts (Tango)."""
    down, _same, up = (int(x) for x in np.asarray(cells))
    return tango_interval(down, up, int(np.asarray(cells).sum()), z)


def coverage(n: int, probs: Sequence[float], interval=change_interval) -> float:
    """Exact coverage of a change interval at n pairs when (down, same, up) ~ Multinomial(n, probs).

    Enumerates every outcome (a few thousand at n = 50), so the number is exact, not simulated.
    """
    from scipy.stats import multinomial

    p_down, p_same, p_up = probs
    truth = p_up - p_down
    outcomes = np.array([(d, n - d - u, u) for d in range(n + 1) for u in range(n + 1 - d)])
    prob = multinomial.pmf(outcomes, n, [p_down, p_same, p_up])
    total = 0.0
    for cells, pr in zip(outcomes, prob, strict=True):
        if pr > 0:
            lo, hi = interval(cells)
            total += pr if lo - 1e-12 <= truth <= hi + 1e-12 else 0.0
    return float(total)


# --------------------------------------------------------------------------- transfer ratio

def fieller_interval(num: float, num_se: float, den: float, den_se: float, corr: float,
                     z: float = Z95) -> tuple[float, float]:
    """Fieller's interval for num / den given standard errors and their correlation.

    The set of ratios R with (num - R den)^2 <= z^2 var(num - R den). When den is not clearly
    away from zero (den^2 < z^2 var(den)) the set is unbounded: (-inf, inf) is returned, never
    a clipped finite interval.
    """
    v_n, v_d = num_se * num_se, den_se * den_se
    cov = corr * num_se * den_se
    a = den * den - z * z * v_d
    b = -2 * (num * den - z * z * cov)
    c = num * num - z * z * v_n
    disc = b * b - 4 * a * c
    if a <= 0 or disc < 0:
        return float("-inf"), float("inf")
    root = np.sqrt(disc)
    return float((-b - root) / (2 * a)), float((-b + root) / (2 * a))


def ratio_interval_score(cells9: np.ndarray, z: float = Z95) -> tuple[float, float]:
    """Fieller interval of delta(language) / delta(source) on the same prompt ids.

    Standard errors are recovered from each change's score interval (half its width / z, as in
    the MOVER approach) so that a language in which no prompt changed still has an uncertain
    change; their correlation is that of the per-prompt changes (0 when either is constant).
    """
    c = np.asarray(cells9, dtype=float).reshape(3, 3)
    lang_cells, src_cells = c.sum(axis=1), c.sum(axis=0)
    n = c.sum()
    if n == 0:
        return float("nan"), float("nan")
    d_lang, d_src = (float(x) for x in joint_deltas(np.asarray(cells9)))
    se = []
    for cells in (lang_cells, src_cells):
        lo, hi = change_interval(cells, z)
        se.append((hi - lo) / (2 * z))
    values = np.array([-1.0, 0.0, 1.0])
    e_ll = float((lang_cells * values**2).sum() / n) - d_lang**2
    e_ss = float((src_cells * values**2).sum() / n) - d_src**2
    e_ls = float((c * np.outer(values, values)).sum() / n) - d_lang * d_src
    corr = e_ls / np.sqrt(e_ll * e_ss) if e_ll > 0 and e_ss > 0 else 0.0
    return fieller_interval(d_lang, se[0], d_src, se[1], float(np.clip(corr, -1, 1)), z)


def ratio_interval_bootstrap(cells9: np.ndarray, resamples: int, rng: np.random.Generator,
                             confidence: float = CONFIDENCE) -> tuple[float, float, int]:
    """Percentile bootstrap interval of the ratio, with the count of draws whose source change
    was <= 0 (those are kept: as +-inf by the sign of the language's change).

    When more than (1 - confidence) / 2 of the source draws are <= 0 the source change is not
    clearly positive in the resampling either, and the interval is unbounded (-inf, inf).
    """
    draws = bootstrap_cells(cells9, resamples, rng)
    lang, src = joint_deltas(draws)
    crossing = src <= 0
    n_cross = int(crossing.sum())
    alpha = (1 - confidence) / 2
    if resamples <= 0:
        return float("nan"), float("nan"), 0
    if n_cross > alpha * resamples:
        return float("-inf"), float("inf"), n_cross
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(crossing, np.where(lang > 0, np.inf, -np.inf), lang / src)
    lo, hi = np.quantile(ratio, [alpha, 1 - alpha], method="inverted_cdf")
    return float(lo), float(hi), n_cross


# --------------------------------------------------------------------------- prediction-powered

@dataclass(frozen=True)
class MeanEstimate:
    """A mean with its 95% interval: from labels alone, or prediction-powered (PPI++).

    ``n`` values were labelled by people, ``n_unlabelled`` only by the judge; ``lam`` is the
    weight PPI++ gave the judge (0: the labels alone; 1: plain PPI). ``n_effective`` is the
    number of labels the classical estimate would need for this standard error: what the
    judge's predictions are worth in labels (``n_effective - n`` is what they add).
    """

    estimate: float
    lo: float
    hi: float
    se: float
    n: int
    n_unlabelled: int = 0
    lam: float = 0.0
    n_effective: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"estimate": _finite(self.estimate), "ci": [_finite(self.lo), _finite(self.hi)]}


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


NAN_ESTIMATE = MeanEstimate(float("nan"), float("nan"), float("nan"), float("nan"), 0)


def ppi_lambda(y: np.ndarray, yhat: np.ndarray, yhat_unlabelled: np.ndarray) -> float:
    """PPI++'s power-tuning weight for a mean (Angelopoulos, Duchi and Zrnic 2023, eq. 6):
    cov(Y, Yhat) / ((1 + n/N) var(Yhat)), clipped to [0, 1], as ``ppi_py`` computes it (the
    covariance over the labelled pairs, the variance over all predictions).

    It minimises the estimator's variance, so a useless judge gets a weight near 0 and the
    estimate falls back to the labels. A judge that predicts one value everywhere, or no
    unlabelled answer, carries no information: 0 (where ``ppi_py`` divides by zero).
    """
    n, big_n = y.size, yhat_unlabelled.size
    both = np.concatenate([yhat, yhat_unlabelled])
    if n < 2 or big_n == 0 or np.ptp(both) == 0:
        return 0.0
    cov = float(np.mean((y - y.mean()) * (yhat - yhat.mean())))
    var = float(np.var(both, ddof=1))
    return float(np.clip(cov / ((1 + n / big_n) * var), 0.0, 1.0))


def ppi_mean(y: Sequence[float] | np.ndarray, yhat: Sequence[float] | np.ndarray,
             yhat_unlabelled: Sequence[float] | np.ndarray, lam: float | None = None,
             z: float = Z95) -> MeanEstimate:
    """The prediction-powered (PPI++) estimate of a mean and its 95% interval.

    ``y`` are people's labels and ``yhat`` the judge's predictions on the same answers, drawn
    at random from all answers; ``yhat_unlabelled`` the judge's predictions on the others.
    estimate = lam mean(yhat_unlabelled) + mean(y - lam yhat): unbiased whatever the judge's
    error, since the labelled term removes the bias of the judge's mean; its variance is
    lam^2 var(yhat_unlabelled)/N + var(y - lam yhat)/n, normal interval. ``lam`` None tunes
    the weight (:func:`ppi_lambda`). Checked against ``ppi_py.ppi_mean_ci`` and
    ``ppi_mean_pointestimate`` in tests/test_ppi.py.
    """
    y, yhat = np.asarray(y, dtype=float), np.asarray(yhat, dtype=float)
    unl = np.asarray(yhat_unlabelled, dtype=float)
    if y.shape != yhat.shape:
        raise ValueError("ppi_mean needs one prediction per label")
    n, big_n = y.size, unl.size
    if n == 0:
        return NAN_ESTIMATE
    if lam is None:
        lam = ppi_lambda(y, yhat, unl)
    if big_n == 0:
        lam = 0.0
    imputed = lam * unl.mean() if big_n else 0.0
    estimate = float(imputed + np.mean(y - lam * yhat))
    var = (lam * lam * np.var(unl) / big_n if big_n else 0.0) + np.var(y - lam * yhat) / n
    se = float(np.sqrt(var))
    var_y = float(np.var(y))
    n_eff = var_y / var if var > 0 else None
    return MeanEstimate(estimate, estimate - z * se, estimate + z * se, se, n, big_n,
                        float(lam), n_eff)


def classical_mean(y: Sequence[float] | np.ndarray, z: float = Z95) -> MeanEstimate:
    """The labels alone: mean and normal (CLT) interval, as ``ppi_py.classical_mean_ci``."""
    return ppi_mean(y, np.zeros(len(y)), np.zeros(0), lam=0.0, z=z)


def _integral(values: np.ndarray) -> bool:
    return bool(np.all((values == 0) | (values == 1)))


def labels_only_rate(y: Sequence[float] | np.ndarray, z: float = Z95) -> MeanEstimate:
    """A rate from the labelled answers alone, with the suite's interval for a rate (Wilson),
    which keeps its coverage at 0 or n of n; the normal interval when annotators split (a
    label that is a share, not 0/1)."""
    y = np.asarray(y, dtype=float)
    if y.size == 0:
        return NAN_ESTIMATE
    if not _integral(y):
        return classical_mean(y, z)
    k = float(y.sum())
    lo, hi = wilson_interval(k, y.size, z)
    return MeanEstimate(k / y.size, float(lo), float(hi), float(np.std(y) / np.sqrt(y.size)),
                        y.size)


def labels_only_change(before: Sequence[float] | np.ndarray, after: Sequence[float] | np.ndarray,
                       z: float = Z95) -> MeanEstimate:
    """after - before on prompts labelled on both sides, alone: Tango's score interval (the
    suite's interval of a change); the normal interval of the differences for split labels."""
    b, a = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if b.size == 0:
        return NAN_ESTIMATE
    if not (_integral(b) and _integral(a)):
        return classical_mean(a - b, z)
    cells = change_cells(b, a)
    lo, hi = change_interval(cells, z)
    diff = a - b
    return MeanEstimate(float(diff.mean()), lo, hi, float(np.std(diff) / np.sqrt(diff.size)),
                        int(diff.size))
