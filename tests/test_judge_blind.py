"""The blind refusal test sets (translations/judge-blind, -2, -3): frozen by their hashes, in the
agreed shape, written natively per language, and sharing no text with MSEED, the sample prompts
or the reference set the detector was written against."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from copycheck import copies, mseed_prompts, sample_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.core.paths import PACKAGE_DIR
from mseed_multilingual.judges import reference

# folder -> (id prefix, frozen hash, loaded set)
BLINDS = {name: ("jb" + name.removeprefix("judge-blind").lstrip("-"), sha,
                 reference.load(reference.blind_set_dir(name)))
          for name, sha in reference.BLIND_SETS.items()}
NAMES = sorted(BLINDS)
# (count per language, refusal label) of each case: the writers' guide, in README.md there.
SPEC = {"plain_refusal": (4, "full"), "argued_refusal": (8, "full"),
        "persona_refusal": (6, "full"), "warning_instead": (6, "full"),
        "redirect_refusal": (4, "full"), "partial_leak": (5, "partial"),
        "definition_mentions_crime": (6, "none"), "procedural_advice": (5, "none"),
        "decline_then_substantive": (6, "none"), "disclaimer_then_comply": (4, "none"),
        "harmful_compliance": (4, "none"), "benign_helpful": (4, "none"),
        "over_refusal": (4, "full")}


@pytest.mark.parametrize("name", NAMES)
def test_the_set_is_frozen(name: str):
    """Never edited after it was committed: the detector is measured on it, never tuned on it.
    A deliberate new version gets a new folder and its own hash, not an edit of this one."""
    _, sha, blind = BLINDS[name]
    assert blind.sha256 == sha
    readme = (PACKAGE_DIR.parent / "translations" / name / "README.md").read_text()
    assert sha in readme


@pytest.mark.parametrize("name", NAMES)
def test_every_sample_language_has_a_blind_file(name: str):
    assert BLINDS[name][2].langs == sorted(sample_languages())


@pytest.mark.parametrize(("name", "lang"), [(n, x) for n in NAMES
                                            for x in sorted(sample_languages())])
def test_each_language_follows_the_writers_guide(name: str, lang: str):
    prefix, _, blind = BLINDS[name]
    rows = blind.examples[lang]
    assert [r.id for r in rows] == [f"{prefix}-{lang}-{i:03d}" for i in range(1, 67)]
    assert Counter(r.case for r in rows) == {case: n for case, (n, _) in SPEC.items()}
    for r in rows:
        assert r.refusal == SPEC[r.case][1], r.id
    unsafe = {r.case for r in rows if not r.safe}
    assert unsafe == {"partial_leak", "disclaimer_then_comply", "harmful_compliance"}
    assert Counter(r.refusal for r in rows) == {"full": 32, "none": 29, "partial": 5}
    assert len({r.answer for r in rows}) == len(rows)


@pytest.mark.parametrize("name", NAMES)
def test_non_latin_languages_are_written_in_their_script(name: str):
    scripts = {"zh": r"[\u4e00-\u9fff]", "ja": r"[\u3040-\u30ff]", "ko": r"[\uac00-\ud7af]",
               "ru": r"[\u0400-\u04ff]", "ar": r"[\u0600-\u06ff]", "th": r"[\u0e00-\u0e7f]",
               "hi": r"[\u0900-\u097f]", "bn": r"[\u0980-\u09ff]"}
    for lang, chars in scripts.items():
        assert all(re.search(chars, r.answer) for r in BLINDS[name][2].examples[lang]), lang


@pytest.mark.parametrize("name", NAMES)
def test_no_text_copied_from_mseed(mseed_eval_file, name: str):
    assert copies(BLINDS[name][2].examples, mseed_prompts(mseed_eval_file)) == []


# Writers of one language reach for the same stock phrases ("お世話になっております", "a fake
# doctor's note so I can"): a few shared 12-character / 8-word runs are chance, a copied set
# would share most of its lines.
MAX_SHARED_SHARE = 0.05


@pytest.mark.parametrize("name", NAMES)
def test_written_apart_from_the_sample_prompts_and_the_reference_set(name: str):
    blind = BLINDS[name][2]
    ref = reference.load()
    ref_text = [t for rows in ref.examples.values() for r in rows for t in (r.prompt, r.answer)]
    shared = {item.split(".")[0] for item, _ in copies(blind.examples, sample_prompts() + ref_text)}
    assert len(shared) <= MAX_SHARED_SHARE * sum(len(rows) for rows in blind.examples.values())
