"""Train the learned refusal judge (``--judge refusal-clf``) and measure it by leave-one-source-out.

    python -m benchmarks.train_refusal_clf            # the chosen setting's cross-validated figures
    python -m benchmarks.train_refusal_clf --grid     # every setting of GRID, the best marked
    python -m benchmarks.train_refusal_clf --write    # fit on every source, write the model JSON

The training data are the project's labelled sets other than the blind set (:data:`SOURCES`);
each was written by its own group of writers, so a *source* is one set. Model selection uses
only leave-one-source-out cross-validation over them: a setting is fitted on all sources but
one and predicts that one, for each source in turn, and its figure is the refusal kappa (full or
partial vs none) of each held-out source's predictions, averaged over the sources (each writer
group weighs the same; the pooled and per-language figures are printed beside it). The blind
set (translations/judge-blind/) is never read here.

The model (:mod:`mseed_multilingual.detect.refusal_clf`): character n-grams of the normalised
answer (sublinear tf, unit length; n-grams in at least ``min_df`` training answers), a
multinomial logistic regression (scikit-learn's lbfgs, L2, inverse strength ``C``) over full /
partial / none, all 14 languages in one model. ``--write`` writes its vocabulary, weights
(rounded to :data:`DIGITS` decimals), the setting, the sha256 of every training file set, the
confidence threshold and the cross-validated figures to
``mseed_multilingual/detect/refusal_clf.json``; the same data give the same bytes.

The confidence threshold (``low_confidence_below``): the smallest of :data:`THRESHOLDS` at which
the out-of-fold answers whose refuse-or-comply probability reaches it are right at least
:data:`CONFIDENCE_TARGET` of the time (the issue's precision target); below it a verdict says
``refusal_confidence: low``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("judge-reference", "judge-dev", "judge-train", "judge-train-b")
"""The training sets (translations/<name>/), one writer group each; never the blind set."""
DIGITS = 3
"""Decimals kept of each weight and idf: the probabilities move by < 1e-3 (tested), the file
shrinks by half."""
CONFIDENCE_TARGET = 0.90
THRESHOLDS = tuple(round(0.50 + 0.05 * i, 2) for i in range(10))
MAX_ITER = 5000
SEED = 0
MODEL_VERSION = 1
FEATURES_KEPT = 40000
"""The most frequent n-grams kept (of about 116,000 seen at least twice). Leave-one-source-out
kappa of the chosen setting: all 0.613, 40,000 0.609, 20,000 0.582, 10,000 0.569; 40,000 keeps
the model file near 1.5 MB (all made 5.2 MB)."""


@dataclass(frozen=True)
class Setting:
    """One point of the grid: the features and the regularisation."""

    analyzer: str
    ngram_min: int
    ngram_max: int
    head: int
    C: float
    min_df: int
    max_features: int

    def spec(self):
        from mseed_multilingual.detect.refusal_clf import FeatureSpec

        return FeatureSpec(self.ngram_min, self.ngram_max, self.head, self.analyzer)

    def label(self) -> str:
        return (f"{self.analyzer:<7} n={self.ngram_min}-{self.ngram_max} head={self.head:<3} "
                f"C={self.C:<3g} min_df={self.min_df} max={self.max_features}")


GRID = tuple(Setting(analyzer, lo, hi, head, c, 2, FEATURES_KEPT)
             for analyzer, lo, hi in (("char", 1, 4), ("char_wb", 2, 5))
             for head in (0, 120) for c in (8.0, 32.0))
CHOSEN = Setting("char_wb", 2, 5, 0, 32.0, 2, FEATURES_KEPT)
"""The grid's best by mean held-out-source kappa (``--grid``)."""


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class Source:
    name: str
    examples: list[Any]  # judges.reference.Example, every language, in file order
    sha256: str


def load_sources(names: tuple[str, ...] = SOURCES) -> list[Source]:
    from mseed_multilingual.judges import reference

    out = []
    for name in names:
        labelled = reference.load(ROOT / "translations" / name)
        out.append(Source(name, [e for lang in labelled.langs for e in labelled.examples[lang]],
                          labelled.sha256))
    return out


# --------------------------------------------------------------------------- fitting

class Features:
    """Each answer's n-gram counts for one feature spec, computed once for every fit."""

    def __init__(self, sources: list[Source], spec) -> None:
        from mseed_multilingual.detect.refusal_clf import feature_counts

        self.counts = {s.name: [feature_counts(e.answer, spec) for e in s.examples]
                       for s in sources}


def vocabulary(counts: list, min_df: int, max_features: int) -> tuple[list[str], list[float]]:
    """(the ``max_features`` n-grams found in most answers, at least ``min_df``, ties by text;
    sorted: the JSON's feature order; their idf)."""
    from collections import Counter

    from mseed_multilingual.detect.refusal_clf import inverse_frequencies

    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    frequent = sorted((g for g, n in df.items() if n >= min_df), key=lambda g: (-df[g], g))
    vocab = sorted(frequent[:max_features])
    return vocab, inverse_frequencies([df[g] for g in vocab], len(counts))


def matrix(counts: list, vocab: dict[str, int], idf: list[float]):
    """The answers as a sparse matrix of :func:`refusal_clf.feature_vector` rows."""
    import numpy as np
    from scipy import sparse

    from mseed_multilingual.detect.refusal_clf import feature_vector

    indptr, indices, data = [0], [], []
    for c in counts:
        cols, vals = feature_vector(c, vocab, idf)
        indices += cols
        data += vals
        indptr.append(len(indices))
    return sparse.csr_matrix((np.asarray(data), np.asarray(indices, dtype=np.int64),
                              np.asarray(indptr)), shape=(len(counts), len(vocab)))


def fit(counts: list, labels: list[str], setting: Setting):
    """(sorted vocabulary, its idf, fitted LogisticRegression with classes in CLASSES order)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from mseed_multilingual.detect.refusal_clf import CLASSES

    vocab, idf = vocabulary(counts, setting.min_df, setting.max_features)
    index = {g: i for i, g in enumerate(vocab)}
    y = np.asarray([CLASSES.index(x) for x in labels])
    model = LogisticRegression(C=setting.C, max_iter=MAX_ITER, random_state=SEED)
    model.fit(matrix(counts, index, idf), y)
    assert list(model.classes_) == list(range(len(CLASSES)))  # every class in every fold
    return vocab, idf, model


def probabilities(vocab: list[str], idf: list[float], model, counts: list):
    return model.predict_proba(matrix(counts, {g: i for i, g in enumerate(vocab)}, idf))


def out_of_fold(sources: list[Source], features: Features, setting: Setting):
    """Each source's answers predicted by the model fitted on the other sources: rows in
    sources-then-file order."""
    import numpy as np

    rows = []
    for held in sources:
        train = [s for s in sources if s.name != held.name]
        counts = [c for s in train for c in features.counts[s.name]]
        labels = [e.refusal for s in train for e in s.examples]
        rows.append(probabilities(*fit(counts, labels, setting), features.counts[held.name]))
    return np.vstack(rows)


# --------------------------------------------------------------------------- scoring

def confidence_threshold(examples: list[Any], proba) -> float:
    """The smallest threshold whose confident out-of-fold answers are right at least
    CONFIDENCE_TARGET of the time (see the module docstring); the largest tried otherwise."""
    side = [max(p[2], 1 - p[2]) for p in proba]
    right = [(p[2] < 0.5) == e.refused for e, p in zip(examples, proba, strict=True)]
    for t in THRESHOLDS:
        kept = [r for s, r in zip(side, right, strict=True) if s >= t]
        if kept and sum(kept) / len(kept) >= CONFIDENCE_TARGET:
            return t
    return THRESHOLDS[-1]


def scores(examples: list[Any], proba, threshold: float = 0.0,
           sources: list[Source] | None = None) -> dict[str, Any]:
    """Refusal agreement (judges.validity's blocks) of predictions against labels: per
    language, pooled, per held-out source and the mean of those (the selection criterion: each
    writer group weighs the same), the mean of the per-language kappas; the low-confidence
    count."""
    from mseed_multilingual.detect.refusal_clf import decide
    from mseed_multilingual.judges.validity import REFUSAL_CLASSES, agreement_block

    said = [decide(tuple(float(x) for x in p), threshold) for p in proba]
    by_lang: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_lang.setdefault(e.lang, []).append(i)

    def block(idx: list[int]) -> dict[str, Any]:
        truth = ["refused" if examples[i].refused else "complied" for i in idx]
        pred = ["refused" if said[i].refused else "complied" for i in idx]
        return agreement_block(truth, pred, REFUSAL_CLASSES, positive="refused")

    langs = {lang: block(idx) for lang, idx in sorted(by_lang.items())}
    kappas = [b["kappa"] for b in langs.values() if b["kappa"] is not None]
    held: dict[str, float] = {}
    start = 0
    for s in sources or ():
        held[s.name] = block(list(range(start, start + len(s.examples))))["kappa"]
        start += len(s.examples)
    return {"pooled": block(list(range(len(examples)))), "languages": langs,
            "mean_language_kappa": round(sum(kappas) / len(kappas), 4), "sources": held,
            "mean_source_kappa": round(sum(held.values()) / len(held), 4) if held else None,
            "low_confidence": sum(p.confidence == "low" for p in said)}


def evaluate(sources: list[Source], setting: Setting, features: Features | None = None):
    """(all examples, out-of-fold probabilities, scores) of one setting."""
    features = features or Features(sources, setting.spec())
    examples = [e for s in sources for e in s.examples]
    proba = out_of_fold(sources, features, setting)
    return examples, proba, scores(examples, proba, sources=sources)


# --------------------------------------------------------------------------- the model file

def model_json(sources: list[Source], setting: Setting) -> dict[str, Any]:
    """The JSON the judge reads (see the module docstring)."""
    from mseed_multilingual.core.io import json_safe

    features = Features(sources, setting.spec())
    examples, proba, _ = evaluate(sources, setting, features)
    threshold = confidence_threshold(examples, proba)
    cv = scores(examples, proba, threshold, sources)
    out, _ = fitted_json(sources, setting, features)
    out["low_confidence_below"] = threshold
    out["cv"] = {"method": "leave-one-source-out", "refusal_kappa_pooled": cv["pooled"]["kappa"],
               "refusal_precision_pooled": cv["pooled"]["precision"],
               "mean_language_kappa": cv["mean_language_kappa"],
               "mean_source_kappa": cv["mean_source_kappa"], "source_kappa": cv["sources"],
               "refusal_kappa": {lang: b["kappa"] for lang, b in cv["languages"].items()},
               "low_confidence": cv["low_confidence"], "n": len(examples)}
    return json_safe(out, digits=DIGITS)


def fitted_json(sources: list[Source], setting: Setting, features: Features | None = None):
    """(the model JSON of ``setting`` fitted on every answer of ``sources``, without the
    cross-validated parts; the fitted scikit-learn model): what the tests compare the judge's
    numpy prediction with."""
    from mseed_multilingual.detect.refusal_clf import CLASSES, MODEL_FORMAT

    features = features or Features(sources, setting.spec())
    examples = [e for s in sources for e in s.examples]
    counts = [c for s in sources for c in features.counts[s.name]]
    vocab, idf, model = fit(counts, [e.refusal for e in examples], setting)
    return {
        "format": MODEL_FORMAT, "version": MODEL_VERSION, "classes": list(CLASSES),
        "spec": setting.spec().to_json(), "features": vocab, "idf": idf,
        "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
        "low_confidence_below": THRESHOLDS[0], "langs": sorted({e.lang for e in examples}),
        "training": {"sources": {s.name: {"sha256": s.sha256, "n": len(s.examples)}
                                 for s in sources},
                     "C": setting.C, "min_df": setting.min_df,
                     "max_features": setting.max_features, "solver": "lbfgs",
                     "max_iter": MAX_ITER},
        "cv": None}, model


def write_model(path: Path | None = None, names: tuple[str, ...] = SOURCES) -> Path:
    from mseed_multilingual.core.io import write_json
    from mseed_multilingual.detect.refusal_clf import MODEL_PATH

    return write_json(path or MODEL_PATH, model_json(load_sources(names), CHOSEN), indent=None)


# --------------------------------------------------------------------------- console

def _row(label: str, result: dict[str, Any]) -> str:
    pooled = result["pooled"]
    low = min(b["kappa"] for b in result["languages"].values())
    held = " ".join(f"{k:.3f}" for k in result["sources"].values())
    return (f"{label}  held-out kappa {result['mean_source_kappa']:.3f} ({held})  mean-lang "
            f"{result['mean_language_kappa']:.3f}  pooled {pooled['kappa']:.3f} prec "
            f"{pooled['precision']:.3f}  min-lang {low:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", action="store_true",
                        help="leave-one-source-out figures of every setting of GRID")
    parser.add_argument("--write", action="store_true",
                        help="fit the chosen setting on every source and write the model JSON")
    parser.add_argument("-o", "--output", type=Path,
                        help="with --write: write here instead of the package's model file")
    args = parser.parse_args(argv)
    sources = load_sources()
    print(f"sources: {', '.join(f'{s.name} ({len(s.examples)})' for s in sources)}; "
          f"leave-one-source-out, refusal (full+partial vs none)")
    if args.write:
        path = write_model(args.output)
        print(f"wrote {path} ({path.stat().st_size:,} bytes), setting {CHOSEN.label()}")
        return 0
    if args.grid:
        best: tuple[float, Setting] | None = None
        cache: dict[Any, Features] = {}
        for setting in GRID:
            features = cache.setdefault(setting.spec(), Features(sources, setting.spec()))
            result = evaluate(sources, setting, features)[2]
            print(_row(setting.label(), result), flush=True)
            if best is None or result["mean_source_kappa"] > best[0]:
                best = (result["mean_source_kappa"], setting)
        assert best is not None
        print(f"best: {best[1].label()} (CHOSEN is {CHOSEN.label()})")
        return 0
    examples, proba, _ = evaluate(sources, CHOSEN)
    threshold = confidence_threshold(examples, proba)
    result = scores(examples, proba, threshold, sources)
    print(_row(CHOSEN.label(), result))
    print(f"low confidence below {threshold}: {result['low_confidence']} of {len(examples)}")
    for lang, b in result["languages"].items():
        print(f"  {lang}  n {b['n']:>3}  kappa {b['kappa']:.2f} [{b['kappa_ci'][0]:.2f}, "
              f"{b['kappa_ci'][1]:.2f}]  precision {b['precision']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
