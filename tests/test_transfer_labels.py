"""``mseed transfer --labels`` and ``mseed judge-check --labels``: run folders in lm-eval's
format (tests/runfolders.py) judged by a lexicon whose misses differ by side, people's labels in
a CSV, the estimates recomputed by hand from the same answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from runfolders import write_run

from mseed_multilingual.cli import main
from mseed_multilingual.core import stats

IDS = [f"h{i}" for i in range(1, 11)] + [f"g{i}" for i in range(1, 31)]  # 40 harmful prompts
# What people see: zh refuses 8 prompts before and 28 after; en 4 -> 12.
TRUTH = {("zh", "before"): set(IDS[:8]), ("zh", "after"): set(IDS[:28]),
         ("en", "before"): set(IDS[:4]), ("en", "after"): set(IDS[:12])}
# The judge misses some refusals, more after than before (its error moves the change).
JUDGE = {("zh", "before"): set(IDS[:7]), ("zh", "after"): set(IDS[:16]),
         ("en", "before"): set(IDS[:4]), ("en", "after"): set(IDS[:9])}
LABELLED = {"zh": IDS[::1][:32], "en": IDS[:10]}  # zh: 32 labelled, en: 10 (< 30: a warning)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("ppi")
    ids = {"zh": IDS, "en": IDS}
    before = write_run(tmp / "base", "org/base", {lang: JUDGE[(lang, "before")]
                                                  for lang in ("zh", "en")}, ids=ids,
                       judge="lexicon")
    after = write_run(tmp / "aligned", "org/aligned", {lang: JUDGE[(lang, "after")]
                                                       for lang in ("zh", "en")}, ids=ids,
                      judge="lexicon")
    rows = ["id,lang,side,refusal"]
    for lang, chosen in LABELLED.items():
        for side in ("before", "after"):
            rows += [f"{pid},{lang},{side},{'full' if pid in TRUTH[(lang, side)] else 'none'}"
                     for pid in chosen]
    csv = tmp / "labels.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return before, after, csv


def _by_hand(lang: str, side: str) -> stats.MeanEstimate:
    judge = np.array([float(p in JUDGE[(lang, side)]) for p in IDS])
    lab = np.array([p in LABELLED[lang] for p in IDS])
    y = np.array([float(p in TRUTH[(lang, side)]) for p in np.array(IDS)[lab]])
    return stats.ppi_mean(y, judge[lab], judge[~lab])


def _transfer(runs, tmp_path, capsys, *extra: str) -> tuple[int, str, str]:
    before, after, csv = runs
    code = main(["transfer", "--before", str(before), "--after", str(after), "--labels",
                 str(csv), "-o", str(tmp_path / "rep"), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_carries_ppi_and_labels_only_per_language(runs, tmp_path, capsys) -> None:
    code, out, err = _transfer(runs, tmp_path, capsys, "--json")
    assert code == 0, err
    doc = json.loads(out)
    zh = doc["comparisons"][0]["languages"]["zh"]
    assert set(zh["ppi"]) == {"before", "after", "change", "n_labelled"}
    assert set(zh["labels_only"]) == {"before", "after", "change", "n_labelled"}
    assert zh["ppi"]["n_labelled"] == 32 and zh["n_labelled"] == {"before": 32, "after": 32,
                                                                 "change": 32}
    for side in ("before", "after"):
        want = _by_hand("zh", side)
        got = zh["ppi"][side]
        assert got["estimate"] == pytest.approx(want.estimate)
        assert got["ci"] == pytest.approx([max(want.lo, 0), min(want.hi, 1)])
    # the change: PPI on the per-prompt difference over the 32 prompts labelled on both sides
    d_judge = np.array([float(p in JUDGE[("zh", "after")]) - float(p in JUDGE[("zh", "before")])
                        for p in IDS])
    d_true = np.array([float(p in TRUTH[("zh", "after")]) - float(p in TRUTH[("zh", "before")])
                       for p in IDS])
    lab = np.array([p in LABELLED["zh"] for p in IDS])
    want = stats.ppi_mean(d_true[lab], d_judge[lab], d_judge[~lab])
    assert zh["ppi"]["change"]["estimate"] == pytest.approx(want.estimate)
    assert zh["ppi"]["change"]["ci"] == pytest.approx([want.lo, want.hi])
    # judge-only is what mseed transfer says without labels: (16 - 7) / 40
    assert zh["judge_only"]["change"]["estimate"] == pytest.approx(9 / 40) == zh["delta"]
    # labels only: 32 labelled, truth 8 -> 28 within them: +20/32, Tango's interval
    assert zh["labels_only"]["change"]["estimate"] == pytest.approx(20 / 32)
    assert zh["labels_only"]["change"]["ci"] == pytest.approx(list(stats.tango_interval(0, 20,
                                                                                        32)))
    # the judge undercounts the change; the labels pull PPI up towards the truth (+0.5)
    assert zh["ppi"]["change"]["estimate"] > zh["judge_only"]["change"]["ci"][1]
    assert zh["ppi"]["change"]["ci"][0] <= 0.5 <= zh["ppi"]["change"]["ci"][1]
    assert zh["n_effective"]["change"] > 32
    assert doc["labels"]["n_labels"] == 84 and doc["judge_card"]["validated_on"] == "labels"
    assert "labels:" in doc["signature"]


def test_fewer_than_30_labelled_prompts_is_a_warning(runs, tmp_path, capsys) -> None:
    code, out, _err = _transfer(runs, tmp_path, capsys)
    assert code == 0
    assert ("fewer than 30 labelled harmful prompts in en (10 before, 10 after, 10 on both "
            "sides): the PPI and labels-only intervals there are unreliable") in out
    assert "zh (32" not in out
    assert "judge only" in out and "PPI++" in out and "labels only" in out
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert "## Corrected by human labels (PPI++)" in md
    assert (tmp_path / "rep" / "figures" / "ppi_change.png").stat().st_size > 1000
    assert "Corrected by human labels" in (tmp_path / "rep" / "report.html").read_text()
    assert (tmp_path / "rep" / "ppi.csv").read_text().count("\n") == 1 + 1 + 2 * 3 * 3


def test_a_labelled_id_absent_from_the_runs_is_an_error(runs, tmp_path, capsys) -> None:
    before, after, csv = runs
    bad = tmp_path / "bad.csv"
    bad.write_text(csv.read_text() + "g99,zh,after,full\n", encoding="utf-8")
    code = main(["transfer", "--before", str(before), "--after", str(after), "--labels",
                 str(bad), "-o", str(tmp_path / "rep")])
    err = capsys.readouterr().err
    assert code == 2
    lines = len(csv.read_text().splitlines()) + 1
    assert f"bad.csv:{lines}: labelled id 'g99' (zh, after) is not an answer" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_labels_need_one_after_run(runs, tmp_path, capsys) -> None:
    before, after, csv = runs
    code = main(["transfer", "--before", str(before), "--after", str(after), "--after",
                 str(after), "--label", "a1", "--label", "a2", "--labels", str(csv), "-o",
                 str(tmp_path / "rep")])
    assert code == 2
    assert "--labels needs exactly one --after run" in capsys.readouterr().err


def test_judge_check_labels_per_language_and_side(runs, tmp_path, capsys) -> None:
    from mseed_multilingual.judges.validity import kappa_from_table, load_card

    before, after, csv = runs
    card_path = tmp_path / "card.json"
    code = main(["judge-check", "--judge", "lexicon", "--labels", str(csv), "--before",
                 str(before), "--after", str(after), "-o", str(card_path)])
    out = capsys.readouterr().out
    assert code == 0
    card = load_card(card_path)  # a valid card: digest and fields
    assert card["reference"]["kind"] == "labels" and card["reference"]["n"] == 84
    zh_after = card["languages"]["zh"]["sides"]["after"]["refusal"]
    # 32 labelled: people see 28 refusals, the judge finds the first 16 and invents none
    assert zh_after["confusion"] == [[16, 12], [0, 4]]
    assert zh_after["sensitivity"]["estimate"] == pytest.approx(16 / 28, abs=1e-4)
    assert zh_after["specificity"]["estimate"] == 1.0
    assert zh_after["accuracy"] == pytest.approx(20 / 32, abs=1e-4)
    assert zh_after["kappa"] == pytest.approx(kappa_from_table([[16, 12], [0, 4]]).kappa,
                                              abs=1e-4)
    lo, hi = stats.wilson_interval(16, 28)
    assert zh_after["sensitivity"]["ci"] == pytest.approx([float(lo), float(hi)], abs=1e-4)
    assert "zh    after     32" in out
    # transfer flags from this in-domain card (zh pooled kappa 0.61; en 0.89)
    code = main(["transfer", "--before", str(before), "--after", str(after), "--judge-card",
                 str(card_path), "-o", str(tmp_path / "rep"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["judge_card"]["validated_on"] == "labels"
    assert doc["judge_card"]["kappa"]["zh"] == card["languages"]["zh"]["refusal"]["kappa"]


def test_judge_check_labels_errors(runs, tmp_path, capsys) -> None:
    before, after, csv = runs
    assert main(["judge-check", "--judge", "lexicon", "--labels", str(csv)]) == 2
    assert "--labels needs the run folder(s)" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lang,side,refusal\nh1,zh,before,full\nzz9,en,after,none\n")
    assert main(["judge-check", "--judge", "lexicon", "--labels", str(bad), "--before",
                 str(before), "--after", str(after)]) == 2
    assert "bad.csv:3: labelled id 'zz9' (en, after) is not an answer" in capsys.readouterr().err


def test_submission_embeds_the_labels_card_and_validates(runs, tmp_path, capsys) -> None:
    """The in-domain card travels in a submission like the reference one (schema v2 allows
    reference.kind), so the leaderboard's kappa per language is the one on these answers."""
    from mseed_multilingual.judges.validity import primary_kappa
    from mseed_multilingual.publish import submission, validate

    before, after, csv = runs
    card_path = tmp_path / "card.json"
    assert main(["judge-check", "--judge", "lexicon", "--labels", str(csv), "--before",
                 str(before), "--after", str(after), "-o", str(card_path)]) == 0
    doc = submission.build(after, before=before, judge="lexicon", judge_card=card_path)
    assert validate.problems(doc) == []
    card = doc["judge"]["card"]
    assert card["reference"]["kind"] == "labels"
    assert primary_kappa(card, "zh") == json.loads(card_path.read_text())["languages"]["zh"][
        "refusal"]["kappa"]
