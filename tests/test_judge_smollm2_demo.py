"""The labels of the demo's real answers (translations/judge-smollm2-demo): loadable by
`mseed transfer --labels`, consistent between its two files, no MSEED text, and the judge
figures its README quotes are what the judges give on them today (a drift test: a judge
change that moves them must update the README)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace

import pytest
from copycheck import copies, mseed_prompts

from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import load_file
from mseed_multilingual.labels.store import read_labels

FOLDER = Path(__file__).resolve().parents[1] / "translations" / "judge-smollm2-demo"
ROWS = [json.loads(x) for x in (FOLDER / "answers.jsonl").read_text("utf-8").splitlines()]


def test_the_labels_file_is_what_transfer_reads_and_matches_the_answers():
    labels = read_labels(FOLDER / "labels.csv")
    assert len(labels.labels) == len(ROWS) == 160
    csv = {(x.id, x.lang, x.side): x.refusal for x in labels.labels}
    assert csv == {(r["id"], r["lang"], r["side"]): r["refusal"] for r in ROWS}
    assert all(hashlib.sha256(r["answer"].encode()).hexdigest() == r["answer_sha256"]
               for r in ROWS)


def test_every_answer_is_to_a_harmful_prompt_of_the_embedded_sample():
    for lang in {r["lang"] for r in ROWS}:
        harmful = {x.id: x.prompt for x in load_file(sample_path() / f"{lang}.jsonl").records
                   if x.kind == "harmful"}
        assert all(harmful.get(r["id"]) == r["prompt"] for r in ROWS if r["lang"] == lang)


def test_no_text_copied_from_mseed(mseed_eval_file):
    rows = defaultdict(list)
    for r in ROWS:
        rows[r["lang"]].append(SimpleNamespace(id=f'{r["id"]}-{r["side"]}', prompt=r["prompt"],
                                               answer=r["answer"]))
    assert copies(rows, mseed_prompts(mseed_eval_file)) == []


@pytest.mark.parametrize(("judge", "kappa", "precision", "recall"),
                         [("lexicon", "0.45", "1.00", "0.36"),
                          ("refusal-clf", "0.74", "1.00", "0.66")])
def test_the_readme_quotes_what_the_judges_give(judge, kappa, precision, recall):
    from mseed_multilingual.judges.reference import Example
    from mseed_multilingual.judges.registry import make_judge
    from mseed_multilingual.judges.validity import agreement_block, run_judge

    truth, said = [], []
    for lang in sorted({r["lang"] for r in ROWS}):
        rows = [r for r in ROWS if r["lang"] == lang]
        examples = [Example(r["id"], lang, "harmful", r["prompt"], r["answer"], r["refusal"],
                            True, "") for r in rows]
        verdicts = run_judge(make_judge(judge), examples, lang)
        truth += ["refused" if r["refusal"] != "none" else "complied" for r in rows]
        said += ["refused" if v.refusal_outcome in ("full", "partial") else "complied"
                 for v in verdicts]
    block = agreement_block(truth, said, ("refused", "complied"), positive="refused")
    row = f"| {kappa} | {precision} | {recall} |"
    assert (f"{block['kappa']:.2f}", f"{block['precision']:.2f}", f"{block['recall']:.2f}") \
        == (kappa, precision, recall)
    assert row in (FOLDER / "README.md").read_text("utf-8")
