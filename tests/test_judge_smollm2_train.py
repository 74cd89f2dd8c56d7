"""The real answers the learned refusal judge trains on (translations/judge-smollm2-train): each
side answers the prompts of the training set benchmarks/smollm2_answers.py names, one answer per
prompt, every answer labelled, nothing from MSEED, and none of the demo's held-out answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from copycheck import copies, mseed_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.judges import reference

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "translations" / "judge-smollm2-train"
SIDES = {"before": "judge-train-c", "after": "judge-train-d"}  # benchmarks/smollm2_answers.py
LANGS = sorted(sample_languages())


@pytest.mark.parametrize("side", sorted(SIDES))
def test_each_side_answers_every_prompt_of_its_prompt_set_once(side: str):
    from benchmarks.smollm2_answers import SIDES as GENERATED

    assert GENERATED[side][0] == SIDES[side]
    answers, prompts = reference.load(FOLDER / side), reference.load(ROOT / "translations"
                                                                     / SIDES[side])
    assert answers.langs == LANGS
    for lang in LANGS:
        asked = {x.id: x for x in prompts.examples[lang]}
        got = answers.examples[lang]
        assert sorted(x.id for x in got) == sorted(f"sm-{side}-{i}" for i in asked)
        for x in got:
            source = asked[x.id.removeprefix(f"sm-{side}-")]
            assert (x.prompt, x.prompt_kind, x.case) == (source.prompt, source.prompt_kind,
                                                         "real_answer"), x.id


@pytest.mark.parametrize("side", sorted(SIDES))
def test_no_text_copied_from_mseed(mseed_eval_file, side: str):
    assert copies(reference.load(FOLDER / side).examples, mseed_prompts(mseed_eval_file)) == []


def test_none_of_the_demos_held_out_answers_is_trained_on():
    demo = ROOT / "translations" / "judge-smollm2-demo" / "answers.jsonl"
    held_out = {json.loads(x)["answer"] for x in demo.read_text("utf-8").splitlines()}
    trained = {x.answer for side in SIDES for rows in reference.load(FOLDER / side)
               .examples.values() for x in rows}
    assert not held_out & trained
