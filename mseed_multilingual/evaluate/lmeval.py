"""`mseed run`: lm-eval's Python API with the task folder included, writing what the CLI writes.

The output folder is the same as ``lm_eval --output_path OUT --log_samples`` gives (results and
samples per task under ``OUT/<model>/``), so every later stage reads both alike. Differences
from the bare CLI, each for a reason:

* the data is validated before the model loads (a bad path fails in a second, not after
  the model has loaded);
* languages a translation set provides beyond the checked-in tasks get generated tasks;
* model answers are cached in ``OUT/.lm_cache/<model fingerprint>/`` (lm-eval's ``use_cache``),
  so an interrupted run resumes without generating again, and a changed model or adapter never
  reuses another model's answers;
* with an API backend (``base_url=`` in the model args), the server is asked which model it
  serves before anything runs (see :mod:`.served`): the endpoint and that identity go into the
  fingerprint and the results file.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import sys
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from mseed_multilingual.core.paths import tasks_path
from mseed_multilingual.evaluate.model_ref import ModelRef, check_local_paths, parse_model_args
from mseed_multilingual.evaluate.served import CHAT_BACKENDS, ServedModel, served_model
from mseed_multilingual.evaluate.served import METADATA_KEY as SERVED_METADATA_KEY
from mseed_multilingual.evaluate.task_hooks import load_docs
from mseed_multilingual.translate.gate import ALLOW_METADATA_KEY

log = logging.getLogger(__name__)

DEFAULT_SEED = 1234
CACHE_DIR = ".lm_cache"
GENERATED_TASKS = ".tasks"
VERDICTS_DIR = "verdicts"  # judges.store.VERDICTS_DIR (a higher layer): verdicts beside samples
MIN_HARMFUL = 5  # fewer harmful prompts per language than this get a power warning
VARIANT_METADATA_KEY = "mseed_variant"


@dataclass
class RunConfig:
    model: str
    model_args: str
    langs: list[str]
    output: Path
    data: str | None = None
    limit: int | float | None = None
    system_instruction: str | None = None
    batch_size: int | str = 1
    max_gen_toks: int | None = None
    apply_chat_template: bool = True
    device: str = "cpu"
    extra_tasks: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    seed: int = DEFAULT_SEED
    use_cache: bool = True
    variants: list[str] = field(default_factory=list)  # prompt variants beside plain
    allow_low_quality: bool = False  # use languages that failed the translation gate


HF_BACKENDS = ("hf", "hf-auto", "huggingface")  # lm-eval names of its transformers model


def with_precision(model: str, model_args: str, device: str) -> str:
    """``model_args`` plus an explicit ``dtype=`` for lm-eval's transformers model.

    fp32 unless ``$MSEED_PRECISION`` says otherwise (``auto``: bf16 where the CPU computes it
    natively, about 2x faster there; see precision.resolve_batched for why fp32 is the
    default: padded batches in bf16 flip greedy answers). An explicit ``dtype=`` is kept.
    Being in ``model_args``, the choice lands in results.json, the answer-cache fingerprint
    and the report signature.
    """
    if model not in HF_BACKENDS or "dtype" in parse_model_args(model_args):
        return model_args
    from mseed_multilingual.core.precision import resolve_batched

    dtype = resolve_batched(device).dtype_name
    return f"{model_args},dtype={dtype}" if model_args.strip() else f"dtype={dtype}"


def _generator():
    """The checked-in task generator (tasks/mseed/generate.py), imported from its file."""
    path = tasks_path() / "mseed" / "generate.py"
    spec = importlib.util.spec_from_file_location("mseed_task_generator", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def include_paths(langs: list[str], output: Path) -> list[str]:
    """The task folders to include: the checked-in one, plus generated tasks for languages it
    lacks (a translation set may provide any language the suite knows)."""
    gen = _generator()
    have = set(gen.read_language_list(tasks_path() / "mseed" / "languages.txt"))
    missing = [lang for lang in langs if lang not in have]
    paths = [str(tasks_path())]
    if missing:
        extra = output / GENERATED_TASKS
        gen.main(["--langs", ",".join(missing), "-o", str(extra)])
        paths.append(str(extra))
    return paths


def model_fingerprint(model: str, model_args: str, served: str | None = None) -> str:
    """A short hash of what decides the answers beyond the request itself: the backend, its
    arguments, the content of any local file or folder they name (a GGUF file, a LoRA
    adapter), and for a served model the endpoint and the identity its server reports
    (``served``, from :meth:`.served.ServedModel.signature`). lm-eval keys its answer cache on
    the request only, so answers cached for one model would otherwise be served for another
    model run into the same output folder."""
    import hashlib

    from mseed_multilingual.core.io import update_digest_path

    digest = hashlib.sha256(f"{model}\0{model_args}".encode())
    if served:
        digest.update(f"\0served\0{served}".encode())
    for value in parse_model_args(model_args).values():
        if Path(value).exists():
            update_digest_path(digest, value)
    return digest.hexdigest()[:12]


def check_backend(cfg: RunConfig) -> ServedModel | None:
    """Fail fast on a backend that cannot run these tasks; for a served model, which one."""
    if cfg.model in CHAT_BACKENDS and not cfg.apply_chat_template:
        raise ValueError(f"--model {cfg.model} sends chat messages: drop --no-chat-template "
                         f"(the server applies the model's chat template)")
    extra_ll = [t for t in cfg.extra_tasks if t.startswith("mseedcap_")]
    if cfg.model in CHAT_BACKENDS and extra_ll:
        raise ValueError(f"--model {cfg.model} cannot score multiple-choice tasks "
                         f"({', '.join(extra_ll)}): chat APIs return no prompt log-likelihoods; "
                         f"run them with local-completions, vllm or hf")
    return served_model(cfg.model, parse_model_args(cfg.model_args))


def run(cfg: RunConfig) -> dict[str, Any]:
    """Validate the data, run lm-eval, save results and samples; return the results dict.

    Everything that can be wrong with the request (data, languages, model folders) is checked
    before lm-eval is imported; a run that fails leaves no folder it made; a rerun into a used
    run folder replaces the earlier run's files once its own are written.
    """
    docs = {lang: load_docs(lang, cfg.data, cfg.variants or None, cfg.allow_low_quality)
            for lang in cfg.langs}
    cfg.model_args = check_local_paths(cfg.model_args)
    for lang, lang_docs in docs.items():
        log.info("mseed_%s: %d documents", lang, len(lang_docs))
        warn_low_power(lang, lang_docs, cfg.limit)
    served = check_backend(cfg)
    cfg.model_args = with_precision(cfg.model, cfg.model_args, cfg.device)
    folder = ModelRef.parse(cfg.model_args).folder_name()
    old = previous_run(cfg.output / folder if folder else None)
    log.info("model_args: %s", cfg.model_args)
    created = not cfg.output.exists()
    try:
        results = _evaluate(cfg, served, folder)
    except BaseException:
        if created:
            remove_empty_output(cfg.output)
        raise
    replace_previous(old)
    return results


def _evaluate(cfg: RunConfig, served: ServedModel | None, folder: str | None) -> dict[str, Any]:
    from lm_eval import simple_evaluate
    from lm_eval.loggers import EvaluationTracker

    from mseed_multilingual.core import gguf_cache
    from mseed_multilingual.core.models import ignore_peft_probe_warning, quiet_loading

    gguf_cache.install()  # lm-eval's hf model loads through transformers: one parse per process
    ignore_peft_probe_warning()  # a peft= adapter run's FutureWarning from inside peft
    cfg.output.mkdir(parents=True, exist_ok=True)
    metadata = parse_model_args(cfg.model_args) | cfg.metadata
    if cfg.data:
        metadata["mseed_data"] = str(Path(cfg.data).resolve())
    if served:
        metadata[SERVED_METADATA_KEY] = served.label
    if cfg.allow_low_quality:  # recorded in the results file: the run used a failed language
        metadata[ALLOW_METADATA_KEY] = True
    if cfg.variants:  # recorded in the results file's task configs, and in every sample
        metadata[VARIANT_METADATA_KEY] = "+".join(cfg.variants)
    tasks = [f"mseed_{lang}" for lang in cfg.langs] + cfg.extra_tasks
    manager = task_manager(include_paths(cfg.langs, cfg.output), tasks, metadata)
    tracker = EvaluationTracker(output_path=str(cfg.output))
    gen_kwargs = {"max_gen_toks": cfg.max_gen_toks} if cfg.max_gen_toks else None
    with quiet_git(), quiet_loading(), quiet_gen_kwargs_warning(), quiet_setup_bars():
        results = simple_evaluate(
            model=cfg.model, model_args=cfg.model_args,
            tasks=tasks,
            batch_size=cfg.batch_size, device=cfg.device,
            limit=document_limit(cfg.limit, cfg.variants),
            use_cache=str(cfg.output / CACHE_DIR / model_fingerprint(
                cfg.model, cfg.model_args, served.signature() if served else None)
                / "answers") if cfg.use_cache else None,
            log_samples=True, evaluation_tracker=tracker, task_manager=manager,
            system_instruction=cfg.system_instruction,
            apply_chat_template=cfg.apply_chat_template, gen_kwargs=gen_kwargs,
            random_seed=cfg.seed, numpy_random_seed=cfg.seed, torch_random_seed=cfg.seed,
            fewshot_random_seed=cfg.seed)
    if results is None:  # non-zero ranks in distributed runs
        return {}
    if folder:  # lm-eval names it after the first path in model_args, absolute paths included
        tracker.general_config_tracker.model_name_sanitized = folder
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task_name in results["configs"]:
        tracker.save_results_samples(task_name=task_name, samples=samples[task_name])
    return results


def task_manager(paths: list[str], tasks: list[str], metadata: dict[str, Any]):
    """lm-eval's TaskManager over the project's task folders. lm-eval's own ~15,000 tasks are
    indexed (about 6 s of CPU per run) only when a requested task is not one of ours: an
    lm-eval task named with ``mseed run --tasks``."""
    from lm_eval.tasks import TaskManager

    ours = TaskManager(include_path=paths, include_defaults=False, metadata=metadata)
    if all(task in ours.all_tasks for task in tasks):
        return ours
    return TaskManager(include_path=paths, metadata=metadata)


def document_limit(limit: int | float | None, variants: list[str]) -> int | float | None:
    """``--limit N`` counts prompts; lm-eval's limit counts documents, and each prompt is
    followed by its variants (see :func:`.task_hooks.load_docs`), so N prompts are
    N x (1 + variants) documents. A share (below 1) is a share of either."""
    if isinstance(limit, int) and not isinstance(limit, bool):
        return limit * (1 + len(variants))
    return limit


def warn_low_power(lang: str, docs: list[dict[str, Any]], limit: int | float | None) -> None:
    """Warn when a language will be asked fewer than MIN_HARMFUL harmful prompts: a paired
    change on so few cannot be significant, and a refusal rate of 0/2 says almost nothing."""
    plain = [d for d in docs if d.get("variant", "plain") == "plain"]
    if isinstance(limit, int) and not isinstance(limit, bool):
        plain = plain[:limit]
    elif isinstance(limit, float):
        plain = plain[:math.ceil(len(plain) * limit)]
    harmful = sum(d["kind"] == "harmful" for d in plain)
    if harmful < MIN_HARMFUL:
        why = f" within --limit {limit}" if limit is not None else ""
        log.warning("mseed_%s: only %d harmful prompt(s)%s (of %d asked): too few for a refusal "
                    "rate or a before/after change to mean anything; %d or more are needed",
                    lang, harmful, why, len(plain), MIN_HARMFUL)


def previous_run(model_dir: Path | None) -> list[Path]:
    """The files of an earlier run in the run folder this run writes: its results and samples
    (lm-eval stamps each file, so a rerun would add a second set beside the first) and the
    verdicts judged on them (keyed by doc_id, they would be joined to the new answers)."""
    if model_dir is None or not model_dir.is_dir():
        return []
    from mseed_multilingual.evaluate.run_folder import RESULTS_RE, SAMPLES_RE

    files = [p for p in model_dir.iterdir()
             if p.is_file() and (RESULTS_RE.match(p.name) or SAMPLES_RE.match(p.name))]
    files += list((model_dir / VERDICTS_DIR).glob("*.jsonl"))
    return sorted(files)


def replace_previous(old: list[Path]) -> None:
    """Remove the earlier run's files once the new ones are written (a failed rerun keeps
    them), and say so: the folder then holds one result set."""
    for path in old:
        path.unlink(missing_ok=True)
    if old:
        judged = any(p.parent.name == VERDICTS_DIR for p in old)
        print(f"replaced the previous run's {len(old)} file(s)"
              + (" (its verdicts too: judge again; the judge cache answers at once)"
                 if judged else ""), file=sys.stderr)


def remove_empty_output(output: Path) -> None:
    """After a failed run into a folder this run created: remove the generated task YAMLs and
    every folder left empty, so no empty run folder is left behind (cached answers stay)."""
    import shutil

    shutil.rmtree(output / GENERATED_TASKS, ignore_errors=True)
    for db in (output / CACHE_DIR).rglob("*.db"):
        if not cached_answers(db):
            db.unlink()
    for folder in sorted((p for p in output.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if output.is_dir() and not any(output.iterdir()):
        output.rmdir()


def cached_answers(db: Path) -> int:
    """How many answers an lm-eval cache file holds (a SqliteDict; -1 when unreadable, so
    that a file this cannot read is kept)."""
    import sqlite3

    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE "
                                                "type='table'")]
            return sum(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables)
    except sqlite3.Error:
        return -1


@contextmanager
def quiet_gen_kwargs_warning():
    """``mseed run --max-gen-toks N`` reaches lm-eval as ``gen_kwargs``, and lm-eval then warns
    "generation_kwargs ... specified through cli ... Ensure 'do_sample=True' for non-greedy
    decoding!" on every run. Here it says nothing: the only key we pass caps the answer length,
    and our tasks are greedy by design (their YAML sets ``do_sample: false``). Dropped during
    our own call only, so an ``lm_eval --gen_kwargs`` user still sees it."""
    logger = logging.getLogger("lm_eval.evaluator")

    def keep(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("generation_kwargs: {'max_gen_toks'")

    logger.addFilter(keep)
    try:
        yield
    finally:
        logger.removeFilter(keep)


SETUP_BAR_MODULES = ("lm_eval.api.task", "lm_eval.api.model")
"""lm-eval modules whose bars time steps that take well under a second (building each task's
contexts, "Checking cached requests", "Tokenizing inputs"): ten bars a run that say nothing."""


@contextmanager
def quiet_setup_bars():
    """lm-eval's bars for its set-up steps switched off during our own call. The bars of the
    steps that take time ("Running generate_until requests", a served model's requests) live
    in the model modules and stay, so a long run still shows its progress."""
    import importlib

    def silenced(bar):  # a caller's own disable= (lm-eval passes one) must not switch it back on
        return lambda *args, **kwargs: bar(*args, **{**kwargs, "disable": True})

    saved = {}
    for name in SETUP_BAR_MODULES:
        module = importlib.import_module(name)
        saved[module] = module.tqdm
        module.tqdm = silenced(module.tqdm)
    try:
        yield
    finally:
        for module, bar in saved.items():
            module.tqdm = bar


@contextmanager
def quiet_git():
    """lm-eval records the git commit of the working directory with ``git describe`` and lets
    git's stderr through: outside a checkout every run printed ``fatal: not a git repository``.
    The same lookup, with git's stderr captured (lm-eval's fallback when git fails is kept)."""
    import subprocess

    import lm_eval.evaluator as evaluator
    from lm_eval.loggers.utils import get_commit_from_path

    def commit() -> str | None:
        try:
            out = subprocess.run(["git", "describe", "--always"], capture_output=True,
                                 check=True)
            return out.stdout.decode().strip()
        except (subprocess.CalledProcessError, FileNotFoundError):
            return get_commit_from_path(os.getcwd())

    original = evaluator.get_git_commit_hash
    evaluator.get_git_commit_hash = commit
    try:
        yield
    finally:
        evaluator.get_git_commit_hash = original


def print_table(results: dict[str, Any], out: TextIO | None = None) -> None:
    """lm-eval's own results table (and the groups table when there are groups), on ``out`` or
    whatever ``sys.stdout`` is at the call (a default of ``sys.stdout`` itself would be the
    stream of import time, missing a caller's redirect)."""
    from lm_eval.utils import make_table

    out = out or sys.stdout
    print(make_table(results), file=out)
    if results.get("groups"):
        print(make_table(results, "groups"), file=out)
