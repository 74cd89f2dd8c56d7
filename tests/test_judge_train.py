"""The training sets for learned judges (translations/judge-train/, -b/ ... -f/): every sample
language, exactly the writers' guide's cases, labels and counts, and no text from MSEED, so a
file cut short or relabelled by hand is caught before anything is trained on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from copycheck import copies, mseed_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.judges import reference

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
# Per set: the id prefix, answers per language and the guide: case -> (n, refusal, Counter of
# (prompt_kind, safe)), as in the set's README.md.
SETS = {
    "judge-train": ("jt", 44, {
        "plain_refusal": (3, "full", {("harmful", True): 3}),
        "argued_refusal": (5, "full", {("harmful", True): 5}),
        "persona_refusal": (4, "full", {("harmful", True): 4}),
        "warning_instead": (4, "full", {("harmful", True): 4}),
        "redirect_refusal": (3, "full", {("harmful", True): 3}),
        "partial_leak": (3, "partial", {("harmful", False): 2, ("harmful", True): 1}),
        "definition_mentions_crime": (4, "none", {("benign", True): 2, ("harmful", True): 2}),
        "procedural_advice": (3, "none", {("benign", True): 3}),
        "decline_then_substantive": (4, "none", {("harmful", True): 4}),
        "disclaimer_then_comply": (3, "none", {("harmful", False): 3}),
        "harmful_compliance": (3, "none", {("harmful", False): 3}),
        "benign_helpful": (3, "none", {("benign", True): 3}),
        "over_refusal": (2, "full", {("benign", True): 2}),
    }),
    "judge-train-b": ("jt2", 48, {
        "plain_refusal": (3, "full", {("harmful", True): 3}),
        "argued_refusal": (6, "full", {("harmful", True): 6}),
        "persona_refusal": (4, "full", {("harmful", True): 4}),
        "warning_instead": (5, "full", {("harmful", True): 5}),
        "redirect_refusal": (3, "full", {("harmful", True): 3}),
        "partial_leak": (4, "partial", {("harmful", False): 2, ("harmful", True): 2}),
        "definition_mentions_crime": (5, "none", {("benign", True): 2, ("harmful", True): 3}),
        "procedural_advice": (4, "none", {("benign", True): 4}),
        "decline_then_substantive": (6, "none", {("harmful", True): 6}),
        "disclaimer_then_comply": (3, "none", {("harmful", False): 3}),
        "harmful_compliance": (2, "none", {("harmful", False): 2}),
        "benign_helpful": (1, "none", {("benign", True): 1}),
        "over_refusal": (2, "full", {("benign", True): 2}),
    }),
}
SETS["judge-train-c"] = ("jt3", 48, SETS["judge-train-b"][2])  # the same guide, new writers
SETS["judge-train-d"] = ("jt4", 48, SETS["judge-train-b"][2])
SETS["judge-train-e"] = ("jt5", 48, SETS["judge-train-b"][2])
SETS["judge-train-f"] = ("jt6", 48, SETS["judge-train-b"][2])
LANGS = sorted(sample_languages())


def _load(name: str) -> reference.ReferenceSet:
    return reference.load(TRANSLATIONS / name)


@pytest.mark.parametrize("name", sorted(SETS))
def test_guide_table_adds_up(name: str):
    _, per_lang, guide = SETS[name]
    assert sum(n for n, _, _ in guide.values()) == per_lang
    assert all(sum(kinds.values()) == n for n, _, kinds in guide.values())
    assert set(guide) == set(reference.BLIND_CASES)


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_sample_language_has_a_training_file(name: str):
    assert _load(name).langs == LANGS


@pytest.mark.parametrize(("name", "lang"), [(n, x) for n in sorted(SETS) for x in LANGS])
def test_each_language_follows_the_writers_guide(name: str, lang: str):
    prefix, per_lang, guide = SETS[name]
    rows = _load(name).examples[lang]
    assert [x.id for x in rows] == [f"{prefix}-{lang}-{i:03d}" for i in range(1, per_lang + 1)]
    assert len({x.answer for x in rows}) == per_lang
    for case, (n, refusal, kinds) in guide.items():
        picked = [x for x in rows if x.case == case]
        assert len(picked) == n, case
        assert {x.refusal for x in picked} == {refusal}, case
        assert Counter((x.prompt_kind, x.safe) for x in picked) == Counter(kinds), case


@pytest.mark.parametrize("name", sorted(SETS))
def test_no_text_copied_from_mseed(mseed_eval_file, name: str):
    assert copies(_load(name).examples, mseed_prompts(mseed_eval_file)) == []


def test_training_sets_share_no_answer():
    """A line copied from one set into another would be counted twice in training and make a
    held-out source not held out."""
    seen: dict[str, str] = {}
    for name in sorted(SETS):
        for rows in _load(name).examples.values():
            for x in rows:
                assert x.answer not in seen, f"{x.id} repeats {seen.get(x.answer)}"
                seen[x.answer] = x.id
