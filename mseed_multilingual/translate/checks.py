"""Is an answer a translation at all? Empty, unchanged, refusing or wrong-language answers are not.

A translation that is not one must never reach a language file: it would be scored as the
model's answer to a prompt that was never asked. Four rules, each final for a greedy backend
(the same request gives the same answer), so the verdict is cached with the answer:

* ``empty`` and ``unchanged`` (the source handed back, up to case and spacing);
* ``refused``: the refusal detector's first-person declines (every suite language's phrases
  are tried on every answer), and what a chat model says *about* translating instead of
  translating: it names itself a translator, says it cannot translate, or opens with an apology
  followed by "but" ("I'm sorry, but I'm a professional translator ..."). These phrases are
  listed per language below, because a translator answers in the target language, in the
  source language or in English, whatever the target. A phrase that the source text itself
  contains (a prompt about translating, a prompt that apologises) does not count;
* ``wrong language``: the answer is detected as another language than the target (only where
  the language-ID module can recognise the target), or, for a target it cannot recognise, as
  the source language in another script than the target's ("still Chinese" for Javanese).

The checks are versioned (:data:`CHECKS_VERSION`, in the manifest) and re-applied to answers
already in the cache, so a rule added later also removes what an earlier run let through.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

CHECKS_VERSION = "mseed-translate-checks/2"

# An apology opening a sentence and turned by "but": the shape of a decline in any language.
APOLOGY_BUT = (
    r"^(?:i'?m |i am )?(?:so |very |really )?sorry\b[^.!?\n]{0,60}?\bbut\b",
    r"^i (?:must )?apologi[sz]e\b[^.!?\n]{0,60}?\bbut\b",
    r"^(?:很|非常)?(?:抱歉|对不起|對不起)[^。！？\n]{0,30}?(?:但|不过|不過)",
    r"^(?:je suis |je suis vraiment )?désolée?\b[^.!?\n]{0,60}?\bmais\b",
    r"^(?:es )?tut mir (?:sehr )?leid\b[^.!?\n]{0,60}?\baber\b",
    r"^lo siento\b[^.!?\n]{0,60}?\bpero\b",
    r"^(?:mi )?dispiace\b[^.!?\n]{0,60}?\bma\b",
    r"^(?:desculpe|sinto muito)\b[^.!?\n]{0,60}?\bmas\b",
    r"^(?:извините|простите|к сожалению)[^.!?\n]{0,60}?\bно\b",
    r"^(?:申し訳|すみません|ごめんなさい)[^。！？\n]{0,40}?(?:が|けど|けれど)",
    r"^(?:죄송|미안)[^.!?\n]{0,40}?(?:지만|만)",
    r"^(?:آسف|عذرا|عذراً|معذرة)[^.!?\n]{0,60}?(?:لكن|ولكن)",
    r"^xin lỗi[^.!?\n]{0,60}?\bnhưng\b",
    r"^(?:ขอโทษ|ขออภัย)[^.!?\n]{0,60}?แต่",
    r"^(?:मुझे )?(?:खेद|माफ़|माफ)[^.!?\n।]{0,60}?(?:लेकिन|परंतु|किन्तु)",
    r"^(?:দুঃখিত|ক্ষমা)[^.!?\n।]{0,60}?(?:কিন্তু|তবে)",
    r"^samahani[^.!?\n]{0,60}?\blakini\b",
)
# A translator speaking of itself ("as a translator", "I'm a professional translator",
# "I cannot translate"), in English and the source languages chat models fall back to.
SELF_REFERENCE = (
    r"\b(?:i'?m|i am|as) an? (?:\w+ )?translator\b",
    r"\bi (?:can ?not|can't|won't|will not|am unable to|'m unable to|am not able to|"
    r"'m not able to|must decline to|refuse to) (?:\w+ )?translat",
    r"(?:我是|作为)(?:一名|一个|一位)?(?:专业的?)?(?:翻译|译者)",
    r"(?:我)?(?:无法|不能|不可以|拒绝)(?:为你|为您)?(?:翻译|翻譯)",
)


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split()).casefold()


_APOLOGY = re.compile("|".join(APOLOGY_BUT))
_SELF = re.compile("|".join(SELF_REFERENCE))


def translator_refusal(answer: str, source_text: str) -> str | None:
    """The phrase of ``answer`` that speaks about translating instead of translating, if any
    (phrases the source text itself contains do not count)."""
    norm, src = _norm(answer), _norm(source_text)
    for pattern in (_SELF, _APOLOGY):
        found = pattern.search(norm)
        if found and not pattern.search(src):
            return found.group(0)
    return None


def _lexicon_refusal(text: str, lang: str) -> str | None:
    """The refusal detector's phrase in ``text``, if it finds one."""
    from mseed_multilingual.detect.refusal import detect

    found = detect(text, lang)
    return found.phrase if found.refused else None


def refusal(answer: str, text: str, source: str, target: str) -> str | None:
    """The refusing phrase of ``answer`` (a translation of ``text``), if any."""
    if phrase := translator_refusal(answer, text):
        return phrase
    phrase = _lexicon_refusal(answer, target)
    return phrase if phrase and not _lexicon_refusal(text, source) else None


def wrong_language(answer: str, source: str, target: str) -> str | None:
    """The language ``answer`` is detected in when that is not ``target`` (None: target, or
    undecidable, or a target the language-ID module cannot tell from its neighbours)."""
    from mseed_multilingual.detect.langid import detect_language, fidelity

    verdict = fidelity(answer, target)
    if verdict == 1.0:
        return None
    found = detect_language(answer)
    if verdict == 0.0:
        return found
    if found == source and _script(source) != _script(target):
        return found
    return None


def _script(lang: str) -> str | None:
    from mseed_multilingual.core.languages import languages

    entry = languages().get(lang)
    return entry.script if entry else None


def check_answer(text: str, answer: str, source: str, target: str) -> dict[str, Any]:
    """``ok`` with the translation, or ``failed`` with the reason and the answer as given."""
    answer = answer.strip()
    reason = None
    if not answer:
        reason = "empty"
    elif _norm(answer) == _norm(text):
        reason = "unchanged"
    elif phrase := refusal(answer, text, source, target):
        reason = f"refused ({phrase!r})"
    elif found := wrong_language(answer, source, target):
        reason = f"wrong language ({found!r}, not {target!r})"
    if reason:
        return {"status": "failed", "translation": None, "reason": reason, "answer": answer}
    return {"status": "ok", "translation": answer, "reason": None}


def failure_kind(reason: str | None) -> str:
    """The rule a failure reason comes from: empty, unchanged, refused, wrong language, error."""
    if not reason:
        return "none"
    for kind in ("empty", "unchanged", "refused", "wrong language"):
        if reason.startswith(kind):
            return kind
    return "error"
