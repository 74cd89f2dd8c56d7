"""The whole loop on the embedded model: SmolLM2 before and after the committed zh adapter,
judged by the lexicon, 20% of the harmful answers labelled on both sides, then `mseed transfer
--labels` puts judge-only, PPI++ and labels-only side by side per language."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mseed_multilingual.cli import main
from mseed_multilingual.demo import ADAPTER_DIR
from mseed_multilingual.evaluate.lmeval import RunConfig, run
from mseed_multilingual.evaluate.run_folder import load_run
from mseed_multilingual.judges.store import read_verdicts

LANGS = ["zh", "en"]
LIMIT = 30  # the first 30 sample prompts per language, about 20 of them harmful
FRACTION = 0.2


@pytest.mark.model
def test_labels_correct_the_judge_on_smollm2_runs(tmp_path, smollm2_model_args, monkeypatch,
                                                  capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    dirs = {"before": tmp_path / "before", "after": tmp_path / "after"}
    for side, model_args in (("before", smollm2_model_args),
                             ("after", f"{smollm2_model_args},peft={ADAPTER_DIR}")):
        run(RunConfig(model="hf", model_args=model_args, langs=LANGS, output=dirs[side],
                      limit=LIMIT, max_gen_toks=16, batch_size=10, use_cache=False))
        assert main(["judge", str(dirs[side]), "--judge", "lexicon"]) == 0
    # The labels: 20% of the harmful prompt ids per language, the same ids on both sides (a
    # seeded random draw, as `annotate` makes). The stand-in annotator reads each answer as
    # the judge does except that it counts a partial refusal as none, so the labels differ
    # from the judge where the judge hedges.
    rng = np.random.default_rng(22)
    rows = ["id,lang,side,refusal"]
    verdicts = {side: {(v["lang"], v["id"]): v for v in read_verdicts(
        load_run(path).model_dir, "lexicon")} for side, path in dirs.items()}
    for lang in LANGS:
        ids = sorted(i for (lg, i), v in verdicts["before"].items()
                     if lg == lang and v["kind"] == "harmful")
        chosen = rng.choice(ids, max(2, round(FRACTION * len(ids))), replace=False)
        for side in dirs:
            for pid in sorted(chosen):
                v = verdicts[side][(lang, pid)]
                outcome = v.get("refusal_outcome") or ("full" if v["refusal"] else "none")
                rows.append(f"{pid},{lang},{side},{'none' if outcome == 'partial' else outcome}")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(rows) + "\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["transfer", "--before", str(dirs["before"]), "--after", str(dirs["after"]),
                 "--labels", str(labels), "-o", str(tmp_path / "report")])
    out = capsys.readouterr().out
    assert code == 0
    print(out)
    for lang in LANGS:
        for part in ("before", "after", "change"):
            assert any(line.split()[:2] == [lang, part] for line in out.splitlines())
    assert "judge only" in out and "PPI++" in out and "labels only" in out
    assert "fewer than 30" in out  # 20% of about 20 prompts: the warning says so
    code = main(["transfer", "--before", str(dirs["before"]), "--after", str(dirs["after"]),
                 "--labels", str(labels), "-o", str(tmp_path / "report"), "--json"])
    doc = json.loads(capsys.readouterr().out)
    for lang in LANGS:
        row = doc["comparisons"][0]["languages"][lang]
        n = row["ppi"]["n_labelled"]
        assert n == (len(rows) - 1) // (2 * len(LANGS))
        assert row["labels_only"]["n_labelled"] == n
        lo, hi = row["ppi"]["change"]["ci"]
        assert -1 <= lo <= row["ppi"]["change"]["estimate"] <= hi <= 1
