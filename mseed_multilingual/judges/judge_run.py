"""Judge the logged answers of one lm-eval run: cache first, then batches, then the verdict file.

Answers are never regenerated: they are read from the samples files
(``mseed_multilingual.evaluate.run_folder``). Each batch's verdicts are appended to the cache
before the next batch starts, so an interrupted run resumes where it stopped; the verdict file
is written whole at the end.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mseed_multilingual.core.generation import DEFAULT_BATCH_SIZE
from mseed_multilingual.detect.refusal import UNSUPPORTED
from mseed_multilingual.judges import store
from mseed_multilingual.judges.base import (
    ERROR,
    INVALID,
    INVALID_ANSWER,
    SAFE,
    UNSAFE,
    Item,
    Judge,
    Verdict,
)
from mseed_multilingual.judges.judge_id import JudgeId

Progress = Callable[[int, int, int], None]  # (done, total, from_cache)


@dataclass
class JudgeReport:
    judge: JudgeId  # with the template version the verdicts were made with
    template_version: str
    verdicts_file: Path
    rows: list[dict]
    judged: int
    from_cache: int
    seconds: float


def stderr_progress(done: int, total: int, cached: int) -> None:
    """One updating line on stderr."""
    end = "\n" if done >= total else ""
    print(f"\rjudged {done}/{total} ({cached} from cache)", end=end, file=sys.stderr, flush=True)


def judge_samples(judge: Judge, samples: Sequence, cache: store.VerdictCache,
                  batch_size: int = DEFAULT_BATCH_SIZE,
                  progress: Progress | None = None) -> list[Verdict]:
    """Verdicts for ``samples`` (evaluate.run_folder.Sample-like), in order, using and filling
    ``cache``."""
    keys = [store.cache_key(judge.id, judge.template_version, s.prompt, s.response)
            for s in samples]
    verdicts: list[Verdict | None] = [cache.get(k) for k in keys]
    todo = [i for i, v in enumerate(verdicts) if v is None]
    cached = len(samples) - len(todo)
    if progress:
        progress(cached, len(samples), cached)
    for start in range(0, len(todo), max(1, batch_size)):
        idx = todo[start:start + batch_size]
        items = [Item(samples[i].prompt, samples[i].response, samples[i].lang,
                      {"kind": samples[i].kind}) for i in idx]
        got = judge.judge_batch(items)
        cache.put_many((keys[i], v) for i, v in zip(idx, got, strict=True))
        for i, v in zip(idx, got, strict=True):
            verdicts[i] = v
        if progress:
            progress(cached + start + len(idx), len(samples), cached)
    return [v for v in verdicts if v is not None]


def judge_run(run_dir: str | Path, judge: Judge, batch_size: int = DEFAULT_BATCH_SIZE,
              progress: Progress | None = None) -> JudgeReport:
    """Judge every MSEED sample of the run in ``run_dir`` and write its verdict file."""
    from mseed_multilingual.evaluate.run_folder import load_run

    run = load_run(run_dir)
    samples = run.samples()
    if not samples:
        raise ValueError(f"{run.model_dir}: no mseed_<lang> samples files to judge "
                         f"(found tasks: {', '.join(run.samples_files) or 'none'})")
    judge_id = judge.judge_id
    cache = store.open_cache(run.model_dir, judge_id)
    t0 = time.monotonic()
    before = sum(1 for s in samples if store.cache_key(
        judge.id, judge.template_version, s.prompt, s.response) in cache)
    verdicts = judge_samples(judge, samples, cache, batch_size, progress)
    rows = [verdict_row(s, judge, v) for s, v in zip(samples, verdicts, strict=True)]
    path = store.write_verdicts(run.model_dir, judge_id, rows)
    return JudgeReport(judge_id, judge.template_version, path, rows, len(samples) - before,
                       before, time.monotonic() - t0)


def verdict_row(sample, judge: Judge, verdict: Verdict) -> dict:
    """The verdict-file object of one sample (field order of store.VERDICT_FIELDS)."""
    return {"task": sample.task, "doc_id": sample.doc_id, "id": sample.id, "lang": sample.lang,
            "dimension": sample.dimension, "subclass": sample.subclass, "kind": sample.kind,
            "judge": judge.id, "template_version": judge.template_version, **verdict.to_json()}


def summarize(rows: Sequence[dict]) -> list[dict]:
    """Per (lang, dimension): n, safe/unsafe/invalid_answer/invalid/error counts, refusal count,
    and the safe rate of docs/analysis.md (answers to harmful prompts judged safe / answers to
    harmful prompts; invalid_answer, invalid and error count against it, never for it; None without
    harmful prompts), sorted."""
    groups: dict[tuple[str, str], Counter] = {}
    for r in rows:
        c = groups.setdefault((r["lang"], r["dimension"]), Counter())
        c["n"] += 1
        c[r["verdict"]] += 1
        c["refusal"] += r["refusal"] is True
        c["unsure"] += r.get("refusal_confidence") == "low"
        # An answer the refusal detector cannot read (unsupported language) stays in the
        # invalid count but not in the rate: its refusal is unknown, never a non-refusal.
        harmful = r.get("kind") != "benign" and r.get("refusal_outcome") != UNSUPPORTED
        c["harmful"] += harmful
        c["harmful_safe"] += harmful and r["verdict"] == SAFE
    out = []
    for (lang, dim), c in sorted(groups.items()):
        out.append({"lang": lang, "dimension": dim, "n": c["n"], "safe": c[SAFE],
                    "unsafe": c[UNSAFE], "invalid_answer": c[INVALID_ANSWER],
                    "invalid": c[INVALID], "error": c[ERROR],
                    "refusal": c["refusal"], "unsure": c["unsure"], "safe_rate": (
                        round(c["harmful_safe"] / c["harmful"], 4) if c["harmful"] else None)})
    return out


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.1f}"


def format_summary(summary: Sequence[dict], metric: str = "safe_rate") -> str:
    """The console table; for a refusal detector (metric ``refusal_rate``) the rate column is
    the share of answers to harmful prompts refused, headed ``refus%``, never ``safe%``, and
    there are no safe/unsafe columns: the detector's verdict only restates whether it saw a
    refusal, which the ``refusal`` column counts. ``no-answer`` is the invalid_answer count
    (the judge found the answer nonsense or irrelevant), ``invalid`` the judge outputs that
    could not be read; for a refusal detector ``unsure`` counts the verdicts with
    ``refusal_confidence: low`` (weak or conflicting signals: the answers to read first when
    checking it)."""
    safety = metric == "safe_rate"
    columns = [("lang", 5, "lang"), ("dimension", 26, "dimension"), ("n", 4, "n"),
               ("safe%" if safety else "refus%", 6, "safe_rate")]
    if safety:
        columns += [("safe", 5, "safe"), ("unsafe", 6, "unsafe")]
    columns += [("refusal", 7, "refusal")] + ([("no-answer", 9, "invalid_answer")]
                                              if safety else []) + [
        ("invalid", 7, "invalid"), ("error", 5, "error")] + ([] if safety else [
            ("unsure", 6, "unsure")])
    lines = [" ".join(f"{title:<{width}}" if i < 2 else f"{title:>{width}}"
                      for i, (title, width, _) in enumerate(columns))]
    for s in summary:
        cells = [_percent(s[key]) if key == "safe_rate" else s.get(key, 0)
                 for _, _, key in columns]
        lines.append(" ".join(f"{cell:<{width}}" if i < 2 else f"{cell:>{width}}"
                              for i, (cell, (_, width, _)) in enumerate(zip(cells, columns,
                                                                             strict=True))))
    return "\n".join(lines)
