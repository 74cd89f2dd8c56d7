"""The lm-eval task folder: generated files do not drift, names resolve, and a real model runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import mseed

from mseed_multilingual.core import precision
from mseed_multilingual.core.paths import tasks_path
from mseed_multilingual.evaluate.run_folder import load_run
from mseed_multilingual.evaluate.task_hooks import METRICS, load_docs

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "tasks" / "mseed" / "generate.py"
SAMPLE_LANGS = ["zh", "en", "fr", "de", "es", "ru", "ja", "ko", "ar", "vi", "th", "hi", "bn", "sw"]
LM_EVAL = str(Path(sys.executable).with_name("lm_eval"))
ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}


def test_generated_task_files_do_not_drift():
    out = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_generator_writes_a_complete_folder_for_other_languages(tmp_path):
    subprocess.run([sys.executable, str(GENERATOR), "--langs", "it,pt", "-o", str(tmp_path)],
                   check=True, capture_output=True)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert "mseed_it.yaml" in names and "utils.py" in names and "_default_template_yaml" in names
    assert "groups/mseed-llama3.yaml" in names  # llama3 declares it and pt
    bad = subprocess.run([sys.executable, str(GENERATOR), "--langs", "xx", "-o", str(tmp_path)],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "unknown language code(s) ['xx']" in bad.stderr


def test_glob_selects_exactly_the_leaf_tasks_and_groups_resolve():
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(tasks_path()), include_defaults=False)
    assert sorted(manager.match_tasks(["mseed_*"])) == sorted(f"mseed_{c}" for c in SAMPLE_LANGS)
    groups = [n for n in manager.all_groups if n.startswith("mseed")]
    assert "mseed" in groups and "mseed-qwen2.5" in groups and "mseed-llama3" in groups
    assert not any(g.startswith("mseed_") for g in groups)


def test_docs_share_ids_and_order_across_languages():
    zh, sw = load_docs("zh"), load_docs("sw")
    assert [d["id"] for d in zh] == [d["id"] for d in sw]
    first = zh[:12]  # `--limit 12` spreads over dimensions and kinds, not one dimension
    assert len({d["dimension"] for d in first}) >= 3
    assert {d["kind"] for d in first} == {"harmful", "benign"}


@pytest.fixture(scope="module")
def lm_eval_run(tmp_path_factory, smollm2_model_args) -> Path:
    """One `lm_eval` run with the chat template, read by the two tests below: a group
    (mseed-gemma2), a leaf task (mseed_zh) and a judged task (mseedjudge_zh, the judge chosen
    by --metadata). One start instead of two: each loads torch, lm-eval's tasks and the model."""
    out = tmp_path_factory.mktemp("lm_eval")
    cmd = [LM_EVAL, "--model", "hf", "--model_args", smollm2_model_args,
           "--tasks", "mseed-gemma2,mseed_zh,mseedjudge_zh", "--include_path", str(tasks_path()),
           "--apply_chat_template", "--log_samples", "--output_path", str(out),
           "--limit", "4", "--batch_size", "4", "--gen_kwargs", "max_gen_toks=24",
           "--device", "cpu", "--metadata", '{"mseed_judge": "lexicon"}']
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.mark.model
def test_lm_eval_cli_on_real_model(lm_eval_run):
    """`lm_eval --include_path` with the chat template on a group and a leaf task."""
    run = load_run(lm_eval_run)
    results = run.results["results"]
    for task in ("mseed_en", "mseed_zh"):
        keys = set(results[task])
        assert {"refusal_rate,none", "answer_length,none"} <= keys
        assert any(k.startswith("refusal_rate_") and k.endswith(",none") for k in keys)
        assert run.results["higher_is_better"][task]["over_refusal_rate"] is False
    assert "refusal_rate,none" in results["mseed-gemma2"]
    assert run.results["group_subtasks"]["mseed-gemma2"] == ["mseed_en"]
    samples = run.samples(["mseed_en", "mseed_zh"])
    assert len(samples) == 8
    for s in samples:
        assert s.id.startswith("ms-") and s.kind in ("harmful", "benign") and s.lang in ("en",
                                                                                         "zh")
        assert s.response.strip()
        assert ("refusal_rate" in s.metrics) == (s.kind == "harmful")
        assert ("over_refusal_rate" in s.metrics) == (s.kind == "benign")
    line = json.loads(run.samples_files["mseed_zh"].read_text(encoding="utf-8").splitlines()[0])
    assert "<|im_start|>user" in line["arguments"]["gen_args_0"]["arg_0"]  # chat template used


@pytest.mark.model
def test_judged_tasks_score_inside_lm_eval_like_mseed_judge(lm_eval_run):
    """mseedjudge_<lang>: the judge runs as lm-eval's filter (chosen by --metadata); its
    verdicts equal what `mseed judge` writes for the same answers, and the refusal metrics of
    the unfiltered answers are still there."""
    from mseed_multilingual.judges.judge_run import judge_run
    from mseed_multilingual.judges.registry import make_judge

    run = load_run(lm_eval_run)
    results = run.results["results"]["mseedjudge_zh"]
    assert {"refusal_rate,none", "judge_refusal_rate,judged", "judge_invalid_rate,judged"} <= set(
        results)
    assert "judge_safe_rate,judged" not in results  # the lexicon measures refusal, not safety
    assert "judge_refusal_rate,judged" not in run.results["results"]["mseed_zh"]
    lines = [json.loads(x) for x in run.samples_files["mseedjudge_zh"].read_text(
        encoding="utf-8").splitlines()]
    judged = {x["doc"]["id"]: json.loads(x["filtered_resps"][0]) for x in lines
              if x["filter"] == "judged"}
    answers = {x["doc"]["id"]: x["filtered_resps"][0] for x in lines if x["filter"] == "none"}
    assert len(judged) == len(answers) == 4
    verdicts = {r["id"]: r["verdict"] for r in judge_run(lm_eval_run, make_judge("lexicon")).rows}
    assert {k: verdicts[k] for k in judged} == {k: v["verdict"] for k, v in judged.items()}
    harmful = [k for k in judged if next(x for x in lines if x["doc"]["id"] == k)["doc"][
        "kind"] == "harmful"]
    expected = sum(judged[k]["refusal"] is True for k in harmful) / len(harmful)  # refused
    assert results["judge_refusal_rate,judged"] == pytest.approx(expected)
    assert set(answers.values()) != {""}


@pytest.mark.model
def test_mseed_run_writes_what_lm_eval_writes(tmp_path, smollm2_model_args):
    cmd = ["run", "--model-args", smollm2_model_args, "--langs", "sw,ja", "-o", tmp_path,
           "--limit", "3", "--batch-size", "3", "--max-gen-toks", "16",
           "--system-instruction", "Answer safely."]
    proc = mseed(*cmd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "mseed_sw" in proc.stdout  # lm-eval's table is printed
    run = load_run(tmp_path)
    assert run.mseed_tasks == ["mseed_ja", "mseed_sw"]
    assert run.results["config"]["gen_kwargs"]["max_gen_toks"] == 16
    assert run.results["system_instruction_sha"]
    chosen = precision.resolve_batched()  # fp32 unless $MSEED_PRECISION says otherwise
    assert run.results["config"]["model_args"].endswith(f",dtype={chosen.dtype_name}")
    assert run.results["config"]["model_dtype"] == f"torch.{chosen.dtype_name}"
    assert {s.lang for s in run.samples()} == {"ja", "sw"}
    assert all(m in METRICS for s in run.samples() for m in s.metrics)
    # rerun: answers come from the cache, and the same samples replace the first run's files
    first = [s.response for s in run.samples()]
    again = mseed(*cmd)
    assert again.returncode == 0
    rerun = load_run(tmp_path)
    assert [s.response for s in rerun.samples()] == first
    assert len(list(tmp_path.rglob("results_*.json"))) == 1  # one result set, not two
    assert len(list((tmp_path / ".lm_cache").iterdir())) == 1  # one model, one cache


def test_mseed_run_bad_data_fails_before_model_load(tmp_path):
    bad = tmp_path / "set"
    bad.mkdir()
    (bad / "zh.jsonl").write_text('{"lang": "zh"}\n', encoding="utf-8")
    cmd = ["run", "--model-args", "pretrained=/nonexistent", "-o", tmp_path / "o"]
    missing = mseed(*cmd, "--langs", "fr", "--data", bad)
    assert missing.returncode == 2 and "no data for language 'fr'" in missing.stderr
    assert "fr.jsonl" in missing.stderr
    malformed = mseed(*cmd, "--langs", "zh", "--data", bad)
    assert malformed.returncode == 2 and "no usable records" in malformed.stderr
    # without --langs the set's own languages are run (here only it), not the sample's 14
    only_it = tmp_path / "it-set"
    only_it.mkdir()
    (only_it / "it.jsonl").write_text('{"lang": "it"}\n', encoding="utf-8")
    (only_it / "_review.jsonl").write_text("{}\n", encoding="utf-8")
    own = mseed(*cmd, "--data", only_it)
    assert own.returncode == 2 and "no usable records for language 'it'" in own.stderr
    unknown = mseed(*cmd, "--langs", "xx")
    assert unknown.returncode == 2 and "known: zh, en" in unknown.stderr


def test_answer_cache_is_per_model_and_adapter_content(tmp_path):
    """lm-eval keys cached answers on the request only: the run folder's cache must change with
    the model, its arguments and the bytes of a local adapter, or a retrained adapter run into
    the same folder would be served the old adapter's answers."""
    from mseed_multilingual.evaluate.lmeval import model_fingerprint

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"weights v1")
    args = f"pretrained=HuggingFaceTB/SmolLM2-135M-Instruct,peft={adapter}"
    first = model_fingerprint("hf", args)
    assert model_fingerprint("hf", args) == first  # stable
    assert model_fingerprint("vllm", args) != first
    assert model_fingerprint("hf", args + ",dtype=float32") != first
    (adapter / "adapter_model.safetensors").write_bytes(b"weights v2")
    assert model_fingerprint("hf", args) != first  # same path, new content
    (adapter / "adapter_model.safetensors").write_bytes(b"weights v1")
    assert model_fingerprint("hf", args) == first


def test_lm_eval_s_own_tasks_are_indexed_only_when_asked_for():
    """`mseed run` indexes lm-eval's ~15,000 built-in tasks (seconds of CPU) only for a
    `--tasks` entry that is not one of the project's."""
    from mseed_multilingual.evaluate.lmeval import task_manager

    paths = [str(tasks_path())]
    ours = task_manager(paths, ["mseed_zh", "mseedcap_zh", "mseed-gemma2"], {})
    assert {"mseed_zh", "mseedcap_zh", "mseed-gemma2"} <= set(ours.all_tasks)
    assert "hellaswag" not in ours.all_tasks and len(ours.all_tasks) < 1000
    both = task_manager(paths, ["mseed_zh", "hellaswag"], {})
    assert {"mseed_zh", "hellaswag"} <= set(both.all_tasks)
