"""Linguistic distance and resource tier of a language from the aligned-on language.

Why: multilingual alignment studies find that a gain made in one language protects closely
related languages better than distant ones, and MultiJail finds low-resource languages about
three times less safe. Plotting each language's change against both, with a rank correlation,
says whether this model's transfer follows that pattern.

Distance source: the URIEL typological database as shipped by the ``lang2vec`` wheel on PyPI
(1.1.2; CC BY-SA 4.0 data, read at run time from the installed package, never copied here).
The wheel works offline: it carries URIEL's feature files (typological features, their kNN
estimates, family membership, geography), but not the precomputed distance table nor a
``distance()`` function (those came later, on GitHub only). So the feature files are read
directly (located without importing the module, which needs the deprecated ``pkg_resources``)
and the distances are computed here the way URIEL defines them:

* syntactic distance (the one plotted): cosine distance of the ``syntax_knn`` vectors, the
  103 syntactic features from WALS, SSWL and Ethnologue with URIEL's k-nearest-neighbour
  estimates filling the gaps. The imputed set is used because the raw ``syntax_wals`` vectors
  miss many values for bn, sw and th, and a distance over different feature subsets per
  language pair is not comparable across pairs. Syntax (word order, morphology markers) is
  what cross-lingual transfer studies found most predictive among URIEL's distances.
* genetic distance (in the table): cosine distance of the ``fam`` vectors (membership in
  each Glottolog family node): 0 for the same lineage, 1 for unrelated families.

Resource tier: MultiJail's own lists (Deng et al. 2023, README of
DAMO-NLP-SG/multilingual-safety-for-LLMs): high zh it vi; medium ar ko th; low bn sw jv.
English is MultiJail's source language and is in no tier; languages MultiJail did not study
(de es fr hi ja ru, ...) have no tier here rather than a guessed one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from mseed_multilingual.core.io import read_json

L2V_PACKAGE = "lang2vec"
SYNTAX_FILE, SYNTAX_PREFIX = "feature_predictions.npz", "S_"
FAMILY_FILE = "family_features.npz"
LETTER_CODES = "letter_codes.json"
MULTIJAIL_TIERS = {"zh": "high", "it": "high", "vi": "high", "ar": "medium", "ko": "medium",
                   "th": "medium", "bn": "low", "sw": "low", "jv": "low"}
TIER_ORDER = ("high", "medium", "low")
MIN_LANGUAGES = 3  # a rank correlation (and the distance figure) needs 3+ languages
DISTANCE_DOC = (
    "Distance to the aligned-on language from the URIEL typological database (lang2vec 1.1.2 "
    "on PyPI): syntactic = cosine distance of the 103 syntax_knn features (WALS, SSWL, "
    "Ethnologue with URIEL's kNN estimates for gaps), genetic = cosine distance of the "
    "Glottolog family-membership vectors (0 same lineage, 1 unrelated). Resource tier: "
    "MultiJail's lists (Deng et al. 2023): high zh it vi, medium ar ko th, low bn sw jv; "
    "other languages untiered. The change, not the ratio, is correlated: it exists in every "
    "language.")


def lang2vec_data() -> Path | None:
    """The installed lang2vec wheel's data folder (located, not imported), or None.

    Found through the distribution's metadata, not ``find_spec``: the wheel also installs a
    script ``bin/lang2vec.py``, which shadows the package when Python runs from ``bin/`` (as
    the ``mseed`` entry point does)."""
    from importlib import metadata

    try:
        folder = Path(str(metadata.distribution(L2V_PACKAGE).locate_file(L2V_PACKAGE))) / "data"
    except metadata.PackageNotFoundError:
        return None
    return folder if (folder / SYNTAX_FILE).is_file() else None


@lru_cache(maxsize=1)
def _uriel() -> tuple[dict[str, str], dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(ISO 639-1 -> 639-3 codes, syntax_knn vectors, fam vectors) by ISO 639-3 code."""
    folder = lang2vec_data()
    if folder is None:
        raise LookupError("the URIEL data is not installed: pip install lang2vec==1.1.2")
    letters = read_json(folder / LETTER_CODES, "URIEL letter codes")
    syntax = np.load(folder / SYNTAX_FILE, allow_pickle=False)
    keep = np.char.startswith(syntax["feats"].astype(str), SYNTAX_PREFIX)
    syn = dict(zip(syntax["langs"].astype(str), syntax["data"][:, keep, 0], strict=True))
    family = np.load(folder / FAMILY_FILE, allow_pickle=False)
    fam = dict(zip(family["langs"].astype(str), family["data"][:, :, 0], strict=True))
    return letters, syn, fam


def cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    """1 - cosine similarity; NaN when either vector is missing (URIEL marks those -1)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if (a < 0).any() or (b < 0).any() or not a.any() or not b.any():
        return float("nan")
    return float(1 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def iso3(lang: str) -> str | None:
    letters, _, _ = _uriel()
    return letters.get(lang, lang if len(lang) == 3 else None)


def distances(langs: list[str], to: str) -> dict[str, dict[str, float]]:
    """lang -> {syntactic, genetic} distance to ``to`` (NaN where URIEL lacks a language)."""
    _, syn, fam = _uriel()
    ref = iso3(to)
    out = {}
    for lang in langs:
        code = iso3(lang)
        out[lang] = {
            "syntactic": cosine_distance(syn[code], syn[ref]) if code in syn and ref in syn
            else float("nan"),
            "genetic": cosine_distance(fam[code], fam[ref]) if code in fam and ref in fam
            else float("nan")}
    return out


def tier(lang: str) -> str:
    return MULTIJAIL_TIERS.get(lang, "")


def spearman_interval(x: np.ndarray, y: np.ndarray, resamples: int,
                      rng: np.random.Generator) -> tuple[float, float, float]:
    """Spearman's rho of (x, y) and a percentile bootstrap interval over resampled languages
    (draws where one side is constant have no rho and are left out, as percentile_interval
    does with every non-finite draw). NaN with fewer than MIN_LANGUAGES points."""
    from scipy.stats import spearmanr

    from mseed_multilingual.core.stats import percentile_interval

    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = x.size
    if n < MIN_LANGUAGES or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan"), float("nan")
    rho = float(spearmanr(x, y).statistic)
    if resamples <= 0:
        return rho, float("nan"), float("nan")
    idx = rng.integers(0, n, size=(resamples, n))
    lo, hi = percentile_interval(_rowwise_spearman(x[idx], y[idx]))
    return rho, lo, hi


def _rowwise_spearman(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair (Pearson of average ranks, as scipy computes it);
    NaN for a row where either side is constant."""
    from scipy.stats import rankdata

    rx = rankdata(x, axis=1)
    ry = rankdata(y, axis=1)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=1) / den, np.nan)
