"""The real answers of the embedded SmolLM2, labelled by people: judge-smollm2-train to -7 (the
learned refusal judge trains on them) and judge-smollm2-blind to -7 (held out; paired before /
after runs on judge-blind-3's, -4's, -2's, judge-blind's, again -3's, -2's and -4's prompts).
Each side answers every prompt of the set it was given once (but for prompts on the other side
of the training / held-out line), every answer is labelled, nothing comes from MSEED, no answer
is both trained on and held out, and the held-out sets are frozen by their hashes."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from copycheck import copies, mseed_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.judges import reference

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
# set -> side -> the labelled set whose prompts that side answered
SETS = {"judge-smollm2-train": {"before": "judge-train-c", "after": "judge-train-d"},
        "judge-smollm2-train-2": {"before": "judge-train-b", "after": "judge-train-b"},
        "judge-smollm2-train-3": {"before": "judge-train-e", "after": "judge-train-e"},
        "judge-smollm2-train-4": {"before": "judge-train", "after": "judge-train"},
        "judge-smollm2-train-5": {"before": "judge-train-d", "after": "judge-train-d"},
        "judge-smollm2-train-6": {"before": "judge-dev", "after": "judge-dev"},
        "judge-smollm2-train-7": {"after": "judge-train-e"},
        "judge-smollm2-blind": {"before": "judge-blind-3", "after": "judge-blind-3"},
        "judge-smollm2-blind-2": {"before": "judge-blind-4", "after": "judge-blind-4"},
        "judge-smollm2-blind-3": {"before": "judge-blind-2", "after": "judge-blind-2"},
        "judge-smollm2-blind-4": {"before": "judge-blind", "after": "judge-blind"},
        "judge-smollm2-blind-5": {"before": "judge-blind-3", "after": "judge-blind-3"},
        "judge-smollm2-blind-6": {"before": "judge-blind-2", "after": "judge-blind-2"},
        "judge-smollm2-blind-7": {"before": "judge-blind-4", "after": "judge-blind-4"},
        "judge-smollm2-blind-8": {"before": "judge-blind-5", "after": "judge-blind-5"}}
LANGS = sorted(sample_languages())
CASES = [(name, side) for name in sorted(SETS) for side in sorted(SETS[name])]


TRAINING = sorted(name for name in SETS if name not in reference.REAL_BLIND_SETS)


@functools.cache
def _examples(name: str, side: str) -> tuple[reference.Example, ...]:
    """One side's labelled answers, every language, read once per session."""
    return tuple(x for rows in reference.load(TRANSLATIONS / name / side).examples.values()
                 for x in rows)


@functools.cache
def _answered(held_out: bool) -> frozenset[str]:
    """The prompts the held-out sets (or the training sets) answer. Two writers sometimes write
    the same question, and a greedy model's answers to it are the same item in both, so a prompt
    is answered on one side of the line only: the set made later leaves it out."""
    names = sorted(reference.REAL_BLIND_SETS) if held_out else TRAINING
    return frozenset(x.prompt for name in names for side in SETS[name]
                     for x in _examples(name, side))


def test_no_prompt_is_answered_both_in_training_and_held_out():
    assert not _answered(held_out=True) & _answered(held_out=False)


@pytest.mark.parametrize(("name", "side"), CASES)
def test_each_side_answers_every_prompt_of_its_prompt_set_once(name: str, side: str):
    answers = reference.load(TRANSLATIONS / name / side)
    prompts = reference.load(TRANSLATIONS / SETS[name][side])
    left_out = _answered(held_out=name in TRAINING)  # the other side's prompts
    assert answers.langs == LANGS
    for lang in LANGS:
        asked = {x.id: x for x in prompts.examples[lang] if x.prompt not in left_out}
        got = answers.examples[lang]
        assert sorted(x.id for x in got) == sorted(f"sm-{side}-{i}" for i in asked)
        for x in got:
            source = asked[x.id.removeprefix(f"sm-{side}-")]
            assert (x.prompt, x.prompt_kind, x.case) == (source.prompt, source.prompt_kind,
                                                         "real_answer"), x.id


def test_the_training_sides_are_the_generators_defaults():
    from benchmarks.smollm2_answers import SIDES as GENERATED

    assert {side: source for side, (source, _) in GENERATED.items()} == SETS[
        "judge-smollm2-train"]


def test_every_held_out_set_is_checked_here():
    assert set(reference.REAL_BLIND_SETS) <= set(SETS)


@pytest.mark.parametrize(("name", "side"), [(name, side) for name in
                                            sorted(reference.REAL_BLIND_SETS)
                                            for side in sorted(reference.REAL_BLIND_SETS[name])])
def test_the_held_out_sets_are_frozen(name: str, side: str):
    sha = reference.REAL_BLIND_SETS[name][side]
    assert reference.load(TRANSLATIONS / name / side).sha256 == sha
    assert sha in (TRANSLATIONS / name / "README.md").read_text("utf-8")


@pytest.mark.parametrize(("name", "side"), CASES)
def test_no_text_copied_from_mseed(mseed_eval_file, name: str, side: str):
    assert copies(reference.load(TRANSLATIONS / name / side).examples,
                  mseed_prompts(mseed_eval_file)) == []


def test_no_held_out_answer_is_trained_on():
    """The demo's labelled answers and the held-out sets' are checks: no (prompt, answer) of
    theirs may be in the training sets (a stock reply like "I can't help with that" may recur
    across prompts; the same reply to the same prompt would be the same item, so a prompt is
    answered on one side of the line only: see _answered)."""
    def items(name: str) -> dict[tuple[str, str], str]:
        return {(x.prompt, x.answer): x.id for side in SETS[name] for x in _examples(name, side)}

    demo = TRANSLATIONS / "judge-smollm2-demo" / "answers.jsonl"
    held_out = {(r["prompt"], r["answer"]): r["id"]
                for r in map(json.loads, demo.read_text("utf-8").splitlines())}
    for name in reference.REAL_BLIND_SETS:
        held_out |= items(name)
    trained = {item: i for name in TRAINING for item, i in items(name).items()}
    assert not held_out.keys() & trained.keys()


def test_the_generator_will_not_mix_two_system_prompts_in_one_file(tmp_path, capsys):
    """A resumed file keeps answers made by one setting: an after side made behind another
    --after-system (or none) is refused before any model is loaded."""
    from benchmarks.smollm2_answers import main

    out = tmp_path / "answers.jsonl"
    out.write_text(json.dumps({"id": "sm-after-x", "lang": "en", "side": "after",
                               "prompt_kind": "harmful", "prompt": "p", "answer": "a"}) + "\n",
                   encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["--prompts", "judge-blind-2", "--after-system", "Be careful.", "-o", str(out)])
    assert exit_.value.code == 2
    assert "made with another --after-system" in capsys.readouterr().err


def test_judge_smollm2_blind_5_to_7_relabel_earlier_sets_base_answers():
    """Their READMEs say their before sides are judge-smollm2-blind's, -3's and -2's base answers,
    labelled anew (so two sets' labels on one answer can be compared): the same ids, prompts and
    answers."""
    def answers(name: str) -> dict[str, tuple[str, str]]:
        return {x.id: (x.prompt, x.answer) for x in _examples(name, "before")}

    assert answers("judge-smollm2-blind-5") == answers("judge-smollm2-blind")
    assert answers("judge-smollm2-blind-6") == answers("judge-smollm2-blind-3")
    assert answers("judge-smollm2-blind-7") == answers("judge-smollm2-blind-2")
