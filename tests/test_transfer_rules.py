"""Transfer ratio rules, invalid/error accounting and refused comparisons, on hand-built runs.

Every case is a pair of run folders in lm-eval's format (tests/runfolders.py) whose
numbers are worked by hand here; the statistics themselves are checked in test_stats.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from runfolders import matrix_runs, write_run

from mseed_multilingual.analysis import report, transfer
from mseed_multilingual.analysis.changes import (
    MIN_PAIRS,
    SOURCE_LANGUAGE,
    SOURCE_MISSING,
    SOURCE_NOT_SIGNIFICANT,
    SOURCE_WORSE,
)
from mseed_multilingual.analysis.codes import ERROR, INVALID, SAFETY_INVALID_SAFE
from mseed_multilingual.analysis.result import TransferResult
from mseed_multilingual.analysis.transfer import TransferOptions
from mseed_multilingual.cli import main
from mseed_multilingual.core import stats

H = [f"h{i}" for i in range(1, 11)]
G = [f"g{i}" for i in range(1, 31)]


def _lang(res: TransferResult, lang: str, measure: str = "safety"):
    rows = res.language_changes("after", measure).set_index("lang")
    return rows.loc[lang]


# --------------------------------------------------------------------------- ratio rules

def test_ratio_undefined_when_source_not_significant(tmp_path) -> None:
    # zh: 1 of 10 up (Tango interval [-0.205, +0.404] includes 0); en: 3 up.
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()})
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1"}, "en": set(H[:3])})
    res = transfer.analyze(before, [after])
    en = _lang(res, "en")
    assert math.isnan(en["transfer_ratio"]) and math.isnan(en["ratio_lo"])
    assert en["ratio_note"] == SOURCE_NOT_SIGNIFICANT
    assert _lang(res, "zh")["ratio_note"] == SOURCE_NOT_SIGNIFICANT
    assert "source not a clear gain" in report.headline_table(res)


def test_ratio_undefined_when_source_worse(tmp_path) -> None:
    # Both languages got worse: the old code divided two negatives into "full transfer".
    before = write_run(tmp_path / "b", "m0", {"zh": set(H), "en": set(H)})
    after = write_run(tmp_path / "a", "m1", {"zh": set(H[6:]), "en": set(H[6:])})
    res = transfer.analyze(before, [after])
    en = _lang(res, "en")
    assert en["delta"] == pytest.approx(-0.6) and math.isnan(en["transfer_ratio"])
    assert en["ratio_note"] == SOURCE_WORSE
    doc = res.to_json()["comparisons"][0]["languages"]["en"]
    assert doc["transfer_ratio"] is None and doc["transfer_ratio_note"] == "source worse"


def test_ratio_undefined_when_source_has_no_common_prompt(tmp_path) -> None:
    # en answered h1-h5 only, zh h6-h10 only: no prompt id is paired in both languages.
    ids = {"zh": H[5:], "en": H[:5]}
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids)
    after = write_run(tmp_path / "a", "m1", {"zh": set(H[5:]), "en": set(H[:5])}, ids=ids)
    res = transfer.analyze(before, [after])
    en = _lang(res, "en")
    assert en["delta"] == 1.0 and en["ratio_pairs"] == 0
    assert math.isnan(en["transfer_ratio"]) and en["ratio_note"] == SOURCE_MISSING


def test_ratio_and_interval_on_the_same_prompt_ids(tmp_path) -> None:
    # zh answered h1-h10 (h1-h8 up); en answered h1-h5 and g1-g5 (h1-h4 up, g1-g5 unchanged).
    # Paired in both: h1-h5, where zh moved 5 of 5 and en 4 of 5 -> ratio 0.8 (not
    # delta_en / delta_zh = 0.4 / 0.8 = 0.5 over different ids).
    ids = {"zh": H, "en": [*H[:5], *G[:5]]}
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids)
    after = write_run(tmp_path / "a", "m1", {"zh": set(H[:8]), "en": set(H[:4])}, ids=ids)
    res = transfer.analyze(before, [after])
    en = _lang(res, "en")
    assert en["delta"] == pytest.approx(0.4) and en["n_pairs"] == 10
    assert en["ratio_pairs"] == 5
    assert en["transfer_ratio"] == pytest.approx(0.8)
    assert en["ratio_lo"] < 0.8 < en["ratio_hi"]
    # Fieller from the same 3 x 3 counts: (en, zh) changes = 4 x (+1, +1), 1 x (0, +1).
    cells = stats.joint_change_cells(np.array([1, 1, 1, 1, 0]), np.array([1, 1, 1, 1, 1]))
    assert (en["ratio_lo"], en["ratio_hi"]) == pytest.approx(stats.ratio_interval_score(cells))


def test_ratio_pairs_on_every_row_with_a_ratio(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set(), "de": set()})
    after = write_run(tmp_path / "a", "m1", {"zh": set(H), "en": set(H[:6]),
                                             "de": {"h1", "h6"}})
    res = transfer.analyze(before, [after])
    c = res.changes[res.changes["measure"] == "safety"]
    with_ratio = c[c["transfer_ratio"].notna()]
    # zh's 10 of 10 is a clear gain (Holm p 0.006); in each dimension zh moved 5 of 5, McNemar
    # p = 0.0625: no dimension row can be clear with 5 pairs, so only the language rows have one.
    assert len(with_ratio) == 3 and set(with_ratio["dimension"]) == {"all"}
    assert (with_ratio["ratio_pairs"] == with_ratio["n_pairs"]).all()
    zh = _lang(res, "zh")
    assert (zh["transfer_ratio"], zh["ratio_lo"], zh["ratio_hi"]) == (1.0, 1.0, 1.0)
    assert zh["ratio_note"] == SOURCE_LANGUAGE
    de_disc = c[(c["lang"] == "de") & (c["dimension"] == "discrimination")].iloc[0]
    assert np.isnan(de_disc["transfer_ratio"])
    assert de_disc["ratio_note"] == SOURCE_NOT_SIGNIFICANT
    assert _lang(res, "de")["transfer_ratio"] == pytest.approx(0.2)  # 2 of 10 vs 10 of 10


def test_an_interval_that_excludes_zero_is_not_enough_for_a_ratio(tmp_path) -> None:
    # zh: 4 of 20 up: Tango's interval excludes 0 (lo = +0.0066) but McNemar p = 0.125: under
    # the old rule a ratio with an unbounded Fieller interval was printed beside a change that
    # no test found; under the one rule there is none, and the table says why.
    ids = {"zh": G[:20], "en": G[:20]}
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids)
    after = write_run(tmp_path / "a", "m1", {"zh": set(G[:4]), "en": set(G[:2])}, ids=ids)
    res = transfer.analyze(before, [after])
    en, zh = _lang(res, "en"), _lang(res, "zh")
    assert zh["delta_lo"] > 0 and zh["p_holm"] > 0.05
    assert math.isnan(en["transfer_ratio"]) and en["ratio_note"] == "source not a clear gain"
    assert "source not a clear gain" in report.headline_table(res)
    doc = res.to_json()["comparisons"][0]["languages"]["en"]
    assert doc["transfer_ratio"] is None and doc["transfer_ratio_unbounded"] is False


def test_bootstrap_ratio_unbounded_when_source_draws_cross_zero(tmp_path) -> None:
    ids = {"zh": G[:20], "en": G[:20]}
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids)
    after = write_run(tmp_path / "a", "m1", {"zh": set(G[:8]), "en": set(G[:2])}, ids=ids)
    res = transfer.analyze(before, [after], TransferOptions(interval="bootstrap", resamples=2000))
    en = _lang(res, "en")
    assert _lang(res, "zh")["significant"]  # 8 of 20 up: Holm p = 0.016
    # P(a resample of zh has no prompt up) = 0.6^20, so the interval is finite and every draw
    # is counted (a source draw of 0 would sit at +-inf).
    assert np.isfinite(en["ratio_lo"]) and np.isfinite(en["ratio_hi"])
    draws = stats.bootstrap_cells(np.array([0, 12, 8]), 2000, np.random.default_rng(0))
    assert (draws[:, 2] == 0).mean() < 0.025
    cells = stats.joint_change_cells(np.r_[np.ones(2), np.zeros(18)],
                                     np.r_[np.ones(2), np.zeros(18)])
    lo, hi, crossing = stats.ratio_interval_bootstrap(cells, 2000, stats.group_rng(1, "x"))
    # 2 of 20 up: 0.9^20 = 12% of the draws have no source change -> unbounded.
    assert (lo, hi) == (-np.inf, np.inf) and crossing > 0.1 * 2000


# --------------------------------------------------------------------------- invalid and error

def _judged_pair(tmp_path, before_labels, after_labels, unsafe_before, unsafe_after):
    langs = {"zh": set(), "en": set()}
    before = write_run(tmp_path / "b", "m0", langs, judge="guard-x", unsafe=unsafe_before,
                       labels=before_labels)
    after = write_run(tmp_path / "a", "m1", langs, judge="guard-x", unsafe=unsafe_after,
                      labels=after_labels)
    return before, after


def test_invalid_answers_counted_bounded_and_warned(tmp_path, capsys) -> None:
    # en before: h1-h6 unsafe; after: h1-h3 unsafe, h4-h7 invalid (4 of 10 = 40% invalid).
    before, after = _judged_pair(
        tmp_path, None, {"en": {f"h{i}": "invalid" for i in range(4, 8)}},
        {"zh": set(H[:8]), "en": set(H[:6])}, {"zh": {"h1"}, "en": set(H[:3])})
    res = transfer.analyze(before, [after])
    en = _lang(res, "en")
    # Main measure (invalid = not safe): safe 4/10 -> 3/10 (h8-h10 only).
    assert (en["before"], en["after_rate"], en["n_pairs"]) == pytest.approx((0.4, 0.3, 10))
    upper = _lang(res, "en", SAFETY_INVALID_SAFE)
    # If the 4 invalid answers were safe: 4/10 -> 7/10.
    assert (upper["before"], upper["after_rate"]) == pytest.approx((0.4, 0.7))
    inv = _lang(res, "en", INVALID)
    assert (inv["before"], inv["after_rate"], inv["up"], inv["down"]) == (0.0, 0.4, 4, 0)
    assert inv["p_value"] == pytest.approx(2 / 16)
    assert "en: answers without a safety verdict count as not safe above; counted safe, the " \
           "change would be +0.300" in report.conclusion_text(res)
    warnings = " ".join(res.warnings)
    assert "invalid answers are 40% (4/10) of run 'after' in en" in warnings
    counts = res.verdicts.set_index(["run", "lang", "verdict"])["n"]
    assert counts[("after", "en", "invalid")] == 4 and counts[("after", "en", "safe")] == 3
    paths = report.write_report(res, tmp_path / "rep")
    for key in ("report_md", "report_html"):
        assert "WARNING: invalid answers are 40%" in paths[key].read_text(encoding="utf-8")
    doc = json.loads(paths["result_json"].read_text(encoding="utf-8"))
    assert any("40%" in w for w in doc["warnings"])
    en_doc = doc["comparisons"][0]["languages"]["en"]
    assert en_doc["invalid"]["delta"] == pytest.approx(0.4)
    assert en_doc[SAFETY_INVALID_SAFE]["after"] == pytest.approx(0.7)
    code = main(["transfer", "--before", str(before), "--after", str(after), "-o",
                 str(tmp_path / "cli")])
    out = capsys.readouterr()
    assert code == 0 and "warning: invalid answers are 40%" in out.err + out.out


def test_significant_invalid_change_warns_below_ten_percent(tmp_path) -> None:
    # 30 harmful prompts in en; 0 -> 3 invalid is 10% (not above it) but p = 0.25: no warning;
    # 0 -> 6 invalid in 60 answers is not possible here, so check the McNemar rule directly.
    ids = {"zh": G, "en": G}
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids,
                       judge="guard-x")
    after = write_run(tmp_path / "a", "m1", {"zh": set(), "en": set()}, ids=ids,
                      judge="guard-x", labels={"en": {g: "invalid" for g in G[:3]}})
    res = transfer.analyze(before, [after])
    assert res.warnings == []
    after2 = write_run(tmp_path / "a2", "m1", {"zh": set(), "en": set()}, ids=ids,
                       judge="guard-x", labels={"en": {g: "invalid" for g in G[:6]}})
    res = transfer.analyze(before, [after2])
    # 6 of 30 = 20% (> 10%) and McNemar p = 2/64 < 0.05: both rules fire.
    assert len(res.warnings) == 2 and "changed significantly in en" in res.warnings[1]


def test_error_verdicts_block_until_rejudged_or_allowed(tmp_path) -> None:
    before, after = _judged_pair(tmp_path, None, {"zh": {"h1": "error", "h2": "error"}},
                                 {"zh": set(H)}, {"zh": set()})
    with pytest.raises(ValueError, match=r"'error' \(the judge failed\) on 2 answer\(s\) — "
                                         r"after: 2 \(zh 2\): re-judge"):
        transfer.analyze(before, [after])
    res = transfer.analyze(before, [after], TransferOptions(allow_errors=True))
    zh = _lang(res, "zh")
    assert zh["after_rate"] == pytest.approx(0.8)  # the two errors count as not safe
    assert _lang(res, "zh", ERROR)["after_rate"] == pytest.approx(0.2)
    assert any("--allow-errors" in n for n in res.notes)


def test_any_other_verdict_label_is_counted_as_invalid_by_name(tmp_path) -> None:
    """A judge label added later (e.g. one for unparseable judge output) flows through."""
    from mseed_multilingual.analysis.table import load_runs

    before, after = _judged_pair(tmp_path, None, {"zh": {"h1": "invalid"}}, {}, {})
    table, infos = load_runs([("before", before), ("after", after)])
    verdict = table["verdict"].astype(object)
    verdict[(table["run"] == "after") & (table["id"] == "h2") & (table["lang"] == "zh")] = \
        "judge_unparseable"
    table["verdict"] = verdict.astype("category")
    table.loc[table["verdict"] == "judge_unparseable", "safe"] = 0.0
    res = transfer.analyze_table(table, infos, "before", ["after"],
                                 TransferOptions(aligned_on=["zh"]))
    inv = _lang(res, "zh", INVALID)
    assert (inv["up"], inv["after_rate"]) == (2, 0.2)
    labels = res.verdicts[(res.verdicts["run"] == "after") & (res.verdicts["lang"] == "zh")]
    assert dict(zip(labels["verdict"], labels["n"], strict=True)) == {
        "invalid": 1, "judge_unparseable": 1, "safe": 8}


# --------------------------------------------------------------------------- refused comparisons

def test_same_run_before_and_after_is_refused(tmp_path, capsys) -> None:
    run = write_run(tmp_path / "b", "m0", {"zh": set()})
    with pytest.raises(ValueError, match="same run folder"):
        transfer.analyze(run, [run])
    assert main(["transfer", "--before", str(run), "--after", str(run / ".." / run.name),
                 "-o", str(tmp_path / "r")]) == 2
    assert "same run folder" in capsys.readouterr().err


def test_aligned_on_absent_from_the_runs_is_refused(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()})
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1"}, "en": set()})
    with pytest.raises(ValueError, match=r"--aligned-on fr: run\(s\) 'before', 'after' have no "
                                         r"answers in 'fr' \(languages in the runs: en, zh\)"):
        transfer.analyze(before, [after], TransferOptions(aligned_on="fr"))


def test_no_harmful_prompt_in_common_is_refused(tmp_path) -> None:
    # Benign b1-b4 are in both runs, the harmful prompts are disjoint.
    before = write_run(tmp_path / "b", "m0", {"zh": set()}, ids={"zh": [*H[:5], "b1", "b2"]})
    after = write_run(tmp_path / "a", "m1", {"zh": set()}, ids={"zh": [*H[5:], "b1", "b2"]})
    with pytest.raises(ValueError, match="no harmful prompt id answered"):
        transfer.analyze(before, [after])


# --------------------------------------------------------------------------- matrix correction

def test_correct_matrix_is_holm_over_every_cell(tmp_path) -> None:
    from statsmodels.stats.multitest import multipletests

    before, on_zh, on_en = matrix_runs(tmp_path)
    args = dict(labels=["sft-zh", "sft-en"], aligned_on=["zh", "en"])
    per_run = transfer.analyze(before, [on_zh, on_en], TransferOptions(**args))
    whole = transfer.analyze(before, [on_zh, on_en], TransferOptions(correct="matrix", **args))
    cells = whole.matrix
    expected = multipletests(cells["p_value"].to_numpy(), method="holm")[1]
    assert len(cells) == 6
    assert cells["p_holm"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert (whole.matrix["p_holm"].to_numpy() >= per_run.matrix["p_holm"].to_numpy()).all()
    assert "correct:matrix" in whole.signature


# --------------------------------------------------------------------------- conclusion

def test_conclusion_calls_only_holm_significant_changes_gains(tmp_path) -> None:
    # zh: 10 of 10 up (p = 2^-9, Holm x3 = 0.0059); en: 3 up (p = 0.25); de: unchanged.
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set(), "de": set()})
    after = write_run(tmp_path / "a", "m1", {"zh": set(H), "en": set(H[:3]), "de": set()})
    res = transfer.analyze(before, [after])
    text = report.conclusion_text(res)
    assert "zh: 0/10 -> 10/10 (+1.000, 95% CI [+0." in text
    assert "Holm p = 0.0059: a significant gain." in text
    assert "de, en: no change distinguishable from chance (Holm p >= 0.05); point estimates " \
           "en +0.300 (Holm p = 0.5)." in text
    assert "transfer ratio, 95% CI): de 0.00 [" in text and "en 0.30 [" in text
    assert "refusal rate" in text and "safe rate" not in text  # no verdicts: refusal
    md = report.write_report(res, tmp_path / "rep")["report_md"].read_text(encoding="utf-8")
    assert "a significant gain" in md


def test_conclusion_without_a_clear_source_gain(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()})
    after = write_run(tmp_path / "a", "m1", {"zh": {"h1"}, "en": set()})
    text = report.conclusion_text(transfer.analyze(before, [after]))
    assert "a significant" not in text
    assert "no transfer ratio: the zh change is not a clear gain (source not a clear gain)" \
        not in text
    assert "no transfer ratio: the zh change is not a clear gain." in text


def test_lexicon_verdicts_are_named_a_refusal_rate(tmp_path) -> None:
    before = write_run(tmp_path / "b", "m0", {"zh": set()}, judge="lexicon")
    after = write_run(tmp_path / "a", "m1", {"zh": set(H)}, judge="lexicon",
                      unsafe={"zh": set()})
    res = transfer.analyze(before, [after])
    assert report.measure_name(res) == "refusal rate"
    assert "safe rate" not in report.conclusion_text(res)


def test_dimension_heatmap_gives_n_marks_and_greys_small_cells(tmp_path) -> None:
    """Each cell of the per-dimension heatmap says its n and Holm mark; a cell with fewer than
    MIN_PAIRS pairs (no change can be clear there) is drawn grey, not in the change colours."""
    from mseed_multilingual.analysis import plots

    ids = {"zh": [*G[:16], "h1", "h2"], "en": [*G[:16], "h1", "h2"]}  # g: discrimination
    before = write_run(tmp_path / "b", "m0", {"zh": set(), "en": set()}, ids=ids)
    after = write_run(tmp_path / "a", "m1", {"zh": {*G[:12], "h1"}, "en": set(G[:3])}, ids=ids)
    res = transfer.analyze(before, [after], TransferOptions(resamples=0))
    fig = plots.change_heatmap(res)
    ax = fig.axes[0]
    texts = {t.get_text() for t in ax.texts}
    assert "+0.75**\nn=16" in texts  # zh discrimination: 12 of 16 up, Holm p < .01
    assert "+0.50\nn=2" in texts  # zh value_violation (h1, h2): 1 of 2, no mark
    assert f"fewer than {MIN_PAIRS} pairs" in ax.get_title()
    grey = ax.images[1].get_array()
    cols = [t.get_text() for t in ax.get_xticklabels()]
    assert not grey.mask[0, cols.index("value_violation")]  # the 2-pair cells are grey
    assert grey.mask[0, cols.index("discrimination")]
