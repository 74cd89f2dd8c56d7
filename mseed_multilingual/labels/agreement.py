"""Agreement between annotators on the items two or more of them labelled (``--overlap``).

Labels carry noise of their own, which no estimator corrects; agreement says how much. For
each outcome (the three-way refusal label, the binary refusal, the safe label):

- Krippendorff's alpha (nominal) over every annotator, with the ``krippendorff`` package: it
  takes any number of annotators and items labelled by only some of them;
- Cohen's kappa for each pair of annotators on the items both labelled
  (:func:`.core.stats.cohen_kappa`);

each with a 95% percentile bootstrap interval over items (resampled with replacement, one
seeded generator per figure, so a figure does not move when another is added), overall and per
language.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations
from typing import Any

import numpy as np

from mseed_multilingual.core.stats import cohen_kappa, group_rng, percentile_interval
from mseed_multilingual.labels.store import REFUSAL_LABELS, Label, LabelSet

FIELDS = ("refusal", "refused", "safe")
MIN_ITEMS = 2  # fewer items labelled twice: no figure


def _value(label: Label, field: str) -> int | None:
    if field == "refusal":
        return REFUSAL_LABELS.index(label.refusal)
    if field == "refused":
        return label.refused
    return None if label.safe is None else int(label.safe)


def reliability_matrix(labels: list[Label], field: str, annotators: list[str]
                       ) -> np.ndarray:
    """annotators x items (items labelled on ``field`` by at least two), NaN where missing."""
    by_item: dict[tuple, dict[str, int]] = defaultdict(dict)
    for lb in labels:
        v = _value(lb, field)
        if v is not None:
            by_item[lb.key][lb.annotator] = v
    keys = sorted(k for k, got in by_item.items() if len(got) >= 2)
    matrix = np.full((len(annotators), len(keys)), np.nan)
    for j, key in enumerate(keys):
        for name, v in by_item[key].items():
            matrix[annotators.index(name), j] = v
    return matrix


def alpha(matrix: np.ndarray) -> float:
    """Krippendorff's nominal alpha of a reliability matrix; NaN when it is undefined (fewer
    than two items, or a single value throughout: no disagreement is expected)."""
    import krippendorff

    if matrix.shape[1] < MIN_ITEMS:
        return float("nan")
    values = matrix[~np.isnan(matrix)]
    if np.unique(values).size < 2:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def _kappa(a: np.ndarray, b: np.ndarray) -> float:
    return cohen_kappa(a, b) if a.size >= MIN_ITEMS else float("nan")


def _bootstrap(n: int, stat: Any, resamples: int, rng: np.random.Generator
               ) -> tuple[float, float]:
    if n < MIN_ITEMS or resamples == 0:
        return float("nan"), float("nan")
    draws = np.array([stat(rng.integers(0, n, n)) for _ in range(resamples)])
    return percentile_interval(draws)


def figures(labels: list[Label], field: str, resamples: int, seed: int, scope: str
            ) -> dict[str, Any]:
    """Alpha and pairwise kappas (with intervals) of one outcome over ``labels``."""
    names = sorted({lb.annotator for lb in labels})
    matrix = reliability_matrix(labels, field, names)
    n = matrix.shape[1]
    lo, hi = _bootstrap(n, lambda idx: alpha(matrix[:, idx]), resamples,
                        group_rng(seed, f"{scope}/{field}/alpha"))
    pairs = []
    for i, j in combinations(range(len(names)), 2):
        both = ~np.isnan(matrix[i]) & ~np.isnan(matrix[j])
        a, b = matrix[i, both], matrix[j, both]
        if a.size == 0:
            continue
        k_lo, k_hi = _bootstrap(a.size, lambda idx, a=a, b=b: _kappa(a[idx], b[idx]),
                                resamples, group_rng(seed, f"{scope}/{field}/{names[i]}"
                                                           f"/{names[j]}"))
        pairs.append({"a": names[i], "b": names[j], "n": int(a.size),
                      "agreement": float(np.mean(a == b)), "kappa": _kappa(a, b),
                      "kappa_ci": [k_lo, k_hi]})
    return {"n_items": n, "alpha": alpha(matrix), "alpha_ci": [lo, hi], "pairs": pairs}


def agreement(labels: LabelSet, resamples: int, seed: int) -> dict[str, Any]:
    """Every figure, overall and per language, as one JSON-ready object."""
    all_labels = list(labels.labels)
    langs = sorted({lb.lang for lb in all_labels})
    out: dict[str, Any] = {"source": labels.source, "sha256": labels.sha256,
                           "annotators": labels.annotators(), "resamples": resamples,
                           "seed": seed, "overall": {}, "languages": {}}
    for field in FIELDS:
        out["overall"][field] = figures(all_labels, field, resamples, seed, "all")
    for lang in langs:
        subset = [lb for lb in all_labels if lb.lang == lang]
        out["languages"][lang] = {field: figures(subset, field, resamples, seed, lang)
                                  for field in FIELDS}
    return _finite(out)


def _finite(obj: Any) -> Any:
    """NaN (an undefined figure) as None, floats rounded to 4 places: stable JSON."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    if isinstance(obj, float):
        return None if math.isnan(obj) else round(obj, 4)
    return obj


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def report_text(report: dict[str, Any]) -> str:
    """Alpha per outcome and scope, then kappa per pair."""
    lines = [f"annotators: {', '.join(report['annotators'])}; 95% bootstrap intervals over "
             f"items ({report['resamples']} resamples, seed {report['seed']})",
             f"{'scope':<8}{'outcome':<9}{'items':>6}  alpha [95% CI]"]
    scopes = [("all", report["overall"])] + sorted(report["languages"].items())
    for scope, by_field in scopes:
        for field in FIELDS:
            f = by_field[field]
            lo, hi = f["alpha_ci"]
            lines.append(f"{scope:<8}{field:<9}{f['n_items']:>6}  {_num(f['alpha'])} "
                         f"[{_num(lo)}, {_num(hi)}]")
    lines.append("")
    lines.append("Cohen's kappa per pair (all languages):")
    for field in FIELDS:
        for p in report["overall"][field]["pairs"]:
            lo, hi = p["kappa_ci"]
            lines.append(f"  {field:<9}{p['a']} / {p['b']}: n {p['n']}, agreement "
                         f"{_num(p['agreement'])}, kappa {_num(p['kappa'])} "
                         f"[{_num(lo)}, {_num(hi)}]")
    if report["overall"]["refusal"]["n_items"] < MIN_ITEMS:
        lines.append("fewer than 2 items were labelled by two annotators: draw with "
                     "--annotators A B --overlap F")
    return "\n".join(lines)
