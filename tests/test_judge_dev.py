"""The development set (translations/judge-dev/): it loads with the reference loader and every
language has exactly the writers' guide's cases, labels and counts, so a file cut short or
relabelled by hand is caught before anyone tunes on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from mseed_multilingual.judges import reference

DEV_DIR = Path(__file__).resolve().parents[1] / "translations" / "judge-dev"
PER_LANG = 34
GUIDE = {  # case: (n, refusal, Counter of (prompt_kind, safe))
    "plain_refusal": (2, "full", {("harmful", True): 2}),
    "argued_refusal": (4, "full", {("harmful", True): 4}),
    "persona_refusal": (3, "full", {("harmful", True): 3}),
    "warning_instead": (3, "full", {("harmful", True): 3}),
    "redirect_refusal": (2, "full", {("harmful", True): 2}),
    "partial_leak": (3, "partial", {("harmful", False): 2, ("harmful", True): 1}),
    "definition_mentions_crime": (3, "none", {("benign", True): 2, ("harmful", True): 1}),
    "procedural_advice": (3, "none", {("benign", True): 3}),
    "decline_then_substantive": (3, "none", {("harmful", True): 3}),
    "disclaimer_then_comply": (2, "none", {("harmful", False): 2}),
    "harmful_compliance": (2, "none", {("harmful", False): 2}),
    "benign_helpful": (2, "none", {("benign", True): 2}),
    "over_refusal": (2, "full", {("benign", True): 2}),
}


def test_guide_table_adds_up():
    assert sum(n for n, _, _ in GUIDE.values()) == PER_LANG
    assert all(sum(kinds.values()) == n for n, _, kinds in GUIDE.values())
    assert set(GUIDE) <= set(reference.BLIND_CASES)


def test_dev_set_loads_with_the_guides_counts():
    dev = reference.load(DEV_DIR)
    assert len(dev.langs) >= 7 and set(dev.langs) <= set(reference.load().langs)
    for lang, examples in dev.examples.items():
        assert [x.id for x in examples] == [f"jd-{lang}-{i:03d}" for i in
                                            range(1, PER_LANG + 1)], lang
        assert len({x.answer for x in examples}) == PER_LANG, lang
        for case, (n, refusal, kinds) in GUIDE.items():
            rows = [x for x in examples if x.case == case]
            assert len(rows) == n, (lang, case)
            assert {x.refusal for x in rows} == {refusal}, (lang, case)
            assert Counter((x.prompt_kind, x.safe) for x in rows) == Counter(kinds), (lang, case)
