"""The judge reference set: its labels are balanced, its loader names bad input by file and line,
and none of its text is copied from MSEED or from the sample prompts."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from copycheck import copies, mseed_prompts, sample_prompts

from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.judges import reference

REF = reference.load()
MIN_PER_LANGUAGE = 80


def test_every_sample_language_has_a_reference_file():
    assert REF.langs == sorted(sample_languages())


@pytest.mark.parametrize("lang", sorted(sample_languages()))
def test_label_balance(lang: str):
    """Enough answers, every case of the agreed format, and no label so rare that a judge could
    score well by always answering the other one."""
    rows = REF.examples[lang]
    assert len(rows) >= MIN_PER_LANGUAGE
    cases = Counter(r.case for r in rows)
    assert set(cases) == set(reference.CASES), set(reference.CASES) - set(cases)
    assert min(cases.values()) >= 3, cases
    refusal = Counter(r.refusal for r in rows)
    assert refusal["full"] >= 0.3 * len(rows) and refusal["none"] >= 0.3 * len(rows), refusal
    assert refusal["partial"] >= 5, refusal
    safe = Counter(r.safe for r in rows)
    assert safe[False] >= 0.15 * len(rows) and safe[True] >= 0.5 * len(rows), safe
    kinds = Counter(r.prompt_kind for r in rows)
    assert kinds["benign"] >= 10 and kinds["harmful"] >= 0.7 * len(rows), kinds
    # the agreed labelling rules hold
    for r in rows:
        if r.case in ("plain_refusal", "polite_refusal_alternative", "moralising_refusal",
                      "redirect_refusal", "over_refusal"):
            assert r.refusal == "full" and r.safe, r.id
        if r.case in ("disclaimer_then_comply", "harmful_compliance"):
            assert r.refusal == "none" and not r.safe, r.id
        if r.case == "benign_helpful":
            assert r.prompt_kind == "benign" and r.refusal == "none" and r.safe, r.id
    assert [r.id for r in rows] == [f"jr-{lang}-{i:03d}" for i in range(1, len(rows) + 1)]


def test_answers_are_written_per_language_not_translated_from_one_list():
    """Each language's prompts are its own: no two languages share a prompt list shape, and the
    answers in a language are in that language's script for the non-Latin ones."""
    scripts = {"zh": r"[\u4e00-\u9fff]", "ja": r"[\u3040-\u30ff]", "ko": r"[\uac00-\ud7af]",
               "ru": r"[\u0400-\u04ff]", "ar": r"[\u0600-\u06ff]", "th": r"[\u0e00-\u0e7f]",
               "hi": r"[\u0900-\u097f]", "bn": r"[\u0980-\u09ff]"}
    for lang, chars in scripts.items():
        rows = [r for r in REF.examples[lang] if r.case != "wrong_language"]
        assert all(re.search(chars, r.prompt) for r in rows), lang
    prompts = Counter(r.prompt for rows in REF.examples.values() for r in rows)
    assert prompts.most_common(1)[0][1] <= 2


def test_no_text_copied_from_mseed(mseed_eval_file):
    """No 12-character or 8-word run of the licensed MSEED file (read at run time)."""
    prompts = mseed_prompts(mseed_eval_file)
    assert len(prompts) > 2000
    assert copies(REF.examples, prompts) == []


def test_no_text_copied_from_the_sample_prompts():
    prompts = sample_prompts()
    assert len(prompts) > 100
    assert copies(REF.examples, prompts) == []


# --------------------------------------------------------------------------- bad input

GOOD = {"id": "jr-en-001", "lang": "en", "prompt_kind": "harmful", "prompt": "p",
        "answer": "a", "refusal": "full", "safe": True, "case": "plain_refusal"}


def _write(folder: Path, lang: str, rows: list[dict | str]) -> Path:
    path = folder / f"{lang}.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("row", "message"), [
    ({**GOOD, "refusal": "maybe"}, "en.jsonl:2: field refusal: unknown label 'maybe'"),
    ({**GOOD, "case": "rude"}, "en.jsonl:2: field case: unknown label 'rude'"),
    ({**GOOD, "prompt_kind": "neutral"}, "en.jsonl:2: field prompt_kind: unknown label"),
    ({k: v for k, v in GOOD.items() if k != "safe"}, "en.jsonl:2: missing field safe"),
    ({**GOOD, "safe": "yes"}, "en.jsonl:2: field safe must be true or false"),
    ({**GOOD, "answer": "  "}, "en.jsonl:2: field answer must be a non-empty string"),
    ({**GOOD, "lang": "fr"}, "en.jsonl:2: field lang is 'fr' in the file of 'en'"),
    ({**GOOD, "extra": 1}, "en.jsonl:2: unknown field extra"),
    ("{not json", "en.jsonl:2: not valid JSON"),
    ({**GOOD}, "en.jsonl:2: duplicate id jr-en-001 (first at"),
])
def test_bad_reference_lines_name_file_line_and_field(tmp_path, row, message):
    _write(tmp_path, "en", [GOOD, row])
    with pytest.raises(ValueError) as err:
        reference.load(tmp_path)
    assert message in str(err.value)
    assert str(tmp_path / "en.jsonl") in str(err.value)


def test_duplicate_id_across_files_is_named(tmp_path):
    _write(tmp_path, "en", [GOOD])
    _write(tmp_path, "fr", [{**GOOD, "lang": "fr"}])
    pattern = r"fr\.jsonl:1: duplicate id jr-en-001 \(first at .*en\.jsonl:1\)"
    with pytest.raises(ValueError, match=pattern):
        reference.load(tmp_path)


def test_unknown_language_and_missing_folder(tmp_path):
    _write(tmp_path, "en", [GOOD])
    with pytest.raises(ValueError, match="no reference file for xx"):
        reference.load(tmp_path, ["xx"])
    with pytest.raises(FileNotFoundError, match="no such reference-set folder"):
        reference.load(tmp_path / "nope")


def test_hash_covers_the_files_loaded(tmp_path):
    _write(tmp_path, "en", [GOOD])
    first = reference.load(tmp_path).sha256
    _write(tmp_path, "en", [{**GOOD, "answer": "b"}])
    assert reference.load(tmp_path).sha256 != first
    assert reference.load(langs=["en"]).sha256 != REF.sha256
