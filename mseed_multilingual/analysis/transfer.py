"""Before/after safety per language and dimension, transfer ratios, consistency, matrix, tax.

The question: alignment raised safety in one language (``aligned_on``, default zh); how much of
that gain shows up in each other language? This module reads the runs, checks they can be
compared, and assembles a :class:`~mseed_multilingual.analysis.result.TransferResult` from the
jobs of its neighbours:

- :mod:`mseed_multilingual.analysis.table`: the runs' answers and verdicts as one tidy table;
- :mod:`mseed_multilingual.analysis.codes`: that table as integer codes, the measures;
- :mod:`mseed_multilingual.analysis.changes`: paired changes, intervals, McNemar and Holm,
  transfer ratios and the rule for showing them;
- :mod:`mseed_multilingual.analysis.summaries`: rates, consistency, matrix, tax, verdicts;
- :mod:`mseed_multilingual.analysis.conditions`: the same by prompt variant and distance;
- :mod:`mseed_multilingual.analysis.result`: the result type, its JSON and signature.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mseed_multilingual.analysis import conditions
from mseed_multilingual.analysis.changes import (
    ALPHA,
    Options,
    apply_ratio_rule,
    compare,
    matrix_holm,
)
from mseed_multilingual.analysis.codes import ALL, ERROR, INVALID, SAFETY_INVALID_SAFE, Codes
from mseed_multilingual.analysis.options import (
    CORRECTIONS,
    DEFAULT_ALIGNED_ON,
    DEFAULT_CORRECTION,
    DEFAULT_INTERVAL,
    INTERVALS,
)
from mseed_multilingual.analysis.result import TransferResult, signature
from mseed_multilingual.analysis.summaries import (
    consistency_table,
    matrix_table,
    rates_table,
    tax_table,
    verdict_counts,
)
from mseed_multilingual.analysis.table import RunInfo
from mseed_multilingual.core import stats
from mseed_multilingual.evaluate.compat import Compatibility
from mseed_multilingual.judges.validity import judge_metric

INVALID_WARN_RATE = 0.10


@dataclass(frozen=True)
class TransferOptions:
    """Everything a transfer analysis lets the user choose besides the run folders: the options
    of ``mseed transfer``, one object for the command, the Python API and the demo.

    ``labels`` names the runs: one per after run, or one for before followed by one per after.
    ``aligned_on`` is one language for all after runs or one per after run (for the matrix).
    ``judge_card`` (``mseed judge-check -o``) qualifies each language's scores; a refusal rate
    gets the lexicon's own card by default (see :func:`attach_judge_validity`).
    ``human_labels`` (a labels folder or CSV) adds prediction-powered estimates
    (:mod:`mseed_multilingual.analysis.ppi`).
    Runs of different base models are refused unless ``allow_different_base``
    (:mod:`mseed_multilingual.evaluate.compat`).
    """

    labels: Sequence[str] | None = None
    aligned_on: str | Sequence[str] = DEFAULT_ALIGNED_ON
    judge: str | None = None
    interval: str = DEFAULT_INTERVAL
    resamples: int = stats.DEFAULT_RESAMPLES
    seed: int = stats.DEFAULT_SEED
    correct: str = DEFAULT_CORRECTION
    allow_mixed: bool = False
    allow_errors: bool = False
    allow_different_base: bool = False
    manifest: str | Path | None = None
    judge_card: str | Path | dict[str, Any] | None = None
    human_labels: str | Path | None = None

    def __post_init__(self) -> None:
        if self.interval not in INTERVALS:
            raise ValueError(f"--interval must be 'score' or 'bootstrap', not {self.interval!r}")
        if self.correct not in CORRECTIONS:
            raise ValueError(f"--correct must be one of {', '.join(CORRECTIONS)}, not "
                             f"{self.correct!r}")
        if self.resamples < 0:
            raise ValueError(f"--resamples must be >= 0, got {self.resamples}")

    @property
    def changes(self) -> Options:
        """How each change is computed (interval method, bootstrap resamples and seed)."""
        return Options(interval=self.interval, resamples=self.resamples, seed=self.seed)


def analyze(before: str | Path, after: Sequence[str | Path] | str | Path,
            options: TransferOptions | None = None) -> TransferResult:
    """Read run folders and compute every table (the Python API of ``mseed transfer``)."""
    from mseed_multilingual.analysis.table import load_runs
    from mseed_multilingual.evaluate.compat import check_runs

    afters = [after] if isinstance(after, (str, Path)) else list(after)
    if not afters:
        raise ValueError("at least one --after run is needed")
    for a in afters:
        if Path(a).resolve() == Path(before).resolve():
            raise ValueError(f"--before and --after are the same run folder ({before}): a run "
                             f"compared with itself has no change to measure")
    opts = options or TransferOptions()
    names = run_labels(len(afters), opts.labels)
    compat = check_runs(before, afters, names, opts.allow_different_base)
    table, infos = load_runs(list(zip(names, [before, *afters], strict=True)), judge=opts.judge,
                             allow_mixed=opts.allow_mixed)
    result = analyze_table(table, infos, names[0], names[1:], opts)
    judge_card = opts.judge_card
    if opts.human_labels is not None:
        from mseed_multilingual.analysis.ppi import attach_ppi

        result, judge_card = attach_ppi(result, table, opts.human_labels, judge_card)
    return record_compatibility(attach_judge_validity(result, judge_card), compat)


def record_compatibility(result: TransferResult, compat: Compatibility) -> TransferResult:
    """The run-compatibility check's warnings (a likely before/after swap) beside the others,
    and an allowed different base in a note and the signature."""
    result.warnings = [*compat.warnings, *result.warnings]
    if compat.different_base:
        result.different_base = True
        result.notes.append("runs of different base models compared (--allow-different-base): "
                            + "; ".join(f"{k}: {v.describe()}" for k, v in compat.bases.items()))
        result.signature += "|base:different"  # appended: --labels may have signed it already
    return result


def attach_judge_validity(result: TransferResult,
                          card: str | Path | dict | None = None) -> TransferResult:
    """The judge card's kappa per language, and the languages whose scores it does not back
    (kappa below judges.validity.KAPPA_FLAG, or unknown): report.md and the console flag them."""
    from mseed_multilingual.judges import validity

    loaded = validity.resolve_card(result.metric, result.judge, card)
    result.judge_card = validity.card_summary(loaded)
    result.judge_flags = validity.flagged_languages(loaded, sorted(
        set(result.rates["lang"].astype(str))))
    return result


def run_labels(n_after: int, labels: Sequence[str] | None) -> list[str]:
    """[before label, after labels...] from what the user gave."""
    if not labels:
        return ["before", *(["after"] if n_after == 1 else
                            [f"after{i + 1}" for i in range(n_after)])]
    if len(labels) == n_after:
        return ["before", *labels]
    if len(labels) == n_after + 1:
        return list(labels)
    raise ValueError(f"got {len(labels)} --label for {n_after} --after run(s): give one per "
                     f"after run, or one for before followed by one per after run")


def aligned_list(aligned_on: str | Sequence[str] | None, n_after: int) -> list[str]:
    if aligned_on is None:
        return [DEFAULT_ALIGNED_ON] * n_after
    if isinstance(aligned_on, str):
        return [aligned_on] * n_after
    if len(aligned_on) == 1:
        return list(aligned_on) * n_after
    if len(aligned_on) != n_after:
        raise ValueError(f"got {len(aligned_on)} --aligned-on for {n_after} --after run(s): "
                         f"give one for all, or one per after run")
    return list(aligned_on)


def analyze_table(table, infos: list[RunInfo], before: str, afters: list[str],
                  options: TransferOptions | None = None) -> TransferResult:
    """Every table from a tidy table (see :mod:`.table`) and the runs' infos (``options``:
    what reading the runs needed, labels, judge, card and human labels, is not used here)."""
    import pandas as pd

    opts = options or TransferOptions()
    aligned = dict(zip(afters, aligned_list(opts.aligned_on, len(afters)), strict=True))
    judges = {i.judge.text for i in infos if i.judge}
    metric = run_metric(infos)
    full_table = table
    codes = Codes(table, metric)
    notes: list[str] = []
    _check_errors(codes, metric, opts.allow_errors, notes)
    for a in afters:
        _check_same_texts(table, codes, before, a, opts.allow_mixed, notes)
    if conditions.has_variants(table):  # the headline tables are the plain prompts'
        table = conditions.plain_rows(table)
        codes = Codes(table, metric)
    _check_aligned_on(codes, before, aligned)
    changes, not_comparable = [], []
    consistency = []
    for a in afters:
        ch, nc = compare(codes, before, a, aligned[a], opts.changes)
        changes.append(ch)
        not_comparable.extend(nc)
        consistency.append(consistency_table(codes, before, a, ch))
    changes_df = pd.concat(changes, ignore_index=True)
    if opts.correct == "matrix":
        matrix_holm(changes_df)
    apply_ratio_rule(changes_df, aligned)
    result = TransferResult(
        metric=metric, judge=", ".join(sorted(j for j in judges if j)) or None, before=before,
        afters=list(afters), aligned_on=aligned, seed=opts.seed, resamples=opts.resamples,
        runs=infos, rates=rates_table(codes),
        changes=changes_df, consistency=pd.concat(consistency, ignore_index=True),
        matrix=matrix_table(changes_df, aligned),
        tax=tax_table({i.label: i for i in infos}, before, afters, changes_df),
        not_comparable=pd.DataFrame(not_comparable, columns=["after", "lang", "reason"]),
        notes=notes, interval=opts.interval, correction=opts.correct,
        verdicts=verdict_counts(codes))
    if conditions.has_variants(full_table):
        result.variants, result.variant_vs_plain, missing = conditions.variant_tables(
            full_table, metric, before, afters, aligned, opts.changes, changes_df, opts.correct)
        if missing:
            result.not_comparable = pd.concat([result.not_comparable, pd.DataFrame(
                missing, columns=["after", "lang", "reason"])], ignore_index=True)
    result.distance, result.distance_correlation, dist_notes = conditions.distance_tables(
        changes_df, aligned, afters, opts.changes)
    notes.extend(dist_notes)
    result.warnings = invalid_warnings(result)
    entries, result.quality_source = manifest_languages(infos, before, opts.manifest)
    result.quality = translation_quality(entries)
    result.warnings += gate_warnings(entries, sorted(set(table["lang"])))
    if metric == "refusal_rate" and any(judge_metric(i.judge) == "safe_rate" for i in infos):
        notes.append("some runs have no safety-judge verdicts: every run is scored by its "
                     "refusal rate")
    result.signature = signature(result)
    return result


def run_metric(infos: list[RunInfo]) -> str:
    """``safe_rate`` when every run was judged by a safety judge, else ``refusal_rate`` (the
    lexicon judge and runs without verdicts measure refusal, not safety)."""
    return "safe_rate" if all(judge_metric(i.judge) == "safe_rate" for i in infos) \
        else "refusal_rate"


def _check_aligned_on(codes: Codes, before: str, aligned: dict[str, str]) -> None:
    """An --aligned-on language no compared run has makes every ratio meaningless: say so."""
    for after, lang in aligned.items():
        missing = [run for run in (before, after)
                   if lang not in codes.langs
                   or not (codes.lang[codes.rows(run)] == codes.langs.index(lang)).any()]
        if missing:
            have = sorted(set(codes.langs))
            raise ValueError(f"--aligned-on {lang}: run(s) {', '.join(map(repr, missing))} have "
                             f"no answers in {lang!r} (languages in the runs: "
                             f"{', '.join(have)}); name the language the alignment was done in")


def _check_errors(codes: Codes, metric: str, allow_errors: bool, notes: list[str]) -> None:
    """Answers the judge failed on have no verdict at all: block until re-judged."""
    if metric != "safe_rate" or not codes.error.any():
        return
    parts = []
    for run in codes.runs:
        rows = codes.rows(run)
        bad = rows[codes.error[rows]]
        if bad.size:
            per_lang = np.bincount(codes.lang[bad], minlength=len(codes.langs))
            langs = ", ".join(f"{codes.langs[i]} {int(k)}" for i, k in enumerate(per_lang) if k)
            parts.append(f"{run}: {int(bad.size)} ({langs})")
    msg = (f"judge verdict 'error' (the judge failed) on {int(codes.error.sum())} answer(s) — "
           f"{'; '.join(parts)}")
    if not allow_errors:
        raise ValueError(msg + ": re-judge them (`mseed judge RUN --judge NAME` retries errors) "
                               "or pass --allow-errors to count them as not safe")
    notes.append(msg + "; counted as not safe (--allow-errors), and as safe in the "
                       f"'{SAFETY_INVALID_SAFE}' bound")


def _check_same_texts(table, codes: Codes, before: str, after: str, allow_mixed: bool,
                      notes: list[str]) -> None:
    """Paired prompts must be the same texts: else the runs used different data sets."""
    if "prompt" not in table:
        return
    rb, ra = codes.rows(before), codes.rows(after)
    _, ib, ia = np.intersect1d(codes.key[rb], codes.key[ra], return_indices=True)
    if ib.size == 0:
        raise ValueError(f"runs {before!r} and {after!r} have no prompt id in common in any "
                         f"language: nothing to compare (were they run on the same data set?)")
    prompts = table["prompt"].to_numpy(object)
    differ = prompts[rb[ib]] != prompts[ra[ia]]
    if not differ.any():
        return
    bad = np.unique(np.array(codes.langs)[codes.lang[rb[ib][differ]]]).tolist()
    example = table["id"].iloc[rb[ib][differ][0]]
    msg = (f"runs {before!r} and {after!r} used different data sets: {int(differ.sum())} "
           f"paired prompt(s) differ in text (languages {', '.join(bad)}; e.g. id {example})")
    if not allow_mixed:
        raise ValueError(msg + "; rerun on the same data or pass --allow-mixed")
    notes.append(msg + " (compared anyway: --allow-mixed)")


def invalid_warnings(result: TransferResult) -> list[str]:
    """Invalid (or error) answers that could move the safety change: rates above 10% in a run,
    or a significant change (McNemar p < 0.05, uncorrected: a warning should err on the side
    of being shown) between runs."""
    out = []
    rates = result.rates
    for measure in (INVALID, ERROR):
        r = rates[(rates["measure"] == measure) & (rates["dimension"] == ALL)
                  & (rates["rate"] > INVALID_WARN_RATE)]
        for row in r.itertuples():
            out.append(f"{measure} answers are {row.rate:.0%} ({row.k}/{row.n}) of run "
                       f"{row.run!r} in {row.lang}: the safety change is only bounded (see "
                       f"'{SAFETY_INVALID_SAFE}')")
        c = result.changes
        c = c[(c["measure"] == measure) & (c["dimension"] == ALL) & (c["p_value"] < ALPHA)]
        for row in c.itertuples():
            out.append(f"{measure} rate changed significantly in {row.lang} ({row.before:.0%} -> "
                       f"{row.after_rate:.0%}, McNemar p = {row.p_value:.3g}, run {row.after!r}):"
                       f" part of the safety change may be the judge's, not the model's")
    return out


def manifest_languages(infos: list[RunInfo], before: str, manifest: str | Path | None
                       ) -> tuple[dict[str, Any], str | None]:
    """The ``languages`` block of the translation manifest of the runs' data (``--manifest``,
    else the one beside the before run's data), and the manifest's file name; empty when
    there is none."""
    from mseed_multilingual.analysis.table import manifest_for
    from mseed_multilingual.core.io import read_json

    path: Path | None = Path(manifest) if manifest else None
    if path is None:
        info = next(i for i in infos if i.label == before)
        path = manifest_for(info.data_source)
    if path is None or not path.is_file():
        return {}, None
    data = read_json(path, "translation manifest")
    entries = data.get("languages") if isinstance(data, dict) else None
    if not isinstance(entries or {}, dict):
        raise ValueError(f"{path}: a translation manifest is a JSON object with an object "
                         f"'languages'")
    return {k: v for k, v in (entries or {}).items() if isinstance(v, dict)}, path.name


def translation_quality(entries: dict[str, Any]) -> dict[str, float]:
    """Round-trip chrF per language from the manifest's languages."""
    out = {}
    for lang, entry in sorted(entries.items()):
        chrf = (entry.get("quality") or {}).get("chrf")
        if isinstance(chrf, (int, float)) and not isinstance(chrf, bool):
            out[lang] = float(chrf)
    return out


def gate_warnings(entries: dict[str, Any], langs: list[str]) -> list[str]:
    """A warning per compared language that the translation quality gate did not pass as
    ``ok``: its figures rest on a translation someone should have looked at (``review``) or
    that was used over the gate's refusal (``failed``, with ``--allow-low-quality``)."""
    from mseed_multilingual.translate.gate import OK

    out = []
    for lang in langs:
        gate = (entries.get(lang) or {}).get("gate")
        if not isinstance(gate, dict) or gate.get("status") in (None, OK):
            continue
        reasons = "; ".join(str(r) for r in gate.get("reasons") or []) or "no reason recorded"
        out.append(f"the {lang} translation is '{gate['status']}' by the translation quality "
                   f"gate ({reasons}): read its items in the set's _review.jsonl before quoting "
                   f"{lang}'s figures")
    return out
