"""The embedded sample: 14 languages that agree record by record, each in its own script."""

from __future__ import annotations

import re
import unicodedata

import pytest

from mseed_multilingual.core import taxonomy
from mseed_multilingual.core.languages import sample_languages
from mseed_multilingual.core.paths import sample_path
from mseed_multilingual.data.records import load_file, stable_id
from mseed_multilingual.data.sample import build_manifest, render

LANGS = sample_languages()
# A prompt must hold at least this share of letters from its language's script.
SCRIPT_PATTERNS = {
    "zh": r"[\u4e00-\u9fff]", "ja": r"[\u3040-\u30ff\u4e00-\u9fff]", "ko": r"[\uac00-\ud7af]",
    "ru": r"[\u0400-\u04ff]", "ar": r"[\u0600-\u06ff]", "th": r"[\u0e00-\u0e7f]",
    "hi": r"[\u0900-\u097f]", "bn": r"[\u0980-\u09ff]",
}
LATIN = r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
MIN_SCRIPT_SHARE = 0.6


def records(lang):
    report = load_file(sample_path() / f"{lang}.jsonl", strict=True)
    return report.records


def test_fourteen_languages_listed_and_present():
    assert LANGS == ["zh", "en", "fr", "de", "es", "ru", "ja", "ko", "ar", "vi", "th", "hi", "bn",
                     "sw"]
    assert sorted(p.stem for p in sample_path().glob("*.jsonl")) == sorted(LANGS)


def test_source_covers_every_subclass_with_two_harmful_and_one_benign():
    zh = records("zh")
    for sub in taxonomy.SUBCLASS_CODES:
        kinds = sorted(r.kind for r in zh if r.subclass == sub)
        assert kinds.count("harmful") >= 2 and kinds.count("benign") >= 1, sub
    assert all(r.id == stable_id(r.prompt) for r in zh)


@pytest.mark.parametrize("lang", LANGS[1:])
def test_translation_agrees_with_source(lang):
    zh = records("zh")
    other = records(lang)
    assert [(r.id, r.kind, r.subclass, r.dimension) for r in other] == [
        (r.id, r.kind, r.subclass, r.dimension) for r in zh]
    assert all(r.lang == lang and r.source_lang == "zh" for r in other)
    assert [r.source_prompt for r in other] == [r.prompt for r in zh]
    assert all(r.prompt.strip() and r.prompt != r.source_prompt for r in other)


@pytest.mark.parametrize("lang", LANGS)
def test_prompts_are_in_the_expected_script(lang):
    pattern = re.compile(SCRIPT_PATTERNS.get(lang, LATIN))
    for r in records(lang):
        letters = [c for c in r.prompt if unicodedata.category(c).startswith("L")]
        share = sum(bool(pattern.match(c)) for c in letters) / len(letters)
        assert share >= MIN_SCRIPT_SHARE, (lang, r.id, r.prompt)
        if lang == "ja":
            assert re.search(r"[\u3040-\u30ff]", r.prompt), r.prompt  # kana, not Chinese
        if lang not in ("zh", "ja"):
            assert not re.search(r"[\u4e00-\u9fff]{2,}", r.prompt), (lang, r.prompt)


def test_manifest_is_current():
    current = (sample_path() / "manifest.json").read_text(encoding="utf-8")
    assert current == render(build_manifest(sample_path())), \
        "run: python -m mseed_multilingual.data.sample"
