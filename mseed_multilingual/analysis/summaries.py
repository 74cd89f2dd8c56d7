"""The summary tables of a transfer analysis besides the changes: rates with Wilson intervals,
cross-language consistency, the transfer matrix, the alignment tax on other lm-eval tasks, and
the verdict counts. (The input, one tidy table of answers, is :mod:`.table`'s.)
"""

from __future__ import annotations

import numpy as np

from mseed_multilingual.analysis.codes import (
    ALL,
    ERROR,
    FIDELITY,
    INVALID,
    OVER_REFUSAL,
    SAFETY,
    Codes,
)
from mseed_multilingual.analysis.table import RunInfo
from mseed_multilingual.core import stats


def rates_table(codes: Codes):
    """Per run x language x dimension (and 'all'): k, n, rate and Wilson 95% interval."""
    import pandas as pd

    nl, nd = len(codes.langs), len(codes.dims)
    frames = []
    measures = [SAFETY, OVER_REFUSAL, FIDELITY]
    if codes.judged.any():
        measures += [INVALID, ERROR]
    for measure in measures:
        values, mask = codes.measure(measure)
        ok = mask & ~np.isnan(values)
        for run_i, run in enumerate(codes.runs):
            sel = ok & (codes.run == run_i)
            group = codes.lang[sel] * (nd + 1) + codes.dim[sel]
            k_dim = np.bincount(group, weights=values[sel], minlength=nl * (nd + 1))
            n_dim = np.bincount(group, minlength=nl * (nd + 1)).astype(float)
            k = k_dim.reshape(nl, nd + 1)
            n = n_dim.reshape(nl, nd + 1)
            k[:, nd], n[:, nd] = k[:, :nd].sum(axis=1), n[:, :nd].sum(axis=1)
            li, di = np.nonzero(n > 0)
            lo, hi = stats.wilson_interval(k[li, di], n[li, di])
            frames.append(pd.DataFrame({
                "run": run, "measure": measure, "lang": np.array(codes.langs)[li],
                "dimension": np.array([*codes.dims, ALL])[di], "k": k[li, di].astype(int),
                "n": n[li, di].astype(int), "rate": k[li, di] / n[li, di], "lo": lo, "hi": hi}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["run", "measure", "lang", "dimension"], kind="stable",
                           ignore_index=True)


def consistency_table(codes: Codes, before: str, after: str, changes):
    """Share of harmful prompts scored the same in every compared language, before and after.

    Only prompts scored in every language of the comparison in both runs count, so the two
    shares are paired (and tested with McNemar like the per-language changes).
    """
    import pandas as pd

    langs = sorted(set(changes.loc[changes["measure"] == SAFETY, "lang"]))
    lang_idx = np.array([codes.langs.index(x) for x in langs], dtype=np.int64)
    per_run = {}
    for run in (before, after):
        rows = codes.rows(run)
        rows = rows[codes.harmful[rows] & ~np.isnan(codes.score[rows])
                    & np.isin(codes.lang[rows], lang_idx)]
        ids, score = codes.id[rows], codes.score[rows]
        count = np.bincount(ids, minlength=codes.n_ids)
        total = np.bincount(ids, weights=score, minlength=codes.n_ids)
        per_run[run] = (count, (total == 0) | (total == count))
    complete = (per_run[before][0] == len(langs)) & (per_run[after][0] == len(langs))
    n = int(complete.sum())
    cons_b = per_run[before][1][complete].astype(np.int64)
    cons_a = per_run[after][1][complete].astype(np.int64)
    rows = []
    for run, values in ((before, cons_b), (after, cons_a)):
        k = int(values.sum())
        lo, hi = stats.wilson_interval(k, n)
        rows.append({"after": after, "run": run, "languages": len(langs), "prompts": n,
                     "consistent": k, "share": k / n if n else np.nan, "lo": float(lo),
                     "hi": float(hi)})
    cells = stats.change_cells(cons_b, cons_a)
    p = float(stats.mcnemar_exact(cells[2], cells[0])) if n else np.nan
    for r in rows:
        r["p_value"] = p
    return pd.DataFrame(rows)


def matrix_table(changes, aligned: dict[str, str]):
    """Transfer matrix (long form): one row per (after run, evaluated language)."""
    c = changes[(changes["measure"] == SAFETY) & (changes["dimension"] == ALL)]
    counts: dict[str, int] = {}
    for lang in aligned.values():
        counts[lang] = counts.get(lang, 0) + 1
    rows = c[["after", "lang", "delta", "p_value", "p_holm", "mark", "transfer_ratio"]].copy()
    rows.insert(1, "aligned_on", rows["after"].map(aligned))
    rows.insert(0, "row", [a if counts[aligned[a]] > 1 else aligned[a] for a in rows["after"]])
    return rows.sort_values(["row", "lang"], kind="stable", ignore_index=True)


def task_language(task: str) -> str | None:
    """The language of an lm-eval task from its name suffix (global_mmlu_de -> de)."""
    from mseed_multilingual.core.languages import languages

    suffix = task.rsplit("_", 1)[-1].lower() if "_" in task else ""
    return suffix if suffix in languages() else None


def tax_table(infos: dict[str, RunInfo], before: str, afters: list[str], changes):
    """Other lm-eval tasks in both runs: capability before/after beside the safety change.

    Only aggregate scores are in the results JSON, so the interval of the difference is the
    unpaired normal one from the two reported standard errors.
    """
    import pandas as pd

    rows = []
    safety = changes[(changes["measure"] == SAFETY) & (changes["dimension"] == ALL)]
    for a in afters:
        b_tasks, a_tasks = infos[before].other_tasks, infos[a].other_tasks
        for task in sorted(set(b_tasks) & set(a_tasks)):
            tb, ta = b_tasks[task], a_tasks[task]
            if tb["metric"] != ta["metric"]:
                continue
            lang = task_language(task)
            se = (np.hypot(tb["stderr"], ta["stderr"])
                  if tb["stderr"] is not None and ta["stderr"] is not None else np.nan)
            delta = ta["value"] - tb["value"]
            s = safety[(safety["after"] == a) & (safety["lang"] == lang)]
            rows.append({"after": a, "task": task, "lang": lang, "metric": tb["metric"],
                         "before": tb["value"], "after_score": ta["value"], "delta": delta,
                         "delta_lo": delta - stats.Z95 * se, "delta_hi": delta + stats.Z95 * se,
                         "safety_delta": float(s["delta"].iloc[0]) if len(s) else np.nan})
    return pd.DataFrame(rows, columns=["after", "task", "lang", "metric", "before",
                                       "after_score", "delta", "delta_lo", "delta_hi",
                                       "safety_delta"])


def verdict_counts(codes: Codes):
    """Answers to harmful prompts per run x language x verdict label (invalid-like labels by
    name, so a new judge label shows up here without code changes)."""
    import pandas as pd

    sel = codes.harmful & codes.judged
    if not sel.any():
        return pd.DataFrame(columns=["run", "lang", "verdict", "n", "share"])
    frame = pd.DataFrame({"run": np.array(codes.runs)[codes.run[sel]],
                          "lang": np.array(codes.langs)[codes.lang[sel]],
                          "verdict": codes.verdict[sel].astype(str)})
    counts = frame.groupby(["run", "lang", "verdict"]).size().rename("n").reset_index()
    totals = counts.groupby(["run", "lang"])["n"].transform("sum")
    counts["share"] = counts["n"] / totals
    return counts.sort_values(["run", "lang", "verdict"], kind="stable", ignore_index=True)
