"""Copy checks for the project's labelled sets: none of their text may come from MSEED (the
user's licensed data, read at run time) or from another of the project's sets."""

from __future__ import annotations

import re

CHAR_GRAM = 12
WORD_GRAM = 8

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff00-\uffef"
                  r"\u3000-\u303f]+")
_THAI = re.compile(r"[\u0e00-\u0e7f]+")
THAI_GRAM = 24  # Thai letters and marks are about half a CJK character's worth of meaning


def _char_grams(text: str) -> set[str]:
    """Character runs of the scripts written without spaces between words: 12 characters of
    Chinese, Japanese or Korean, 24 of Thai, are a copied phrase. Spaced scripts are compared by
    word 8-grams (two common words already make 12 characters)."""
    grams = set()
    for pattern, n in ((_CJK, CHAR_GRAM), (_THAI, THAI_GRAM)):
        for run in pattern.findall(text):
            grams |= {run[i:i + n] for i in range(len(run) - n + 1)}
    return grams


_WORD_BREAK = re.compile(r"[\s.,!?;:()\[\]\"'«»“”„।॥—–\-/、。，！？：；]+")


def _word_grams(text: str, n: int = WORD_GRAM) -> set[tuple[str, ...]]:
    """Word n-grams; words split on spaces and punctuation (not ``\\w``, which would cut
    Devanagari and Bengali words at their vowel signs)."""
    words = [w for w in _WORD_BREAK.split(text.casefold()) if w]
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def copies(examples: dict[str, list], sources: list[str]) -> list[tuple[str, str]]:
    """(example id.field, first shared run) of every prompt or answer in ``examples`` (lang ->
    rows) that shares a run with any of ``sources``."""
    chars = set().union(*(_char_grams(s) for s in sources))
    words = set().union(*(_word_grams(s) for s in sources))
    found = []
    for rows in examples.values():
        for r in rows:
            for field in ("prompt", "answer"):
                text = getattr(r, field)
                shared = (_char_grams(text) & chars) or (_word_grams(text) & words)
                if shared:
                    found.append((f"{r.id}.{field}", str(sorted(shared)[0])))
    return found


def mseed_prompts(path) -> list[str]:
    from mseed_multilingual.data.records import load_file

    return [r.prompt for r in load_file(path).records]


def sample_prompts() -> list[str]:
    from mseed_multilingual.core.languages import sample_languages
    from mseed_multilingual.core.paths import sample_path
    from mseed_multilingual.data.records import load_language

    return [r.prompt for lang in sample_languages()
            for r in load_language(sample_path(), lang).records]
