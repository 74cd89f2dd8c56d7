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
    # answers of a tiny demo are not those the committed labels are of: said, not used
    assert "of the committed labels are of other answers than these" in first.stdout
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


def _labelled_demo_runs(out) -> None:
    """The demo's two run folders holding exactly the answers of the committed labels
    (translations/judge-smollm2-demo), the sample's other prompts answered plainly, judged by
    the demo's judge: what `make demo` leaves on a machine that reproduces its answers."""
    from runfolders import DOC_LABELS, write_docs

    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.demo import DEMO_JUDGE, DEMO_LABELS, DEMO_LANGS, DemoPlan
    from mseed_multilingual.judges.judge_run import judge_run
    from mseed_multilingual.judges.registry import make_judge

    rows = [json.loads(x) for x in (DEMO_LABELS / "answers.jsonl").read_text("utf-8").splitlines()]
    answers = {(r["id"], r["lang"], r["side"]): r["answer"] for r in rows}
    plan = DemoPlan(out=out)
    for side, root in (("before", plan.before_dir), ("after", plan.after_dir)):
        docs = {}
        for lang in DEMO_LANGS:
            lines = (sample_path() / f"{lang}.jsonl").read_text("utf-8").splitlines()
            docs[lang] = [{k: rec[k] for k in (*DOC_LABELS, "prompt")}
                          for rec in map(json.loads, lines)]
        model_dir = write_docs(root, "HuggingFaceTB/SmolLM2-135M-Instruct", docs, {})
        for path in model_dir.glob("samples_mseed_*.jsonl"):
            lines = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
            for obj in lines:
                key = (obj["doc"]["id"], obj["doc"]["lang"], side)
                if key in answers:
                    obj["resps"], obj["filtered_resps"] = [[answers[key]]], [answers[key]]
            path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                            encoding="utf-8")
        judge_run(root, make_judge(DEMO_JUDGE))
    return plan


def test_the_demo_corrects_its_judge_with_the_committed_labels_when_its_answers_match(tmp_path):
    from mseed_multilingual.demo import _labelled, labelled_answers_differ

    plan = _labelled_demo_runs(tmp_path)
    assert labelled_answers_differ(plan) == 0
    text = _labelled(plan)
    [en] = [x.split() for x in text.splitlines() if x.startswith("en    change")]
    assert en[2] == "+0.000"  # the lexicon alone: no change in English
    assert en[8:10] == ["+0.400", "[+0.174,"]  # labels only: +0.40
    # one line per kind of warning, the languages grouped by their counts
    assert ("warning: fewer than 30 labelled harmful prompts in ar, en, sw, zh (20 before, 20 "
            "after, 20 on both sides)") in text
    assert ("warning: every labelled prompt agrees in ar (before, after, change), sw (after), "
            "zh (before)") in text
    assert sum(x.startswith("warning:") for x in text.splitlines()) == 2
    # ar: every label and verdict says "no refusal": PPI's own interval would be [0, 0]; it is
    # shown as wide as the labels-only one, which 20 labels justify
    [ar] = [x.split() for x in text.splitlines() if x.startswith("ar    change")]
    assert ar[5:8] == ["+0.000", "[-0.161,", "+0.161]"] == ar[8:11]
    assert "widened to the labels-only" in text
    # and the transfer ratio built on it is no more certain than that interval (it was
    # 0.00 [0.00, 0.00] from PPI's zero standard error); the source language has no ratio
    [ratios] = [x for x in text.splitlines() if x.startswith("transfer ratio from the PPI")]
    ar_lo, ar_hi = (float(v) for v in ratios.split("ar 0.00 [")[1].split("]")[0].split(", "))
    assert ar_lo < -0.1 and ar_hi > 0.1
    assert "zh " not in ratios.split(":", 1)[1]
    path = next((plan.before_dir).rglob("samples_mseed_en_*.jsonl"))
    path.write_text(path.read_text("utf-8").replace("chatbot", "bot"), encoding="utf-8")
    assert labelled_answers_differ(plan) > 0
    assert "of the committed labels are of other answers than these" in _labelled(plan)
