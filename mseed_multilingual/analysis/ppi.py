"""Prediction-powered estimates of the judge's metric, from people's labels of some answers.

``mseed transfer --labels PATH``: the judge scores every answer, people label a random sample of
them (``mseed annotate``, or a CSV), and PPI++ (:func:`core.stats.ppi_mean`) combines the two:
the labels remove the judge's bias, the judge's verdicts on the other answers narrow the
interval. Per language and side (before / after) the rate of the judge's metric; per language
the paired change after - before, as PPI on the per-prompt difference over the prompt ids
labelled on both sides; the transfer ratio from the PPI changes under the suite's rule (only
where the source language's change is a clear gain: positive, Holm p < 0.05). Beside each:
the judge-only figure (what ``mseed transfer`` says without labels) and ``labels_only`` (the
labelled prompts alone), and the effective sample size.

Assumptions (docs/analysis.md): the labelled answers are a random sample of the scored ones
(per language and side), and a change pairs the same prompt ids. Label noise is not corrected:
it is what the annotators' overlap agreement measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mseed_multilingual.core import stats

MIN_LABELLED = 30
"""Fewer labelled prompts in a cell than this: a warning (the normal interval is unreliable)."""
SIDES = ("before", "after")
HARMFUL = "harmful"
ESTIMATORS = ("judge_only", "ppi", "labels_only")
PARTS = ("before", "after", "change")
RATIO_NOTE_SOURCE = "source language"


@dataclass
class PPIResult:
    """Every PPI row of a transfer analysis (one per after run and language) and its inputs."""

    source: str
    sha256: str
    field: str  # the label field the metric reads: refused or safe
    n_labels: int
    annotators: list[str]
    rows: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def row(self, after: str, lang: str) -> dict[str, Any] | None:
        return next((r for r in self.rows if r["after"] == after and r["lang"] == lang), None)

    def row_json(self, after: str, lang: str) -> dict[str, Any]:
        """What ``--json`` adds to a per-language row: ppi, labels_only, judge_only, ..."""
        r = self.row(after, lang)
        if r is None:
            return {}
        out: dict[str, Any] = {}
        for name in ESTIMATORS:
            out[name] = {part: r[name][part].to_json() for part in PARTS}
            if name != "judge_only":  # n_labelled: the prompts labelled on both sides
                out[name]["n_labelled"] = r["n_labelled"]["change"]
        out["n_labelled"] = r["n_labelled"]
        out["n_effective"] = {part: _round(r["ppi"][part].n_effective) for part in PARTS}
        out["lambda"] = {part: _round(r["ppi"][part].lam) for part in PARTS}
        out["ppi_change_p_holm"] = _round(r.get("p_holm"))
        out["ppi_transfer_ratio"] = {"estimate": _finite(r["ratio"]),
                                     "ci": [_finite(r["ratio_lo"]), _finite(r["ratio_hi"])],
                                     "note": r["ratio_note"]}
        return out

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "sha256": self.sha256, "field": self.field,
                "n_labels": self.n_labels, "annotators": self.annotators,
                "min_labelled": MIN_LABELLED}

    def frame(self):
        """The long table (ppi.csv): after, lang, part, estimator, estimate, lo, hi, n..."""
        import pandas as pd

        rows = []
        for r in self.rows:
            for part in PARTS:
                for name in ESTIMATORS:
                    e = r[name][part]
                    rows.append({"after": r["after"], "lang": r["lang"], "part": part,
                                 "estimator": name, "estimate": e.estimate, "lo": e.lo,
                                 "hi": e.hi, "n_labelled": r["n_labelled"][part],
                                 "n_effective": r["ppi"][part].n_effective
                                 if name == "ppi" else np.nan})
        return pd.DataFrame(rows, columns=["after", "lang", "part", "estimator", "estimate",
                                           "lo", "hi", "n_labelled", "n_effective"])


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and np.isfinite(x) else None


def _round(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def label_field(metric: str) -> str:
    """The label a metric is checked against: ``safe`` for a safe rate, else ``refused``."""
    return "safe" if metric == "safe_rate" else "refused"


def predictions(table, run: str, lang: str, score: str) -> dict[str, dict[str, float]]:
    """{kind: {prompt id: judge's 0/1}} of one run in one language (unknown outcomes left out)."""
    sel = table[(table["run"] == run).to_numpy() & (table["lang"] == lang).to_numpy()]
    out: dict[str, dict[str, float]] = {}
    for pid, kind, value in zip(sel["id"].astype(str), sel["kind"].astype(str),
                                sel[score].to_numpy(float), strict=True):
        if np.isfinite(value):
            out.setdefault(kind, {})[pid] = float(value)
    return out


def answered_ids(table, run: str) -> set[tuple[str, str]]:
    """(lang, id) of every answer in a run, whatever its kind or verdict."""
    sel = table[(table["run"] == run).to_numpy()]
    return set(zip(sel["lang"].astype(str), sel["id"].astype(str), strict=True))


def check_labels_in_runs(labelset, table, runs: dict[str, str]) -> None:
    """Every labelled (lang, side, id) must be an answer of that side's run: else the labels
    were made on other answers, and the estimate would be of nothing. One error naming the
    label file and line."""
    answered = {side: answered_ids(table, run) for side, run in runs.items()}
    for label in labelset.labels:
        if label.side not in answered:
            raise ValueError(f"{label.where}: label for side {label.side!r}, but only "
                             f"{' and '.join(answered)} run(s) were given")
        if (label.lang, label.id) not in answered[label.side]:
            raise ValueError(f"{label.where}: labelled id {label.id!r} ({label.lang}, "
                             f"{label.side}) is not an answer of the {label.side} run "
                             f"{runs[label.side]!r}: labels of other answers cannot correct "
                             f"this judge")


def label_values(labelset, fld: str) -> dict[tuple[str, str, str], float]:
    """(lang, side, id) -> the label's value of ``fld`` (mean over annotators), where given."""
    return labelset.values(fld)


def side_estimates(pred: dict[str, float], labels: dict[str, float]
                   ) -> tuple[stats.MeanEstimate, stats.MeanEstimate, stats.MeanEstimate, int]:
    """(judge-only, PPI, labels-only, n labelled) of one rate over the judged prompt ids."""
    ids = sorted(pred)
    f = np.array([pred[i] for i in ids])
    lab = np.array([i in labels for i in ids], dtype=bool)
    y = np.array([labels[i] for i in np.array(ids)[lab]], dtype=float)
    judge = stats.labels_only_rate(f) if f.size else stats.NAN_ESTIMATE  # Wilson on the judge
    return judge, stats.ppi_mean(y, f[lab], f[~lab]), stats.labels_only_rate(y), int(lab.sum())


def change_estimates(pred_b: dict[str, float], pred_a: dict[str, float],
                     lab_b: dict[str, float], lab_a: dict[str, float], judge_change
                     ) -> tuple[stats.MeanEstimate, stats.MeanEstimate, stats.MeanEstimate, int]:
    """The paired change: PPI on the per-prompt difference over the ids judged on both sides,
    labelled where both sides are labelled."""
    ids = sorted(set(pred_b) & set(pred_a))
    d_hat = np.array([pred_a[i] - pred_b[i] for i in ids])
    lab = np.array([i in lab_b and i in lab_a for i in ids], dtype=bool)
    chosen = np.array(ids)[lab]
    yb = np.array([lab_b[i] for i in chosen], dtype=float)
    ya = np.array([lab_a[i] for i in chosen], dtype=float)
    return (judge_change, stats.ppi_mean(ya - yb, d_hat[lab], d_hat[~lab]),
            stats.labels_only_change(yb, ya), int(lab.sum()))


def _judge_change(changes, after: str, lang: str) -> stats.MeanEstimate:
    """The judge-only change as ``mseed transfer`` reports it (its interval method)."""
    c = changes[(changes["after"] == after) & (changes["measure"] == "safety")
                & (changes["dimension"] == "all") & (changes["lang"] == lang)]
    if not len(c):
        return stats.NAN_ESTIMATE
    r = c.iloc[0]
    return stats.MeanEstimate(float(r["delta"]), float(r["delta_lo"]), float(r["delta_hi"]),
                              float("nan"), 0)


def language_row(table, result, after: str, lang: str, values: dict, score: str
                 ) -> dict[str, Any]:
    """Judge-only, PPI and labels-only before, after and change of one language. ``flat``
    names the parts whose PPI interval had no width and was widened (:func:`widen_flat`)."""
    preds = {side: predictions(table, run, lang, score).get(HARMFUL, {})
             for side, run in (("before", result.before), ("after", after))}
    labs = {side: {pid: v for (lg, sd, pid), v in values.items()
                   if lg == lang and sd == side and pid in preds[side]} for side in SIDES}
    row: dict[str, Any] = {"after": after, "lang": lang, "judge_only": {}, "ppi": {},
                           "labels_only": {}, "n_labelled": {}}
    for side in SIDES:
        est = side_estimates(preds[side], labs[side])
        for name, e in zip(ESTIMATORS, est[:3], strict=True):
            row[name][side] = e
        row["n_labelled"][side] = est[3]
    est = change_estimates(preds["before"], preds["after"], labs["before"], labs["after"],
                           _judge_change(result.changes, after, lang))
    for name, e in zip(ESTIMATORS, est[:3], strict=True):
        row[name]["change"] = e
    row["n_labelled"]["change"] = est[3]
    for part, (lo, hi) in zip(PARTS, ((0.0, 1.0), (0.0, 1.0), (-1.0, 1.0)), strict=True):
        e = row["ppi"][part]  # a rate lies in [0, 1], a change in [-1, 1]: clipping loses nothing
        row["ppi"][part] = replace(e, lo=max(e.lo, lo), hi=min(e.hi, hi))
    row["flat"] = widen_flat(row)
    return row


def widen_flat(row: dict[str, Any]) -> list[str]:
    """Where every labelled prompt agrees, PPI's normal interval has no width: a certainty 20
    labels do not give. Such a part gets the labels-only interval (Wilson / Tango) and the
    standard error that interval implies (its width / 2z), so that the Holm test and the
    transfer ratio built on it are no more certain than the interval shown. Returns the parts
    widened."""
    flat = [part for part in PARTS if row["ppi"][part].n and row["ppi"][part].se == 0]
    for part in flat:
        e, lab = row["ppi"][part], row["labels_only"][part]
        if math.isfinite(lab.lo) and math.isfinite(lab.hi):
            lo, hi = min(e.lo, lab.lo), max(e.hi, lab.hi)
            row["ppi"][part] = replace(e, lo=lo, hi=hi, se=(hi - lo) / (2 * stats.Z95))
    return flat


def _by_counts(rows: list[dict[str, Any]]) -> str:
    """'ar, en (20 before, 20 after, 20 on both sides)'-style: languages grouped by counts."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for r in rows:
        groups.setdefault(tuple(r["n_labelled"][p] for p in PARTS), []).append(r["lang"])
    return "; ".join(f"{', '.join(langs)} ({b} before, {a} after, {c} on both sides)"
                     for (b, a, c), langs in groups.items())


def row_warnings(rows: list[dict[str, Any]]) -> list[str]:
    """At most two lines for every language: too few labels, and the widened parts."""
    out = []
    few = [r for r in rows if min(r["n_labelled"].values()) < MIN_LABELLED]
    if few:
        out.append(f"fewer than {MIN_LABELLED} labelled harmful prompts in {_by_counts(few)}: "
                   f"the PPI and labels-only intervals there are unreliable")
    flat = [f"{r['lang']} ({', '.join(r['flat'])})" for r in rows if r["flat"]]
    if flat:
        out.append(f"every labelled prompt agrees in {', '.join(flat)}: PPI's own interval "
                   f"there has no width, so it is widened to the labels-only one (Wilson / "
                   f"Tango); label more answers")
    return out


SOURCE_NOT_CLEAR = "source not a clear gain"


def holm_p(rows: list[dict[str, Any]]) -> None:
    """Each row's ``p_holm``: the two-sided normal test of its PPI change against 0,
    Holm-corrected across the languages, as the judge-only changes are (analysis.changes's
    CLEAR_RULE); NaN where the change has no labels or no spread."""
    from scipy.stats import norm

    p = np.array([2 * norm.sf(abs(c.estimate / c.se)) if np.isfinite(c.estimate) and c.se > 0
                  else (0.0 if np.isfinite(c.estimate) and c.estimate != 0 else np.nan)
                  for c in (r["ppi"]["change"] for r in rows)])
    ok = np.isfinite(p)
    adjusted = np.full(len(p), np.nan)
    adjusted[ok] = stats.holm(p[ok])
    for r, value in zip(rows, adjusted, strict=True):
        r["p_holm"] = float(value)


def add_ratios(rows: list[dict[str, Any]], source: str) -> None:
    """The transfer ratio from the PPI changes, under the suite's one rule (CLEAR_RULE): only
    where the source language's PPI change is a clear gain (positive, Holm p < 0.05). Fieller's
    interval with the two changes taken as uncorrelated (their labelled samples are drawn
    apart; a positive correlation through the shared prompts would narrow it, so this errs
    wide)."""
    from mseed_multilingual.analysis.changes import ALPHA

    holm_p(rows)
    src = next((r for r in rows if r["lang"] == source), None)
    s = src["ppi"]["change"] if src else None
    for r in rows:
        r["ratio"] = r["ratio_lo"] = r["ratio_hi"] = float("nan")
        if not np.isfinite(r["ppi"]["change"].estimate):
            r["ratio_note"] = "no labels on both sides"
        elif s is None or not np.isfinite(s.estimate):
            r["ratio_note"] = "source missing"
        elif s.estimate < 0:
            r["ratio_note"] = "source worse"
        elif not src["p_holm"] < ALPHA or s.estimate == 0:
            r["ratio_note"] = SOURCE_NOT_CLEAR
        elif r["lang"] == source:
            r["ratio"] = r["ratio_lo"] = r["ratio_hi"] = 1.0
            r["ratio_note"] = RATIO_NOTE_SOURCE
        else:
            c = r["ppi"]["change"]
            r["ratio"] = c.estimate / s.estimate
            r["ratio_lo"], r["ratio_hi"] = stats.fieller_interval(c.estimate, c.se, s.estimate,
                                                                  s.se, 0.0)
            r["ratio_note"] = "" if np.isfinite(r["ratio_lo"]) else "unbounded interval"


def ppi_tables(table, result, labelset) -> PPIResult:
    """The PPI rows of a transfer result (one after run) from its tidy table and the labels."""
    from mseed_multilingual.analysis.conditions import plain_rows

    if len(result.afters) != 1:
        raise ValueError(f"--labels needs exactly one --after run (labels say before or after), "
                         f"got {len(result.afters)}")
    after = result.afters[0]
    if not len(labelset):
        raise ValueError(f"{labelset.source}: no labels (nothing to correct the judge with)")
    runs = {"before": result.before, "after": after}
    check_labels_in_runs(labelset, table, runs)
    table = plain_rows(table)
    plain = {side: answered_ids(table, run) for side, run in runs.items()}
    variants = sum((x.lang, x.id) not in plain[x.side] for x in labelset.labels)
    fld = label_field(result.metric)
    score = "safe" if result.metric == "safe_rate" else "refused"
    values = label_values(labelset, fld)
    warnings = [*labelset.warnings]
    if variants:
        warnings.append(f"{variants} label(s) of prompt variants not used: the estimates are "
                        f"of the plain prompts, as the headline table")
    missing = len(labelset.keys()) - len(values)
    if missing:
        warnings.append(f"{missing} labelled answer(s) have no '{fld}' label: not used for the "
                        f"{result.metric}")
    langs = sorted(set(result.language_changes(after)["lang"].astype(str)))
    rows = [language_row(table, result, after, lang, values, score) for lang in langs]
    warnings += row_warnings(rows)
    add_ratios(rows, result.aligned_on[after])
    return PPIResult(source=labelset.source, sha256=labelset.sha256, field=fld,
                     n_labels=len(values), annotators=labelset.annotators(), rows=rows,
                     warnings=warnings)


# --------------------------------------------------------------------------- text

PPI_CAPTION = (
    "{n} answers labelled by people (labels sha256 {sha}), drawn at random from the scored "
    "answers. judge only: the judge verdicts alone (as above; off by the judge error). "
    "PPI++: prediction-powered inference with power tuning (Angelopoulos, Duchi and Zrnic "
    "2023): the judge verdicts on every answer, their bias removed by the labels; valid "
    "whatever the judge error, under random sampling of the labelled answers. labels only: "
    "the labelled prompts alone (Wilson; Tango for a change). A change is PPI on the "
    "per-prompt difference over the prompts labelled on both sides. n eff: how many labels "
    "the labels alone would need for the PPI interval width.")


def display_frame(ppi: PPIResult):
    """One row per language and part, the three estimates as 'x [lo, hi]' side by side."""
    import pandas as pd

    out = []
    for r in ppi.rows:
        for part in PARTS:
            signed = part == "change"
            n_eff = r["ppi"][part].n_effective
            out.append({"lang": r["lang"], "part": part,
                        **{name: _cell(r[name][part], signed).strip() for name in ESTIMATORS},
                        "n_labelled": r["n_labelled"][part],
                        "n_eff": "-" if n_eff is None else f"{n_eff:.0f}"})
    return pd.DataFrame(out)

def _cell(e: stats.MeanEstimate, signed: bool = False) -> str:
    if not np.isfinite(e.estimate):
        return f"{'-':>22}"
    fmt = "+.3f" if signed else ".3f"
    return f"{e.estimate:{fmt}} [{e.lo:{fmt}}, {e.hi:{fmt}}]".rjust(22)


def ppi_text(ppi: PPIResult) -> str:
    """The console / report table: per language and part, judge-only, PPI and labels-only."""
    lines = [f"human labels: {ppi.n_labels} answers labelled ({ppi.field}), annotator(s) "
             f"{', '.join(ppi.annotators)}; {ppi.source} sha256 {ppi.sha256[:12]}",
             f"{'lang':<5} {'part':<7} {'judge only':>22} {'PPI++':>22} {'labels only':>22} "
             f"{'n lab':>5} {'n eff':>6}"]
    for r in ppi.rows:
        for part in PARTS:
            signed = part == "change"
            n_eff = r["ppi"][part].n_effective
            lines.append(f"{r['lang']:<5} {part:<7} {_cell(r['judge_only'][part], signed)} "
                         f"{_cell(r['ppi'][part], signed)} {_cell(r['labels_only'][part], signed)}"
                         f" {r['n_labelled'][part]:>5} "
                         f"{'-' if n_eff is None else f'{n_eff:.0f}':>6}")
    lines.append("")
    lines.append("transfer ratio from the PPI changes (95% CI): " + "; ".join(
        f"{r['lang']} {r['ratio']:.2f} [{r['ratio_lo']:.2f}, {r['ratio_hi']:.2f}]"
        if np.isfinite(r["ratio"]) else f"{r['lang']} - ({r['ratio_note']})"
        for r in ppi.rows if r["ratio_note"] != RATIO_NOTE_SOURCE))
    lines.append("n eff: labels the labels-only estimate would need for the PPI interval's "
                 "width (what the judge's verdicts are worth)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- the in-domain card

def card_pairs(table, runs: dict[str, str], labelset) -> list:
    """Each person's label beside the judge's outcome on the same answer (the table's refused
    column and verdict), for :func:`judges.labels_check.labels_card`."""
    from mseed_multilingual.judges.labels_check import Pair

    index = {}
    for side, run in runs.items():
        sel = table[(table["run"] == run).to_numpy()]
        verdicts = sel["verdict"].astype(object).where(sel["verdict"].notna(), None) \
            if "verdict" in sel else [None] * len(sel)
        for lang, pid, refused, verdict in zip(sel["lang"].astype(str), sel["id"].astype(str),
                                               sel["refused"].to_numpy(float), verdicts,
                                               strict=True):
            index[(lang, side, pid)] = (None if not np.isfinite(refused) else refused, verdict)
    out = []
    for label in labelset.labels:
        judge_refused, verdict = index.get(label.key, (None, None))
        out.append(Pair(label.lang, label.side, label.refused, label.safe, judge_refused,
                        verdict))
    return out


def template_version(infos, judge: str | None) -> str:
    """The judge's template version, as read from the verdict file of a run it judged."""
    for info in infos:
        if judge and info.judge is not None and info.judge.text == judge:
            return info.judge.template_version or "unknown"
    return "samples"  # no verdicts: the refusal detector's metric written at run time


def in_domain_card(table, infos, runs: dict[str, str], labelset, judge: str | None,
                   metric: str) -> dict[str, Any]:
    """The judge card measured on the labelled answers of these runs."""
    from mseed_multilingual.judges.labels_check import labels_card

    pairs = card_pairs(table, runs, labelset)
    return labels_card(judge or "lexicon", template_version(infos, judge), metric, pairs,
                       labelset.sha256, labelset.source)


def attach_ppi(result, table, labels_path: str | Path, judge_card=None):
    """PPI rows and their warnings on a transfer result; returns (result, the judge card that
    qualifies its scores): the one given with --judge-card, else the in-domain card measured
    on the labels (it describes the judge on these answers, the reference card does not)."""
    from mseed_multilingual.labels.store import read_labels

    labelset = read_labels(labels_path)
    result.ppi = ppi_tables(table, result, labelset)
    if judge_card is None:
        runs = {"before": result.before, "after": result.afters[0]}
        judge_card = in_domain_card(table, result.runs, runs, labelset, result.judge,
                                    result.metric)
    result.warnings += [f"labels: {w}" for w in result.ppi.warnings]
    result.signature += f"|labels:{result.ppi.sha256[:12]}"
    return result, judge_card
