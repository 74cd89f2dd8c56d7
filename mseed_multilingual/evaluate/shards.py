"""Combine the language shards of one evaluation into one run folder (``mseed merge-runs``).

A large sweep is split across machines by language: each machine runs ``mseed run --langs
<its languages> -o runs/<model>-<shard>`` (or ``lm_eval --tasks mseed_xx,...``). Merging writes
one ordinary run folder (what ``lm_eval --log_samples`` writes), so ``mseed judge``,
``mseed transfer`` and ``mseed submit`` read it unchanged:

* the newest samples file of every task is copied (never edited);
* one results file holds the union of the shards' per-task entries, with ``mseed_merged_from``
  listing each shard (path, tasks, model_args, time); group scores are dropped, since each was
  aggregated over one shard's languages only (the note says which);
* verdicts of a judge that judged every shard are combined; the judge caches are combined too,
  so judging the merged run afterwards only judges answers no shard has judged (that part is the
  judges' own: :mod:`mseed_multilingual.judges.shards`, run next by ``mseed merge-runs``).

Shards must be the same evaluation: a merge refuses, with one line naming the first
difference, shards whose model or settings differ (:func:`run_settings`) or that hold the same
task twice. Settings that say where or how fast a shard ran (endpoint URL, concurrency, batch
size, device, local paths) may differ.
"""

from __future__ import annotations

import copy
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mseed_multilingual.core.io import write_json
from mseed_multilingual.evaluate.run_folder import (
    DATA_METADATA_KEY,
    Run,
    find_key,
    load_run,
    model_name,
)
from mseed_multilingual.evaluate.served import METADATA_KEY as SERVED_METADATA_KEY

MERGE_KEY = "mseed_merged_from"
# model_args that say where or how fast a shard ran, not what answered.
WHERE_ARGS = frozenset({
    "base_url", "num_concurrent", "max_retries", "timeout", "verify_certificate",
    "ca_cert_path", "auth_token", "header", "batch_size", "max_batch_size", "device",
    "parallelize", "device_map", "max_memory_per_gpu", "max_cpu_memory", "offload_folder",
    "tensor_parallel_size", "data_parallel_size", "pipeline_parallel_size",
    "gpu_memory_utilization", "swap_space", "enforce_eager"})
CONFIG_SETTINGS = ("model", "limit", "gen_kwargs", "random_seed", "numpy_seed", "torch_seed",
                   "fewshot_seed", "model_dtype", "model_num_parameters", "model_sha",
                   "peft_sha")
TOP_SETTINGS = ("chat_template_sha", "system_instruction_sha", "fewshot_as_multiturn",
                "lm_eval_version", "transformers_version")
# Per-task tables of a results file, merged as a union over the shards.
TASK_TABLES = ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples",
               "task_hashes")


@dataclass
class MergeReport:
    model_dir: Path
    tasks: list[str]
    samples: int
    shard_dirs: list[Path] = field(default_factory=list)  # the shards' model folders, in order
    notes: list[str] = field(default_factory=list)


def _model_args(config: dict[str, Any]) -> dict[str, str]:
    args = config.get("model_args")
    if isinstance(args, str):
        args = dict(p.split("=", 1) for p in args.split(",") if "=" in p)
    return {str(k).strip(): str(v).strip() for k, v in (args or {}).items()}


def _what_not_where(value: str) -> str:
    """A local path's last part (shards live on different disks); other values unchanged."""
    if value.startswith(("/", "./", "../", "~")):
        return Path(value.rstrip("/")).name
    return value


def run_settings(run: Run) -> dict[str, Any]:
    """What must be equal for two runs to be shards of one evaluation, as comparable values."""
    results, config = run.results, run.config
    args = {k: _what_not_where(v) for k, v in sorted(_model_args(config).items())
            if k not in WHERE_ARGS}
    settings: dict[str, Any] = {"model_name": model_name(results, run.model_dir),
                                "model_args": args}
    settings.update({f"config.{k}": config.get(k) for k in CONFIG_SETTINGS})
    settings.update({k: results.get(k) for k in TOP_SETTINGS})
    configs = results.get("configs", {})
    settings["generation_kwargs"] = sorted({json.dumps(configs[t].get("generation_kwargs"),
                                                       sort_keys=True)
                                            for t in run.mseed_tasks if t in configs})
    source = find_key(results, DATA_METADATA_KEY)
    settings["data"] = Path(str(source)).name if source else None
    settings["served_model"] = find_key(results, SERVED_METADATA_KEY)
    return settings


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 120 else text[:117] + "..."


def check_compatible(runs: list[tuple[str, Run]]) -> None:
    """ValueError (one line) on the first setting that differs or a task held twice."""
    first_path, first = runs[0]
    base = run_settings(first)
    owner: dict[str, str] = {}
    for path, run in runs:
        settings = run_settings(run) if run is not first else base
        for key in base:
            if settings[key] != base[key]:
                raise ValueError(f"not shards of one evaluation: {key} differs: {first_path} has "
                                 f"{_show(base[key])}, {path} has {_show(settings[key])}")
        for task in run.samples_files:
            if task in owner:
                raise ValueError(f"{task} is in two shards ({owner[task]} and {path}): "
                                 f"shards must hold disjoint tasks")
            owner[task] = path


def _timestamp(run: Run) -> str:
    from mseed_multilingual.evaluate.run_folder import RESULTS_RE, SAMPLES_RE

    if run.results_file and (m := RESULTS_RE.match(run.results_file.name)):
        return m["ts"]
    return max(m["ts"] for p in run.samples_files.values() if (m := SAMPLES_RE.match(p.name)))


def merged_results(runs: list[tuple[str, Run]], notes: list[str]) -> dict[str, Any]:
    """One results dict: the first shard's, with the per-task tables of all shards."""
    merged = copy.deepcopy(runs[0][1].results)
    groups: set[str] = set()
    for _, run in runs:
        groups |= set(run.results.get("groups", {})) | set(run.results.get("group_subtasks", {}))
    for table in TASK_TABLES:
        union: dict[str, Any] = {}
        for _, run in runs:
            union.update(run.results.get(table) or {})
        merged[table] = {k: union[k] for k in sorted(union) if k not in groups}
    merged["groups"], merged["group_subtasks"] = {}, {}
    if groups:
        notes.append(f"group scores dropped ({', '.join(sorted(groups))}): each covered one "
                     f"shard's languages only; the analysis reads per-language samples")
    times = [float(r.results.get("total_evaluation_time_seconds") or 0) for _, r in runs]
    merged["total_evaluation_time_seconds"] = str(sum(times))
    merged["date"] = max(float(r.results.get("date") or 0) for _, r in runs)
    merged[MERGE_KEY] = [{"path": path, "results_file": r.results_file.name
                          if r.results_file else None, "tasks": sorted(r.samples_files),
                          "model_args": r.config.get("model_args"),
                          "total_evaluation_time_seconds": t}
                         for (path, r), t in zip(runs, times, strict=True)]
    return merged


def merge_runs(paths: list[str | Path], output: str | Path, force: bool = False) -> MergeReport:
    """Write the merged run of ``paths`` (one run folder each) under ``output``."""
    if len(paths) < 2:
        raise ValueError("merge-runs needs at least two shard folders")
    runs = [(str(p), load_run(p)) for p in paths]
    for path, run in runs:
        if not run.results:
            raise ValueError(f"{path}: no results_*.json beside the samples: cannot check that "
                             f"it is a shard of the same evaluation")
    check_compatible(runs)
    notes: list[str] = []
    model_dir = _prepare_output(Path(output), runs[0][1].model_dir.name, force)
    results = merged_results(runs, notes)
    for _, run in runs:
        for src in run.samples_files.values():
            shutil.copyfile(src, model_dir / src.name)
    ts = max(_timestamp(r) for _, r in runs)
    write_json(model_dir / f"results_{ts}.json", results, sort_keys=False, default=str)
    merged = load_run(model_dir)
    return MergeReport(model_dir, sorted(merged.samples_files), len(merged.samples()),
                       [r.model_dir for _, r in runs], notes)


def _prepare_output(output: Path, name: str, force: bool) -> Path:
    """``output/<name>``, empty of run files; an existing run there needs ``force``."""
    if output.exists() and not output.is_dir():
        raise ValueError(f"{output}: exists and is not a folder")
    model_dir = output / name
    held = sorted(p for p in output.rglob("*") if p.is_file()
                  and p.name.startswith(("samples_", "results_"))) if output.exists() else []
    others = sorted({p.parent for p in held if p.parent != model_dir})
    if others:
        raise ValueError(f"{output} holds another run ({others[0]}): choose a new folder")
    if held and not force:
        raise ValueError(f"{output} already holds a run: pass --force to replace its samples, "
                         f"results and verdicts (the judge caches are kept)")
    for p in held:
        p.unlink()
    model_dir.mkdir(parents=True, exist_ok=True)
    return model_dir
