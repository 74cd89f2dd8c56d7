"""lm-eval run folders plus judge verdicts -> one tidy table (one row per answer).

The table is what every statistic is computed from, so it holds only what the analysis needs,
with categorical columns so that a million rows fit in tens of megabytes:

``run, model, lang, id, task, doc_id, dimension, subclass, kind, refused, verdict, safe,
fidelity, length`` (``refused``/``safe``/``fidelity`` are 0/1 floats, NaN when unknown).

Answers come from :mod:`mseed_multilingual.evaluate.run_folder` (never regenerated); verdicts from
:mod:`mseed_multilingual.judges.store`. Per-run facts that are not rows (model, judge, data
source and hash, other lm-eval tasks for the alignment tax) go into :class:`RunInfo`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import json_text, sha256_text
from mseed_multilingual.evaluate.run_folder import DATA_METADATA_KEY, find_key, model_name
from mseed_multilingual.judges.judge_id import REFUSAL_RATE, JudgeId
from mseed_multilingual.translate.gate import ALLOW_METADATA_KEY, truthy

TABLE_COLUMNS = ("run", "model", "lang", "id", "task", "doc_id", "dimension", "subclass", "kind",
                 "refused", "verdict", "safe", "fidelity", "length")
CATEGORICAL = ("run", "model", "lang", "id", "task", "dimension", "subclass", "kind", "verdict",
               "variant", "base_id")
# Beside the table's columns: the prompt text (paired runs must have asked the same texts) and
# the prompt variant with the plain prompt's id it pairs with (see
# mseed_multilingual.data.variants).
EXTRA_COLUMNS = ("prompt", "variant", "base_id")
# Metrics preferred (in this order) when a non-MSEED lm-eval task reports several.
CAPABILITY_METRICS = ("acc", "acc_norm", "exact_match", "f1", "bleu", "chrf")
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class RunInfo:
    """What one labelled run folder is, beside its rows."""

    label: str
    path: str
    model: str
    model_dir: str
    judge: JudgeId | None  # whose verdicts score the run (with their template version)
    judges: tuple[JudgeId, ...]
    data_source: str | None
    data_hash: str
    n_samples: int
    other_tasks: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    dtype: str | None = None  # weights as lm-eval recorded them: bf16 and fp32 answers differ
    low_quality: bool = False  # ran on a language that failed the translation quality gate
    verdicts: Any = field(default=None, compare=False, repr=False)  # the judge's VerdictFile

    def to_json(self) -> dict[str, Any]:
        out = {"label": self.label, "path": self.path, "model": self.model,
               "judge": None if self.judge is None else self.judge.text,
               "judges": [j.text for j in self.judges],
               "data_source": self.data_source, "data_hash": self.data_hash,
               "n_samples": self.n_samples, "dtype": self.dtype}
        return out | ({"low_quality": True} if self.low_quality else {})


SHORT_DTYPES = {"float32": "fp32", "bfloat16": "bf16", "float16": "fp16"}


def model_dtype(results: dict[str, Any]) -> str | None:
    """``fp32``/``bf16``/... from lm-eval's ``config.model_dtype`` (``torch.bfloat16``), else
    from a ``dtype=`` in ``model_args``; None when neither says (API backends)."""
    config = results.get("config", {})
    value = config.get("model_dtype")
    if not value:
        args = config.get("model_args")
        if isinstance(args, str):
            args = dict(p.split("=", 1) for p in args.split(",") if "=" in p)
        value = args.get("dtype") if isinstance(args, dict) else None
    if not value or str(value) == "auto":
        return None
    name = str(value).removeprefix("torch.")
    return SHORT_DTYPES.get(name, name)


def manifest_for(data_source: str | None) -> Path | None:
    """The translation manifest of a run's data (folder or file beside it), if there is one."""
    from mseed_multilingual.core.paths import sample_path

    base = Path(data_source) if data_source else sample_path()
    for candidate in (base / MANIFEST_NAME, base.parent / MANIFEST_NAME):
        if candidate.is_file():
            return candidate
    return None


def data_hash(rows: list[tuple[str, str, str]]) -> str:
    """sha256 prefix over the sorted (lang, id, prompt) of a run: which texts were asked."""
    lines = "".join(f"{lang}\t{pid}\t{prompt}\n" for lang, pid, prompt in sorted(set(rows)))
    return sha256_text(lines)[:16]


def other_task_scores(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Headline score of every non-safety task in a results JSON (for the alignment tax).

    Safety tasks (``mseed_<lang>`` and their groups) are skipped; capability tasks such as the
    package's ``mseedcap_<lang>`` or lm-eval's ``global_mmlu_<lang>`` are kept.
    """
    from mseed_multilingual.evaluate.run_folder import MSEED_TASK_RE

    groups = set(results.get("groups", {})) | set(results.get("group_subtasks", {}))
    out: dict[str, dict[str, Any]] = {}
    for task, values in sorted(results.get("results", {}).items()):
        safety_group = task in groups and task.startswith("mseed") and "cap" not in task
        if MSEED_TASK_RE.match(task) or safety_group or not isinstance(values, dict):
            continue
        picked = _pick_metric(values)
        if picked:
            metric, value, stderr = picked
            n = results.get("n-samples", {}).get(task, {}).get("effective")
            out[task] = {"metric": metric, "value": value, "stderr": stderr, "n": n}
    return out


def _pick_metric(values: dict[str, Any]) -> tuple[str, float, float | None] | None:
    scores = {k: v for k, v in values.items() if "," in k and "_stderr" not in k
              and isinstance(v, (int, float)) and not isinstance(v, bool)}
    if not scores:
        return None
    names = {k.split(",")[0]: k for k in sorted(scores)}
    metric = next((m for m in CAPABILITY_METRICS if m in names), sorted(names)[0])
    key = names[metric]
    name, filt = key.split(",", 1)
    stderr = values.get(f"{name}_stderr,{filt}")
    stderr = float(stderr) if isinstance(stderr, (int, float)) else None
    return metric, float(scores[key]), stderr


def choose_judges(judges_by_run: dict[str, list[JudgeId]], judge: JudgeId | None,
                  allow_mixed: bool) -> dict[str, JudgeId | None]:
    """Which judge's verdicts each run uses (None: no verdicts, use the refusal rate).

    Comparing a run judged by one judge with a run judged by another (or not judged) mixes
    two measuring instruments, so that needs ``allow_mixed``; then runs without verdicts make
    every run fall back to the refusal rate.
    """
    if judge is not None:
        chosen = {}
        for label, judges in judges_by_run.items():
            named = [j for j in judges if j == judge] or [j for j in judges
                                                          if j.matches(judge.text)]
            if not named:
                raise ValueError(f"run {label!r} has no verdicts of judge {judge.text!r} (judged"
                                 f" by: {', '.join(map(str, judges)) or 'none'}); run `mseed "
                                 f"judge` on it")
            chosen[label] = named[0]
        return chosen
    several = {k: v for k, v in judges_by_run.items() if len(v) > 1}
    if several:
        label, judges = next(iter(sorted(several.items())))
        raise ValueError(f"run {label!r} has verdicts of several judges "
                         f"({', '.join(map(str, judges))}): choose one with --judge")
    used = {k: (v[0] if v else None) for k, v in judges_by_run.items()}
    if len(set(used.values())) > 1:
        what = "; ".join(f"{k}: {v or 'no verdicts'}" for k, v in used.items())
        if not allow_mixed:
            raise ValueError(f"runs were judged differently ({what}); judge them with the same "
                             f"judge, choose one with --judge, or pass --allow-mixed")
        if None in used.values():
            return dict.fromkeys(judges_by_run)
    return used


def _verdict_index(verdicts: Any) -> dict[tuple[str, int], dict]:
    """The rows of a run's chosen verdict file (a judges.store.VerdictFile, or None) by
    (task, doc_id)."""
    if verdicts is None:
        return {}
    return {(r["task"], int(r["doc_id"])): r for r in verdicts.rows()}


def _refused(kind: str, metrics: dict[str, float], verdict: dict | None) -> float:
    key = "refusal_rate" if kind == "harmful" else "over_refusal_rate"
    if verdict is not None and verdict.get("refusal") is not None and _by_refusal_judge(verdict):
        return float(bool(verdict["refusal"]))  # re-judged: the detector's current version
    if key in metrics:
        return float(metrics[key])
    if verdict is not None and verdict.get("refusal") is not None:
        return float(bool(verdict["refusal"]))
    return float("nan")


def _by_refusal_judge(verdict: dict) -> bool:
    """Whether the verdict row comes from a refusal detector (its ``refusal`` is then the answer's
    outcome, in preference to the refusal metric lm-eval computed inline when the run was made)."""
    judge = verdict.get("judge")
    return isinstance(judge, str) and bool(judge) and JudgeId.parse(judge).metric == REFUSAL_RATE


def _safe(verdict: dict | None) -> float:
    """1 for a safe verdict, 0 for any other verdict (docs/analysis.md's one safe-rate definition:
    invalid and error answers count as not safe), NaN when the answer has no verdict."""
    if verdict is None:
        return float("nan")
    return 1.0 if verdict["verdict"] == "safe" else 0.0


def run_rows(run: Any, label: str, model: str, verdict_file: Any) -> dict[str, list]:
    """Column lists for one run's MSEED samples, verdicts joined on (task, doc_id)."""
    verdicts = _verdict_index(verdict_file)
    cols: dict[str, list] = {c: [] for c in (*TABLE_COLUMNS, *EXTRA_COLUMNS)}
    for s in run.samples():
        v = verdicts.get((s.task, s.doc_id))
        values = (label, model, s.lang, s.id, s.task, s.doc_id, s.dimension, s.subclass, s.kind,
                  _refused(s.kind, s.metrics, v), v["verdict"] if v else None, _safe(v),
                  s.metrics.get("fidelity", float("nan")),
                  s.metrics.get("answer_length", float(len(s.response.strip()))), s.prompt,
                  s.variant, s.base_id)
        for col, value in zip((*TABLE_COLUMNS, *EXTRA_COLUMNS), values, strict=True):
            cols[col].append(value)
    return cols


def to_frame(columns: dict[str, list]):
    """A tidy table with the analysis dtypes (categoricals, float 0/1 outcomes)."""
    import pandas as pd

    frame = pd.DataFrame(columns)
    for col in CATEGORICAL:
        if col in frame:
            frame[col] = frame[col].astype("category")
    for col in ("refused", "safe", "fidelity", "length"):
        if col in frame:
            frame[col] = frame[col].astype("float64")
    return frame


def load_runs(specs: list[tuple[str, str | Path]], judge: JudgeId | str | None = None,
              allow_mixed: bool = False) -> tuple[Any, list[RunInfo]]:
    """Read labelled run folders into (table, run infos).

    ``specs`` is ``[(label, path), ...]``; labels must be unique. The table keeps a ``prompt``
    column so that the analysis can check that paired runs asked the same texts. ``judge`` as
    given to ``--judge`` is parsed here once; each run's verdict files are read once.
    """
    from mseed_multilingual.evaluate import run_folder as runs_mod
    from mseed_multilingual.judges.store import scan

    labels = [label for label, _ in specs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"run labels must be unique, got {labels}; use --label")
    loaded = {label: runs_mod.load_run(path) for label, path in specs}
    for label, run in loaded.items():
        if not run.mseed_tasks:
            raise ValueError(f"run {label!r} ({run.model_dir}) has no samples_mseed_<lang>_*.jsonl"
                             f" files; evaluate it on the mseed tasks with --log_samples")
    found = {label: scan(run.model_dir) for label, run in loaded.items()}
    judges = choose_judges({k: v.judges() for k, v in found.items()}, JudgeId.of(judge),
                           allow_mixed)
    columns: dict[str, list] = {c: [] for c in (*TABLE_COLUMNS, *EXTRA_COLUMNS)}
    infos = []
    for (label, path), run in zip(specs, loaded.values(), strict=True):
        model = model_name(run.results, run.model_dir)
        verdicts = found[label].get(judges[label]) if judges[label] is not None else None
        cols = run_rows(run, label, model, verdicts)
        for col, values in cols.items():
            columns[col].extend(values)
        source = find_key(run.results, DATA_METADATA_KEY)
        infos.append(RunInfo(
            label=label, path=str(path), model=model, model_dir=str(run.model_dir),
            judge=verdicts.judge if verdicts is not None else None,
            judges=tuple(found[label].judges()), verdicts=verdicts,
            data_source=str(source) if source else None,
            data_hash=data_hash(list(zip(cols["lang"], cols["id"], cols["prompt"],
                                         strict=True))),
            n_samples=len(cols["id"]), other_tasks=other_task_scores(run.results),
            dtype=model_dtype(run.results),
            low_quality=truthy(find_key(run.results, ALLOW_METADATA_KEY))))
    return to_frame(columns), infos


def describe(infos: list[RunInfo]) -> str:
    """One line per run, for logs and the report header."""
    return "\n".join(json_text(i.to_json(), indent=None, newline=False) for i in infos)
