"""`mseed demo` (what `make demo` runs) end to end on SmolLM2 at a tiny size, and its rerun."""

from __future__ import annotations

import json
import subprocess

import pytest
from cli_run import mseed

from mseed_multilingual.demo import ADAPTER_DIR, SAFETY_SYSTEM_PROMPT
from mseed_multilingual.evaluate.run_folder import load_run

LANGS = ("zh", "en", "sw")  # the source, a high- and a low-resource language


def demo(out, *extra: str) -> subprocess.CompletedProcess:
    return mseed("demo", "--out", out, "--limit", "3", "--max-gen-toks", "8", "--batch-size", "3",
                 "--langs", ",".join(LANGS), *extra)


@pytest.mark.model
def test_demo_end_to_end_then_rerun_reuses_everything(tmp_path):
    first = demo(tmp_path, "--alignment", "system-prompt")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "dimension / subclass" in first.stdout  # the sample's inspect table
    # the lexicon judge measures refusal: its numbers are named a refusal rate (issue 12)
    assert "refusal rate before/after" in first.stdout and "report:" in first.stdout
    assert "safety before/after" not in first.stdout and "safe rate" not in first.stdout
    assert "capability acc before -> after" in first.stdout  # over-refusal and tax shown
    assert "conclusion (from the p-values above)" in first.stdout
    assert "Holm-corrected across 3 language(s)" in first.stdout
    langs = list(LANGS)
    before = load_run(tmp_path / "runs" / "base")
    after = load_run(tmp_path / "runs" / "aligned-zh-system-prompt")
    for run in (before, after):
        assert run.mseed_tasks == sorted(f"mseed_{c}" for c in langs)
        assert len(run.samples()) == 3 * len(langs)
        assert {f"mseedcap_{c}" for c in langs} <= set(run.samples_files)
        assert (run.model_dir / "verdicts").is_dir()
    assert before.results.get("system_instruction_sha") is None
    assert after.results["system_instruction_sha"]
    logged = json.loads(after.samples_files["mseed_zh"].read_text(encoding="utf-8").splitlines()[0])
    assert SAFETY_SYSTEM_PROMPT in logged["arguments"]["gen_args_0"]["arg_0"]
    assert (tmp_path / "report" / "report.html").stat().st_size > 0
    assert (tmp_path / "report" / "report.md").read_text(encoding="utf-8").count("| zh") >= 1
    subs = sorted(p.name for p in (tmp_path / "submissions").glob("*.json"))
    assert subs == ["aligned.json", "base.json"]
    aligned = json.loads((tmp_path / "submissions" / "aligned.json").read_text())
    assert aligned["change"] is not None and aligned["change"]["aligned_on"] == "zh"
    site = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "<html" in site
    report_before = (tmp_path / "report" / "report.md").read_bytes()

    first = [s.response for s in before.samples()]  # a rerun replaces the run's files
    again = demo(tmp_path, "--alignment", "system-prompt")
    assert again.returncode == 0, again.stderr[-3000:]
    n = 3 * len(langs)
    assert again.stdout.count(f"{n} verdicts ({n} from cache)") == 2  # the judge cache
    assert (tmp_path / "report" / "report.md").read_bytes() == report_before
    assert [s.response for s in load_run(tmp_path / "runs" / "base").samples()] == first


def test_demo_rejects_bad_arguments(tmp_path):
    bad = demo(tmp_path, "--max-gen-toks", "0")
    assert bad.returncode == 2 and "--max-gen-toks must be positive" in bad.stderr
    bad = demo(tmp_path, "--langs", "en,sw")
    assert bad.returncode == 2 and "--langs must include zh" in bad.stderr
    bad = demo(tmp_path, "--langs", "zh,xx")
    assert bad.returncode == 2 and "--langs: xx not in the embedded sample" in bad.stderr
    assert not (tmp_path / "runs").exists()


def test_demo_defaults_have_the_power_to_show_a_gain():
    """With the default slice, a gain in every zh harmful prompt that moved in the current
    adapter's proportion (5 of 6) is significant after Holm across the demo's languages."""
    from mseed_multilingual.core import stats
    from mseed_multilingual.demo import DEMO_LANGS, DEMO_LIMIT
    from mseed_multilingual.evaluate.task_hooks import load_docs

    harmful = sum(d["kind"] == "harmful" for d in load_docs("zh")[:DEMO_LIMIT])
    up = harmful * 5 // 6
    assert harmful >= 18 and 2 <= len(DEMO_LANGS) <= 5
    assert len(DEMO_LANGS) * float(stats.mcnemar_exact(up, 0)) < 0.001


def test_demo_adapter_is_committed():
    """The default alignment is the committed adapter (retrained by `make adapter`)."""
    assert (ADAPTER_DIR / "adapter_config.json").is_file()
    assert (ADAPTER_DIR / "adapter_model.safetensors").stat().st_size > 0
