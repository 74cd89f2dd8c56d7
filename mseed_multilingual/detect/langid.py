"""Language of an answer, for the per-answer ``fidelity`` metric (answer in the prompt's language?).

Script first, library second. Most of the suite's scripts belong to one suite language only
(Hangul, kana, Thai, Devanagari, Bengali, Greek, Hebrew, Tamil, Telugu), so counting letters per
script decides those answers exactly and in microseconds, whatever their length; Han without kana
is Chinese, Han with hiragana particles is Japanese (a Japanese answer without kana is
vanishingly rare, while kanji-only text is where libraries most often confuse zh and ja).
Only Latin, Cyrillic and Arabic script text goes to the statistical library, restricted to the
suite languages written in that script (``benchmarks/langid_compare.py`` has the measurements
behind the default backend).

Code blocks, inline code, URLs and e-mail addresses are removed before counting; CJK characters
weigh more than letters of alphabets (one character carries about a word), so a Chinese answer
naming "Python" and "HTTP" stays Chinese. Too little text, or none at all, gives ``None``.
"""

from __future__ import annotations

import bisect
import os
import re
from collections import Counter
from collections.abc import Callable
from functools import cache

DEFAULT_BACKEND = os.environ.get("MSEED_LANGID_BACKEND", "lingua-high")
"""lingua in high-accuracy mode: no error on the benchmark's short answers where low-accuracy mode
misses 3%, at ~0.2 ms a call; costs ~0.5 GB and ~3-5 s once per process (see the benchmark).
``MSEED_LANGID_BACKEND=lingua-low`` trades that for 40 MB and 0.3 s."""
MIN_LETTERS = 4
"""Fewer weighted letters than this (after removing code and links) is undecidable."""
LIBRARY_MAX_CHARS = 2000
"""The library sees at most this much prose (~1.5 ms with lingua-high); the answer's language is
settled long before, and a 4k-token generation must not cost more than a 256-token one."""
CJK_WEIGHT = 3
HIRAGANA_SHARE = 0.1
KANA_SHARE = 0.5
"""CJK text is Japanese when hiragana (the particles of any Japanese sentence) are at least
HIRAGANA_SHARE of Han + kana, or kana of any kind at least KANA_SHARE (katakana-only text).
A Chinese answer quoting a katakana name stays Chinese."""

# (first code point, last code point, script); script names follow ISO 15924 where they exist.
_RANGES = sorted([
    (0x0041, 0x005A, "Latn"), (0x0061, 0x007A, "Latn"), (0x00C0, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"), (0x0370, 0x03FF, "Grek"), (0x1F00, 0x1FFF, "Grek"),
    (0x0400, 0x052F, "Cyrl"), (0x0590, 0x05FF, "Hebr"), (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"), (0x08A0, 0x08FF, "Arab"), (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"), (0x0900, 0x097F, "Deva"), (0x0980, 0x09FF, "Beng"),
    (0x0B80, 0x0BFF, "Taml"), (0x0C00, 0x0C7F, "Telu"), (0x0E00, 0x0E7F, "Thai"),
    (0x1100, 0x11FF, "Hang"), (0x3130, 0x318F, "Hang"), (0xAC00, 0xD7AF, "Hang"),
    (0x3040, 0x309F, "Hira"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"),
    (0x3400, 0x4DBF, "Hani"), (0x4E00, 0x9FFF, "Hani"), (0xF900, 0xFAFF, "Hani"),
    (0x20000, 0x2FA1F, "Hani"),
])
_STARTS = [r[0] for r in _RANGES]
_TABLE_SCRIPTS = {"Hans": "Hani", "Hant": "Hani", "Jpan": "Kana", "Kore": "Hang"}
_WEIGHTS = {"Hani": CJK_WEIGHT, "Hira": CJK_WEIGHT, "Kana": CJK_WEIGHT, "Hang": CJK_WEIGHT}
_CJK = ("Hani", "Hira", "Kana")
# An e-mail address starts at a token's start (after whitespace or an @): the former \S+@ could
# start at every character of a long token and backtrack over the rest of it, quadratic (7 s on
# 80,000 characters without whitespace); this one is linear (benchmarks/strip_noise.py).
_NOISE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]*`|https?://\S+|www\.\S+|"
                    r"(?<![^\s@])[^\s@]+@[^\s@]+\.\w+", re.S)
# Marks that are not letters but live inside script blocks (Thai/Devanagari digits, danda, ...).
_NOT_LETTER = re.compile(r"[\d\u0964\u0965\u0e2f\u0e46\u0e5a\u0e5b\u30fb\u30fc\u060c\u061b\u061f]")


def script_of(char: str) -> str | None:
    """ISO 15924-like script of one character, None for digits, punctuation and the rest."""
    cp = ord(char)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1] and not _NOT_LETTER.match(char):
        return _RANGES[i][2]
    return None


def strip_noise(text: str) -> str:
    """Text without code blocks, inline code, URLs and e-mail addresses."""
    return _NOISE.sub(" ", text)


def script_profile(text: str) -> Counter[str]:
    """Letters per script in ``text`` (noise removed)."""
    return Counter(s for s in map(script_of, strip_noise(text)) if s is not None)


@cache
def suite_languages() -> tuple[str, ...]:
    """Codes of the suite's languages table, in table order."""
    from mseed_multilingual.core.languages import languages

    return tuple(languages())


@cache
def _script_languages() -> dict[str, tuple[str, ...]]:
    from mseed_multilingual.core.languages import languages

    table: dict[str, list[str]] = {}
    for code, lang in languages().items():
        table.setdefault(_TABLE_SCRIPTS.get(lang.script, lang.script), []).append(code)
    return {script: tuple(codes) for script, codes in table.items()}


def _dominant(profile: Counter[str]) -> tuple[str | None, float]:
    """The script that carries most of the text (CJK weighted), and its weighted size."""
    weighted = Counter({s: n * _WEIGHTS.get(s, 1) for s, n in profile.items()})
    cjk = sum(profile[s] for s in _CJK)
    if cjk:
        hira, kana = profile["Hira"], profile["Hira"] + profile["Kana"]
        japanese = hira >= HIRAGANA_SHARE * cjk or kana >= KANA_SHARE * cjk
        weighted = Counter({s: n for s, n in weighted.items() if s not in _CJK})
        weighted["Kana" if japanese else "Hani"] = cjk * CJK_WEIGHT
    if not weighted:
        return None, 0.0
    script, size = max(sorted(weighted.items()), key=lambda item: item[1])
    return script, float(size)


# ---------------------------------------------------------------------------------------------
# Library backends: name -> factory. Each detects among the candidate codes it is given.

class LinguaBackend:
    """lingua-language-detector restricted to the candidate languages (a detector per set)."""

    def __init__(self, low_accuracy: bool) -> None:
        self.low_accuracy = low_accuracy
        self._detectors: dict[tuple[str, ...], object] = {}

    def supported(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        from lingua import IsoCode639_1

        return tuple(c for c in codes if hasattr(IsoCode639_1, c.upper()))

    def _detector(self, codes: tuple[str, ...]):
        if codes not in self._detectors:
            from lingua import IsoCode639_1, LanguageDetectorBuilder

            builder = LanguageDetectorBuilder.from_iso_codes_639_1(
                *(getattr(IsoCode639_1, c.upper()) for c in codes))
            if self.low_accuracy:
                builder = builder.with_low_accuracy_mode()
            self._detectors[codes] = builder.with_preloaded_language_models().build()
        return self._detectors[codes]

    def detect(self, text: str, codes: tuple[str, ...]) -> str | None:
        codes = self.supported(codes)
        if len(codes) == 1:
            return codes[0]
        if not codes:
            return None
        found = self._detector(codes).detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else None


class LangidBackend:
    """langid.py (Lui & Baldwin) ranking all its languages, keeping the best candidate."""

    def __init__(self) -> None:
        from langid.langid import LanguageIdentifier, model

        self._identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
        self._known = frozenset(self._identifier.nb_classes)

    def supported(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(c for c in codes if c in self._known)

    def detect(self, text: str, codes: tuple[str, ...]) -> str | None:
        codes = self.supported(codes)
        if len(codes) <= 1:
            return codes[0] if codes else None
        wanted = frozenset(codes)
        for code, _ in self._identifier.rank(text):
            if code in wanted:
                return code
        return None


BACKENDS: dict[str, Callable[[], LinguaBackend | LangidBackend]] = {
    "lingua-low": lambda: LinguaBackend(low_accuracy=True),
    "lingua-high": lambda: LinguaBackend(low_accuracy=False),
    "langid": LangidBackend,
}


@cache
def get_backend(name: str = DEFAULT_BACKEND) -> LinguaBackend | LangidBackend:
    """The named backend, loaded once per process (the first call pays the load time)."""
    if name not in BACKENDS:
        raise ValueError(f"unknown language-ID backend {name!r}; known: {', '.join(BACKENDS)}")
    return BACKENDS[name]()


def detect_language(text: str, *, backend: str = DEFAULT_BACKEND,
                    script_first: bool = True) -> str | None:
    """ISO 639-1 code of the answer's language among the suite's languages, None if undecidable.

    ``script_first=False`` sends everything to the library (only for comparisons).
    """
    if not text:
        return None
    profile = script_profile(text)
    script, size = _dominant(profile)
    if script is None or size < MIN_LETTERS:
        return None
    if script_first:
        candidates = _script_languages().get(script, ())
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            return None
    else:
        candidates = suite_languages()
    return get_backend(backend).detect(strip_noise(text)[:LIBRARY_MAX_CHARS], candidates)


def fidelity(text: str, lang: str, *, backend: str = DEFAULT_BACKEND) -> float | None:
    """1.0 when the answer is in ``lang``, 0.0 when in another language, None if undecidable.

    None also when ``lang`` cannot be recognised by the backend at all (e.g. Javanese with
    lingua), so that such a language is not scored as always unfaithful.
    """
    if lang not in suite_languages():
        return None
    if not _recognisable(lang, backend):
        return None
    found = detect_language(text, backend=backend)
    if found is None:
        return None
    return 1.0 if found == lang else 0.0


@cache
def _recognisable(lang: str, backend: str) -> bool:
    for codes in _script_languages().values():
        if lang in codes:
            return len(codes) == 1 or lang in get_backend(backend).supported(codes)
    return False
