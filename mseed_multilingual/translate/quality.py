"""How good is each language's translation: round-trip chrF/BLEU, language ID, length ratio.

There is no reference translation for MSEED, so the translation is sent back into the source
language and compared with the source text (round trip). chrF works on characters and suits
every script; BLEU needs a tokenizer that fits the source language (``zh`` for Chinese,
characters for Japanese, Korean and Thai, ``13a`` otherwise). Each translation is also checked
to be in the target language (``mseed_multilingual.detect.langid``) and its length compared with the
language's median length ratio (a translation much shorter or longer than its peers is often
truncated or padded with commentary). Items under a threshold go to the review file.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

QUALITY_VERSION = "mseed-translate-quality/1"
CHRF_REVIEW = 40.0  # round-trip chrF (0-100) below this sends an item to review
LENGTH_BAND = (0.5, 2.0)  # item length ratio / language median outside this: review
BLEU_TOKENIZE = {"zh": "zh", "ja": "char", "ko": "char", "th": "char"}
DEFAULT_BLEU_TOKENIZE = "13a"
DIGITS = 4  # scores are rounded so reports are byte-identical across platforms

Detector = Callable[[str], "str | None"]


def bleu_tokenize(lang: str) -> str:
    return BLEU_TOKENIZE.get(lang, DEFAULT_BLEU_TOKENIZE)


def language_detector() -> Detector | None:
    """``langid.detect_language`` when the module is there (None: the check is skipped)."""
    try:
        from mseed_multilingual.detect.langid import detect_language
    except ImportError:
        return None
    return detect_language


@dataclass
class ItemQuality:
    """The quality of one translated item (``back`` is its round trip, if one was made)."""

    id: str
    lang: str
    length_ratio: float
    detected: str | None = None
    chrf: float | None = None
    bleu: float | None = None
    back: str | None = None
    review: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "lang": self.lang, "chrf": self.chrf, "bleu": self.bleu,
                "detected_lang": self.detected, "length_ratio": self.length_ratio,
                "back_translation": self.back, "review": self.review}


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), DIGITS)


def score_items(ids: Sequence[str], sources: Sequence[str], translations: Sequence[str],
                backs: Sequence[str | None], source_lang: str, target_lang: str,
                detect: Detector | None) -> list[ItemQuality]:
    """Per-item scores and review reasons for one language."""
    from sacrebleu.metrics import BLEU, CHRF

    chrf = CHRF()
    bleu = BLEU(tokenize=bleu_tokenize(source_lang), effective_order=True)
    items = []
    for rid, src, tr, back in zip(ids, sources, translations, backs, strict=True):
        item = ItemQuality(rid, target_lang, _r(len(tr) / max(1, len(src))) or 0.0,
                           detected=detect(tr) if detect else None, back=back)
        if back is not None:
            item.chrf = _r(chrf.sentence_score(back, [src]).score)
            item.bleu = _r(bleu.sentence_score(back, [src]).score)
        items.append(item)
    _flag(items, target_lang)
    return items


def _flag(items: list[ItemQuality], target_lang: str) -> None:
    """Add the review reasons (thresholds are module constants)."""
    median = statistics.median([i.length_ratio for i in items]) if items else 0.0
    low, high = LENGTH_BAND
    for item in items:
        if item.chrf is not None and item.chrf < CHRF_REVIEW:
            item.review.append(f"roundtrip chrF {item.chrf:g} < {CHRF_REVIEW:g}")
        if item.detected is not None and item.detected != target_lang:
            item.review.append(f"language detected as {item.detected!r}, not {target_lang!r}")
        if median and not low <= item.length_ratio / median <= high:
            item.review.append(f"length ratio {item.length_ratio:g} is outside "
                               f"{low:g}-{high:g}x the language median {median:g}")


def summarize(items: Sequence[ItemQuality], sources: dict[str, str], failed: int,
              source_lang: str, off_target: int = 0,
              language_checked: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """The manifest's per-language quality block and the sacrebleu signatures used.

    ``langid_share`` is the one language-ID figure of a language (the quality gate reads it
    from here): answers detected in the target language among *every* forward answer whose
    language was checked, i.e. the written translations with a detected language plus the
    ``off_target`` answers that were rejected as another language or as the source handed back
    unchanged. Counting only the written ones would give about 1.0 by construction (the
    rejected ones are never written); ``langid_checked`` is the denominator. None when
    language ID did not run (``language_checked`` False) or nothing could be checked."""
    from sacrebleu.metrics import BLEU, CHRF

    pairs = [(i.back, sources[i.id]) for i in items if i.back is not None]
    out: dict[str, Any] = {"n": len(items), "roundtrip_n": len(pairs), "chrf": None,
                           "bleu": None, "failed": failed,
                           "review": sum(1 for i in items if i.review)}
    sigs: dict[str, str] = {}
    if pairs:
        hyps, refs = [p[0] for p in pairs], [[p[1] for p in pairs]]
        chrf, bleu = CHRF(), BLEU(tokenize=bleu_tokenize(source_lang))
        out["chrf"] = _r(chrf.corpus_score(hyps, refs).score)
        out["bleu"] = _r(bleu.corpus_score(hyps, refs).score)
        sigs = {"chrf": str(chrf.get_signature()), "bleu": str(bleu.get_signature())}
    checked = [i for i in items if i.detected is not None]
    denominator = len(checked) + off_target if language_checked else 0
    out["langid_checked"] = denominator
    out["langid_share"] = (_r(sum(i.detected == i.lang for i in checked) / denominator)
                           if denominator else None)
    out["length_ratio"] = _r(statistics.median([i.length_ratio for i in items])) if items \
        else None
    return out, sigs
