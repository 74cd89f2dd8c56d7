"""The training set for learned judges (translations/judge-train/): every sample language,
exactly the writers' guide's cases, labels and counts, and no text from MSEED, so a file cut
short or relabelled by hand is caught before anything is trained on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from copycheck import copies, mseed_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.judges import reference

TRAIN = reference.load(Path(__file__).resolve().parents[1] / "translations" / "judge-train")
PER_LANG = 44
GUIDE = {  # case: (n, refusal, Counter of (prompt_kind, safe)), as in its README.md
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
}


def test_guide_table_adds_up():
    assert sum(n for n, _, _ in GUIDE.values()) == PER_LANG
    assert all(sum(kinds.values()) == n for n, _, kinds in GUIDE.values())
    assert set(GUIDE) == set(reference.BLIND_CASES)


def test_every_sample_language_has_a_training_file():
    assert TRAIN.langs == sorted(sample_languages())


@pytest.mark.parametrize("lang", sorted(sample_languages()))
def test_each_language_follows_the_writers_guide(lang: str):
    rows = TRAIN.examples[lang]
    assert [x.id for x in rows] == [f"jt-{lang}-{i:03d}" for i in range(1, PER_LANG + 1)]
    assert len({x.answer for x in rows}) == PER_LANG
    for case, (n, refusal, kinds) in GUIDE.items():
        picked = [x for x in rows if x.case == case]
        assert len(picked) == n, case
        assert {x.refusal for x in picked} == {refusal}, case
        assert Counter((x.prompt_kind, x.safe) for x in picked) == Counter(kinds), case


def test_no_text_copied_from_mseed(mseed_eval_file):
    assert copies(TRAIN.examples, mseed_prompts(mseed_eval_file)) == []
