"""Statistics for paired before/after comparisons of binary outcomes, vectorized over groups.

Everything here works on *counts*, not rows, so a report over a million answers costs a few
group-bys plus one small array per group: a paired bootstrap that resamples prompt ids with
replacement is exactly a multinomial draw over the pair cells (00, 01, 10, 11), so drawing the
cell counts gives the same distribution as looping over ids, at a cost independent of n.

Conventions: 95% intervals, ``delta = after - before``; a prompt's change is -1, 0 or +1, so
one language's pairs reduce to 3 counts (down, same, up), and the joint table of (change in the
language, change in the source language) to 3 x 3 counts, which gives the transfer ratio its
interval (both languages resampled with the same prompt ids).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

STATS_VERSION = "1"
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
    idx = 3 * (np.asarray(change_lang, dtype=np.int64) + 1) + np.asarray(change_src) + 1
    return np.bincount(idx, minlength=9)


def joint_deltas(cells9: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(delta of the language, delta of the source) from joint 3 x 3 counts (last axis)."""
    c = np.asarray(cells9, dtype=float).reshape(*np.shape(cells9)[:-1], 3, 3)
    return delta_from_cells(c.sum(axis=-1)), delta_from_cells(c.sum(axis=-2))


def bootstrap_ratio(cells9: np.ndarray, resamples: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Bootstrap draws of delta(language) / delta(source), both from the same resampled ids.

    A draw whose source change is 0 has no ratio (NaN); :func:`percentile_interval` ignores it.
    """
    draws = bootstrap_cells(cells9, resamples, rng)
    lang, src = joint_deltas(draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(src == 0, np.nan, lang / src)


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


def cohen_kappa(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Cohen's kappa of two raters' labels (agreement beyond chance); NaN if chance is 1."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.size == 0:
        raise ValueError("cohen_kappa needs two non-empty label arrays of the same length")
    labels = np.union1d(a, b)
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == x) * np.mean(b == x) for x in labels))
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)
