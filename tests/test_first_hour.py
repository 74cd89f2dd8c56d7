"""A researcher's first hour with `mseed run` (issue 24): what `--limit` asks, errors that say
what to do next before any model loads, and quiet, tidy output.

lm-eval's ``dummy`` model (it answers "lol", loads nothing) drives the real lm-eval pipeline
through the CLI in seconds; what a real model adds is covered by the `model` tests.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from mseed_multilingual.core.paths import sample_path, tasks_path
from mseed_multilingual.evaluate.run_folder import load_run

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
MSEED = [sys.executable, "-m", "mseed_multilingual"]
NOISE = ("Metrics were not scored on the same number", "Custom kwargs can be passed",
         "fatal: not a git repository", "specified through cli")


def mseed(cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*MSEED, *args], capture_output=True, text=True, env=ENV, cwd=cwd,
                          timeout=timeout)


def dummy_run(cwd: Path, out: str, *args: str) -> subprocess.CompletedProcess:
    (cwd / "models" / "My-Model").mkdir(parents=True, exist_ok=True)
    (cwd / "adapters" / "zh-lora").mkdir(parents=True, exist_ok=True)
    return mseed(cwd, "run", "--model", "dummy", "--no-chat-template", "--model-args",
                 "pretrained=models/My-Model,peft=adapters/zh-lora", "-o", out, *args)


def test_limit_keeps_the_design_quietly_in_a_folder_named_by_the_model(tmp_path):
    proc = dummy_run(tmp_path, "runs", "--limit", "3", "--langs", "en,zh", "--max-gen-toks", "8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    for noise in NOISE:
        assert noise not in proc.stderr, noise
    # a power warning per language, before the model loads
    assert "mseed_en: only 2 harmful prompt(s) within --limit 3" in proc.stderr
    # the run folder is the model's and adapter's name, not their absolute path
    assert [p.name for p in (tmp_path / "runs").iterdir() if not p.name.startswith(".")] == [
        "My-Model+zh-lora"]
    run = load_run(tmp_path / "runs")
    args = run.results["config"]["model_args"]
    assert f"peft={tmp_path / 'adapters' / 'zh-lora'}" in args  # relative path made absolute
    samples = run.samples()
    for lang in ("en", "zh"):
        kinds = Counter(s.kind for s in samples if s.lang == lang)
        assert kinds == {"harmful": 2, "benign": 1}  # the sample's 62:31, harmful first
    ids = {lang: [s.id for s in samples if s.lang == lang] for lang in ("en", "zh")}
    assert ids["en"] == ids["zh"]  # the same prompts in every language
    # lm-eval's own --limit takes the first N documents of the task: the same prompts
    from lm_eval.tasks import TaskManager

    task = TaskManager(include_path=str(tasks_path()), include_defaults=False).load(
        "mseed_en")["tasks"]["mseed_en"]
    assert [d["id"] for d in list(task.eval_docs)[:3]] == ids["en"]
    # a rerun into the same folder replaces the first run's files, never adds a second set
    first = sorted(p.name for p in run.model_dir.iterdir())
    again = dummy_run(tmp_path, "runs", "--limit", "3", "--langs", "en,zh")
    assert again.returncode == 0, again.stderr[-3000:]
    second = sorted(p.name for p in run.model_dir.iterdir())
    assert len(second) == len(first) == 3 and set(first).isdisjoint(second)
    assert "replaced the previous run's 3 file(s)" in again.stderr


def test_limit_counts_prompts_with_their_variants_and_spreads_dimensions():
    from mseed_multilingual.evaluate.lmeval import document_limit
    from mseed_multilingual.evaluate.task_hooks import load_docs

    docs = load_docs("en", None, "roleplay,codeswitch")
    limit = document_limit(10, ["roleplay", "codeswitch"])
    assert limit == 30
    chosen = docs[:limit]
    assert len({d["base_id"] for d in chosen}) == 10  # 10 prompts, each in 3 forms
    plain = [d for d in chosen if d["variant"] == "plain"]
    assert Counter(d["kind"] for d in plain) == {"harmful": 7, "benign": 3}
    dims = Counter(d["dimension"] for d in plain if d["kind"] == "harmful")
    assert len(dims) == 5 and max(dims.values()) - min(dims.values()) <= 1


def test_errors_say_what_to_do_before_any_model_loads(tmp_path):
    out = tmp_path / "o"
    zh = str(sample_path() / "zh.jsonl")
    one_file = mseed(tmp_path, "run", "--model-args", "pretrained=x", "--data", zh,
                     "--langs", "zh,en", "-o", str(out))
    assert one_file.returncode == 2
    assert f"mseed translate --input {zh} --langs en --backend BACKEND" in one_file.stderr
    assert "zh.jsonl/en.jsonl" not in one_file.stderr  # no path inside a file
    folder = tmp_path / "set"
    folder.mkdir()
    shutil.copy(zh, folder / "zh.jsonl")
    in_folder = mseed(tmp_path, "run", "--model-args", "pretrained=x", "--data", str(folder),
                      "--langs", "zh,fr", "-o", str(out))
    assert in_folder.returncode == 2
    assert f"expected {folder / 'fr.jsonl'}" in in_folder.stderr
    assert (f"mseed translate --input {folder / 'zh.jsonl'} --langs fr --backend BACKEND "
            f"-o {folder}") in in_folder.stderr
    missing = mseed(tmp_path, "run", "--model-args", f"pretrained={tmp_path / 'nope'}",
                    "--langs", "zh", "-o", str(out), timeout=120)
    assert missing.returncode == 2
    assert f"pretrained={tmp_path / 'nope'}: no such folder" in missing.stderr
    (tmp_path / "adapters").mkdir()
    typo = mseed(tmp_path, "run", "--model-args", f"pretrained={tmp_path},peft=adapters/zh-lra",
                 "--langs", "zh", "-o", str(out), timeout=120)
    assert typo.returncode == 2 and "peft=adapters/zh-lra: no such folder" in typo.stderr
    assert not out.exists()


def test_a_run_that_fails_in_lm_eval_leaves_no_folder(tmp_path):
    """The dummy model with a chat template needs a tokenizer from the hub: offline, lm-eval
    fails after the answer cache was opened; nothing of the run is left."""
    proc = mseed(tmp_path, "run", "--model", "dummy", "--model-args", f"pretrained={tmp_path}",
                 "--langs", "zh", "--limit", "1", "-o", "runs")
    assert proc.returncode != 0
    assert not (tmp_path / "runs").exists()


def test_quiet_filter_drops_only_our_tasks_expected_warnings():
    import logging

    from mseed_multilingual.evaluate.task_hooks import ExpectedWarnings

    rule = ExpectedWarnings("Metrics were not scored on the same number")

    def keeps(msg: str) -> bool:
        return rule.filter(logging.LogRecord("x", logging.WARNING, "", 0, msg, None, None))

    assert not keeps("[mseed_en] Metrics were not scored on the same number of documents")
    assert keeps("[arc_easy] Metrics were not scored on the same number of documents")
    assert keeps("[mseed_en] something else")


def test_lexicon_judge_table_has_no_safety_columns(tmp_path):
    """The refusal detector measures refusal: its table shows refusals, not safe/unsafe."""
    from runfolders import sample_run

    run_dir = sample_run(tmp_path / "run")
    proc = mseed(tmp_path, "judge", str(run_dir), "--judge", "lexicon", "--quiet", timeout=300)
    assert proc.returncode == 0, proc.stderr
    head = next(line for line in proc.stdout.splitlines() if line.startswith("lang "))
    assert head.split() == ["lang", "dimension", "n", "refus%", "refusal", "invalid", "error",
                            "unsure"]


def test_the_embedded_model_has_a_short_name(tmp_path):
    """`--model-args smollm2[,k=v]` is the bundled GGUF (README's offline commands use it):
    expanded before the checks, so an adapter typo beside it is named before any model loads."""
    from mseed_multilingual.core.models import expand_model_args, smollm2_model_args

    assert expand_model_args("smollm2") == smollm2_model_args()
    assert expand_model_args("smollm2,peft=a") == f"{smollm2_model_args()},peft=a"
    assert expand_model_args("pretrained=smollm2") == "pretrained=smollm2"
    out = tmp_path / "o"
    (tmp_path / "adapters").mkdir()
    typo = mseed(tmp_path, "run", "--model-args", "smollm2,peft=adapters/nope", "--langs", "zh",
                 "-o", str(out), timeout=120)
    assert typo.returncode == 2 and "peft=adapters/nope: no such folder" in typo.stderr
    assert "de-quantizing" not in typo.stderr  # refused before the model loaded
    assert not out.exists()


@pytest.mark.model
def test_a_run_of_the_embedded_model_loads_it_without_progress_bars(tmp_path):
    """transformers' "Converting and de-quantizing GGUF tensors" and "Loading weights" bars
    (carriage-return redraws in a log) are not printed when lm-eval loads the model; lm-eval's
    own progress over the requests stays."""
    proc = mseed(tmp_path, "run", "--model-args", "smollm2", "--langs", "zh", "--limit", "1",
                 "--max-gen-toks", "4", "--tasks", "mseedcap_zh", "-o", "runs")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "GGUF tensors" not in proc.stderr and "Loading weights" not in proc.stderr, \
        proc.stderr[-3000:]
    # nor lm-eval's bars for its sub-second set-up steps (a task's contexts, the cache check,
    # the tokenizer: a capability task's loglikelihood requests): every bar left is one over
    # the model's requests
    bars = [x for x in re.split(r"[\r\n]", proc.stderr) if re.search(r"(it/s|s/it)\]", x)]
    assert bars and all(x.lstrip().startswith("Running ") for x in bars), bars[:5]


def test_overlapping_quiet_loads_in_threads_leave_the_bars_as_they_found_them():
    """Two threads load models at once (a served judge and a run): the second block opens while
    the first is open, the first closes first. The bars stay off until the last one closes,
    then both switches are back, not left disabled by the second block's saved copy."""
    import threading

    from transformers import modeling_gguf_pytorch_utils as gguf_utils
    from transformers.utils import logging as hf_logging

    from mseed_multilingual.core.models import quiet_loading

    original = gguf_utils.tqdm
    hf_logging.enable_progress_bar()
    first_open, second_open, first_closed = (threading.Event() for _ in range(3))
    seen = {}

    def first() -> None:
        with quiet_loading():
            first_open.set()
            second_open.wait(10)
        first_closed.set()

    def second() -> None:
        first_open.wait(10)
        with quiet_loading():
            second_open.set()
            first_closed.wait(10)
            seen["inside"] = (hf_logging.is_progress_bar_enabled(), gguf_utils.tqdm is original)

    threads = [threading.Thread(target=f) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen["inside"] == (False, False)  # still quiet after the first block closed
    assert hf_logging.is_progress_bar_enabled() and gguf_utils.tqdm is original
