"""The refusal detector's house: one module per language, each filling every table.

A language is one file in ``detect/refusal/langs/`` defining ``LEXICON``; these tests make a
forgotten table or a pattern that does not compile fail here, not as a silent 0% refusal rate.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import fields

import pytest

from mseed_multilingual.detect.refusal import LANGS, classify
from mseed_multilingual.detect.refusal.lexicon import (
    OPTIONAL_FIELDS,
    PATTERN_FIELDS,
    Lexicon,
    lexicons,
)
from mseed_multilingual.detect.refusal.normalize import prepare

SAMPLE_LANGS = {"ar", "bn", "de", "en", "es", "fr", "hi", "ja", "ko", "ru", "sw", "th", "vi", "zh"}


def test_the_fourteen_sample_languages_each_have_one_module():
    assert set(LANGS) == SAMPLE_LANGS
    assert list(lexicons()) == sorted(SAMPLE_LANGS)


@pytest.mark.parametrize("lang", sorted(SAMPLE_LANGS))
@pytest.mark.parametrize("field", [f for f in PATTERN_FIELDS if f not in OPTIONAL_FIELDS])
def test_every_language_fills_every_table(lang: str, field: str):
    value = getattr(lexicons()[lang], field)
    patterns = value if isinstance(value, tuple) else (value,)
    assert patterns and all(isinstance(p, str) and p.strip() for p in patterns), (lang, field)
    for pattern in patterns:
        compiled = re.compile(prepare(pattern))
        assert not compiled.fullmatch(""), f"{lang}.{field} matches the empty text: {pattern}"


@pytest.mark.parametrize("lang", sorted(SAMPLE_LANGS))
def test_optional_tables_compile_when_present(lang: str):
    lexicon = lexicons()[lang]
    for field in OPTIONAL_FIELDS:
        value = getattr(lexicon, field)
        assert value is None or re.compile(prepare(value))


def test_the_optional_fields_are_the_documented_ones():
    names = {f.name for f in fields(Lexicon)}
    assert set(OPTIONAL_FIELDS) <= names
    assert {f.name for f in fields(Lexicon) if f.default is not None and f.name not in
            ("code", "name")} == set(PATTERN_FIELDS) - set(OPTIONAL_FIELDS)


def test_a_new_language_is_one_file(tmp_path, monkeypatch):
    """A module dropped into langs/ is found by the registry, with no other table to edit."""
    package = importlib.import_module("mseed_multilingual.detect.refusal.langs")
    en = lexicons()["en"]
    code = "zz"
    source = ("from dataclasses import replace\n"
              "from mseed_multilingual.detect.refusal.langs.en import LEXICON as EN\n"
              "LEXICON = replace(EN, code='zz', name='Test',\n"
              "                  decline=(r'\\bnope-nope\\b',))\n")
    (tmp_path / f"{code}.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(tmp_path)])
    lexicons.cache_clear()
    try:
        found = lexicons()
        assert code in found and found["en"] == en
        assert found[code].decline == (r"\bnope-nope\b",)
    finally:
        lexicons.cache_clear()
    assert classify("I can't help with that.", "en").outcome == "full"
