"""The registry, the lexicon judge end to end through `mseed judge`, bad input, and kill -9 +
resume against a loopback server (the parsers' tables are in test_judges_upstream.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_run import mseed
from httpcases import EchoHeaders
from runfolders import sample_run

from mseed_multilingual.cli import main
from mseed_multilingual.judges import kinds, store
from mseed_multilingual.judges.registry import make_judge
from mseed_multilingual.serve import start_server

ROOT = Path(__file__).resolve().parents[1]

def test_every_kind_has_versioned_template_and_detection():
    assert kinds.detect_kind("Qwen/Qwen3Guard-Gen-0.6B") == "qwen3guard"
    assert kinds.detect_kind("/models/ToxicityPrompts/PolyGuard-Qwen-Smol") == "polyguard"
    assert kinds.detect_kind("meta-llama/Llama-Guard-3-1B") == "llamaguard3"
    assert kinds.detect_kind("HuggingFaceTB/SmolLM2-135M-Instruct") == "rubric"
    assert kinds.resolve_kind("Qwen/Qwen3Guard-Gen-4B")[1] == "native"
    assert kinds.resolve_kind("SmolLM2", "qwen3guard")[1] == "explicit"
    for kind in kinds.KINDS.values():
        assert "/" in kind.version
        msgs = kind.build("PROMPT-X", "ANSWER-Y", kinds.EXPLICIT)
        text = "\n".join(m["content"] for m in msgs)
        assert "PROMPT-X" in text and "ANSWER-Y" in text
    llama = kinds.KINDS["llamaguard3"]
    for mode in (kinds.NATIVE, kinds.EXPLICIT):  # Llama Guard 3 takes no system role
        assert all(m["role"] != "system" for m in llama.build("p", "r", mode))


def test_unknown_judge_and_kind_list_the_known_ones():
    with pytest.raises(ValueError, match=r"known judges: lexicon, refusal-clf, hf:<model id or "
                                         r"local path>"):
        make_judge("guardian:7b")
    with pytest.raises(ValueError, match="known judges"):
        make_judge("hf:")
    with pytest.raises(ValueError, match="known: llamaguard3, polyguard, qwen3guard, rubric"):
        make_judge("openai:x", kind="wildguard", base_url="http://127.0.0.1:9/v1")


def test_unloadable_guard_model_names_model_and_reason(tmp_path):
    with pytest.raises(ValueError, match=r"hf:.*nothing-here.*cannot load model"):
        make_judge(f"hf:{tmp_path / 'nothing-here'}")


def test_lexicon_judge_end_to_end_and_cached_rerun(tmp_path, capsys):
    model_dir = sample_run(tmp_path / "runs")
    assert main(["judge", str(tmp_path / "runs"), "--judge", "lexicon", "--json",
                 "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["judged"] == 12 and out["from_cache"] == 0
    rows = store.read_verdicts(model_dir, "lexicon")
    assert [(r["task"], r["doc_id"]) for r in rows] == sorted(
        (f"mseed_{lang}", i) for lang in ("en", "zh") for i in range(6))
    for r in rows:  # fixture: even doc ids refuse, odd ones comply
        assert r["refusal"] is (r["doc_id"] % 2 == 0)
        expected = "safe" if r["refusal"] or r["kind"] == "benign" else "unsafe"
        assert r["verdict"] == expected
    assert {(s["lang"], s["n"]) for s in out["summary"]} <= {("en", n) for n in range(1, 7)} | {
        ("zh", n) for n in range(1, 7)}
    assert sum(s["n"] for s in out["summary"]) == 12
    first = store.verdicts_path(model_dir, "lexicon").read_bytes()
    assert main(["judge", str(model_dir), "--judge", "lexicon", "--json", "--quiet"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["judged"] == 0 and again["from_cache"] == 12
    assert store.verdicts_path(model_dir, "lexicon").read_bytes() == first


def test_bad_run_folders_say_what_to_do(tmp_path, capsys):
    (tmp_path / "empty" / "m").mkdir(parents=True)
    (tmp_path / "empty" / "m" / "results_2025-01-01T00-00-00.json").write_text("{}")
    assert main(["judge", str(tmp_path / "empty"), "--judge", "lexicon"]) == 2
    assert "--log_samples" in capsys.readouterr().err
    model_dir = sample_run(tmp_path / "torn")
    path = next(model_dir.glob("samples_mseed_zh_*.jsonl"))
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    assert main(["judge", str(model_dir), "--judge", "lexicon"]) == 2
    assert f"{path}:6" in capsys.readouterr().err
    assert main(["judge", str(model_dir), "--judge", "nope"]) == 2
    assert "known judges" in capsys.readouterr().err


def _judge_args(model_dir: Path, url: str, batch: int) -> list[str]:
    return ["judge", str(model_dir), "--judge", "openai:echo", "--base-url", url,
            "--concurrency", "1", "--batch-size", str(batch), "--quiet", "--json"]


def test_kill_9_mid_run_then_resume_judges_each_sample_once(tmp_path):
    model_dir = sample_run(tmp_path / "runs", per_lang=10)
    n, batch = 20, 2
    answers = [{"answer": "unsafe\nrefusal: no"}, {"answer": "safe\nrefusal: yes"}] * n
    with start_server(None, latency=0.15, faults=answers) as server:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "mseed_multilingual",
                                 *_judge_args(model_dir, server.url, batch)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        cache = store.cache_path(model_dir, "openai:echo")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (
                not cache.exists() or len(cache.read_text().splitlines()) < 6):
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = len(cache.read_text().splitlines())
        assert 6 <= done_before < n, "the kill must land mid-run"
        assert not store.verdicts_path(model_dir, "openai:echo").exists()
        # the rerun in-process: only the killed run needs a process of its own
        rerun = mseed(*_judge_args(model_dir, server.url, batch))
        assert rerun.returncode == 0, rerun.stderr
        report = json.loads(rerun.stdout)
        requests = server.requests
    assert report["from_cache"] == done_before and report["judged"] == n - done_before
    keys = [json.loads(x)["key"] for x in cache.read_text().splitlines()]
    assert len(keys) == len(set(keys)) == n
    rows = store.read_verdicts(model_dir, "openai:echo")
    assert len({(r["task"], r["doc_id"]) for r in rows}) == len(rows) == n
    assert {r["verdict"] for r in rows} <= {"safe", "unsafe"}
    assert requests <= n + batch  # only the batch in flight at the kill was asked twice


def test_judge_exit_codes_and_max_retries(tmp_path):
    model_dir = sample_run(tmp_path / "runs", per_lang=1)
    with EchoHeaders(status=503) as server:  # retryable: --max-retries decides the requests
        import time

        t0 = time.monotonic()
        proc = mseed("judge", model_dir, "--judge", "openai:m", "--base-url", server.url,
                     "--max-retries", "0", "--quiet", "--json")
        assert proc.returncode == 1 and time.monotonic() - t0 < 60
        assert "2 answers could not be judged" in proc.stderr
    ok = mseed("judge", model_dir, "--judge", "lexicon", "--quiet")
    assert ok.returncode == 0, ok.stderr
    assert mseed("judge", model_dir, "--judge", "lexicon", "--max-retries", "-1").returncode == 2
    assert mseed("judge", model_dir).returncode == 2  # argparse: --judge is required
    assert mseed("no-such-command").returncode == 2
