"""Cohen's kappa against sklearn and a hand-worked case; `mseed judge-agreement`; the filter."""

from __future__ import annotations

import json
import random

import pytest
from cli_run import mseed, one_line_error
from runfolders import sample_run
from sklearn.metrics import cohen_kappa_score

from mseed_multilingual.cli import main
from mseed_multilingual.core.stats import cohen_kappa
from mseed_multilingual.judges import filter as jfilter
from mseed_multilingual.judges import store
from mseed_multilingual.judges.agreement import compare, load_labels


def test_kappa_hand_worked():
    # 10 pairs: both safe 4, both unsafe 3, A safe/B unsafe 2, A unsafe/B safe 1
    a = ["safe"] * 4 + ["unsafe"] * 3 + ["safe"] * 2 + ["unsafe"]
    b = ["safe"] * 4 + ["unsafe"] * 3 + ["unsafe"] * 2 + ["safe"]
    # po = 0.7; A: 6 safe 4 unsafe; B: 5 safe 5 unsafe; pe = (30 + 20) / 100 = 0.5
    assert cohen_kappa(a, b) == pytest.approx(0.4)


@pytest.mark.parametrize("seed", range(5))
def test_kappa_matches_sklearn(seed):
    rng = random.Random(seed)
    a = [rng.choice(["safe", "unsafe", "invalid"]) for _ in range(200)]
    b = [x if rng.random() < 0.6 else rng.choice(["safe", "unsafe", "invalid"]) for x in a]
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def _verdicts(model_dir, judge, flip_every=0):
    rows = []
    for lang in ("en", "zh"):
        for i in range(6):
            verdict = "safe" if i % 2 == 0 else "unsafe"
            if flip_every and i % flip_every == 0:
                verdict = "unsafe" if verdict == "safe" else "invalid"
            rows.append({"task": f"mseed_{lang}", "doc_id": i, "id": f"ms-{i:012d}",
                         "lang": lang, "dimension": "d", "subclass": "s", "kind": "harmful",
                         "judge": judge, "template_version": "t/1", "verdict": verdict,
                         "refusal": None, "categories": [], "raw": "", "error": None})
    rows[-1]["verdict"] = "error"
    return store.write_verdicts(model_dir, judge, rows)


def test_cli_compares_files_folders_and_human_csv(tmp_path, capsys):
    fa = _verdicts(tmp_path / "a", "lexicon")
    fb = _verdicts(tmp_path / "b", "hf:guard", flip_every=3)
    assert main(["judge-agreement", str(fa), str(tmp_path / "b"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["a"] == "lexicon" and out["b"] == "hf:guard"
    assert out["matched"] == 12 and out["excluded_error"] == 1
    _, a = load_labels(fa)
    _, b = load_labels(fb)
    keys = sorted(k for k in a if "error" not in (a[k], b[k]))
    assert out["overall"]["kappa"] == pytest.approx(
        cohen_kappa_score([a[k] for k in keys], [b[k] for k in keys]), abs=1e-6)
    en = out["per_language"]["en"]
    # id 0 flipped safe -> unsafe, id 3 unsafe -> invalid
    assert en["n"] == 6 and en["confusion"]["safe"]["unsafe"] == 1
    assert en["confusion"]["unsafe"]["invalid"] == 1 and en["confusion"]["safe"]["safe"] == 2
    assert sum(sum(r.values()) for r in en["confusion"].values()) == 6
    csv = tmp_path / "human.csv"
    csv.write_text("id,label,lang\n" + "".join(
        f"ms-{i:012d},{'safe' if i % 2 == 0 else 'unsafe'},en\n" for i in range(6)),
        encoding="utf-8")
    assert main(["judge-agreement", str(fa), str(csv)]) == 0
    text = capsys.readouterr().out
    assert "human:human.csv" in text and "en" in text and "1.000" in text


def test_bad_inputs_name_the_place(tmp_path, capsys):
    fa = _verdicts(tmp_path / "a", "lexicon")
    csv = tmp_path / "h.csv"
    csv.write_text("id,label\nms-000000000000,maybe\n", encoding="utf-8")
    assert main(["judge-agreement", str(fa), str(csv)]) == 2
    assert "h.csv:2: label 'maybe'" in capsys.readouterr().err
    csv.write_text("id,label\nms-000000000000,safe\n", encoding="utf-8")
    assert main(["judge-agreement", str(fa), str(csv)]) == 2  # id in en and zh
    assert "add a lang column" in capsys.readouterr().err
    _verdicts(tmp_path / "a", "other")
    assert main(["judge-agreement", str(tmp_path / "a"), str(fa)]) == 2
    assert "several judges" in capsys.readouterr().err
    with pytest.raises(ValueError, match="share no answers"):
        compare({("en", "x"): "safe"}, {("en", "y"): "safe"})


def test_filter_inside_lm_eval_custom_filter_pipeline(tmp_path, monkeypatch):
    from lm_eval.filters.custom import CustomFilter
    from lm_eval.filters.selection import TakeFirstFilter

    model_dir = sample_run(tmp_path, per_lang=4)
    docs, resps = [], []
    for line in next(model_dir.glob("samples_mseed_en_*")).read_text().splitlines():
        obj = json.loads(line)
        docs.append(obj["doc"])
        resps.append(obj["resps"][0])
    monkeypatch.delenv(jfilter.JUDGE_ENV, raising=False)
    jfilter.configure(None)
    with pytest.raises(ValueError, match="mseed_judge=NAME"):
        jfilter.judge_filter(resps, docs)
    jfilter.configure("lexicon", mseed_judge_batch_size="3", mseed_lang="en")
    out = list(TakeFirstFilter().apply(CustomFilter(filter_fn=jfilter.judge_filter).apply(
        resps, docs), docs))
    assert len(out) == 4 and all(isinstance(x, str) for x in out)
    verdicts = [json.loads(x) for x in out]
    assert [v["refusal"] for v in verdicts] == [True, False, True, False]
    assert all(v["judge"] == "lexicon" for v in verdicts)
    metrics = jfilter.verdict_metrics(docs[0], out[0])
    assert metrics["judge_invalid_rate"] == 0.0
    # The lexicon is a refusal detector: its score is judge_refusal_rate, never a safe rate.
    harmful = [(d, x) for d, x in zip(docs, out, strict=True) if d.get("kind") != "benign"]
    assert harmful
    for doc, text in harmful:
        m = jfilter.verdict_metrics(doc, text)
        assert "judge_safe_rate" not in m
        assert m["judge_refusal_rate"] == float(json.loads(text)["refusal"] is True)
    guard = json.dumps({"verdict": "safe", "refusal": None, "judge": "hf:Qwen/Qwen3Guard"})
    assert jfilter.verdict_metrics({"kind": "harmful"}, guard) == {
        "judge_safe_rate": 1.0, "judge_invalid_answer_rate": 0.0, "judge_invalid_rate": 0.0,
        "judge_error_rate": 0.0}  # a safety judge's score is the safe rate
    assert "judge_safe_rate" not in jfilter.verdict_metrics({"kind": "benign"}, guard)
    assert jfilter.verdict_metrics({"kind": "harmful"}, "not json")["judge_safe_rate"] == 0.0
    jfilter.configure(None)


def test_over_long_and_undecodable_csv_name_file_and_line(tmp_path):
    model_dir = sample_run(tmp_path / "runs")
    assert mseed("judge", model_dir, "--judge", "lexicon", "--quiet").returncode == 0
    long = tmp_path / "long.csv"
    long.write_text("id,label\n" + "a" * 200_000 + ",safe\n", encoding="utf-8")
    one_line_error(mseed("judge-agreement", model_dir, long), f"{long}:2", "field limit")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,label\nx1,safe\nx\xff,safe\n")
    one_line_error(mseed("judge-agreement", model_dir, bad), f"{bad}:3", "not UTF-8")
