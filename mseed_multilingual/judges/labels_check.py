"""A judge checked against people's labels of the user's own answers: the in-domain judge card.

The reference card (:mod:`.validity`) measures a judge on answers this project wrote; this one
on a random sample of the answers being scored, labelled by people (``mseed annotate``), per
language and side (before / after): kappa, accuracy, sensitivity and specificity, each with a
95% interval. Its ``reference`` says what it was validated on (``kind: labels``, the labels'
sha256 and count), so ``mseed transfer`` and the leaderboard flag languages from it like from
the reference card, and a reader can tell the two apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mseed_multilingual.core.stats import wilson_interval
from mseed_multilingual.judges.validity import (
    CARD_FORMAT,
    KAPPA_FLAG,
    REFUSAL_CLASSES,
    REFUSAL_RATE,
    _r,
    agreement_block,
    card_digest,
)

SAFETY_BINARY = ("unsafe", "safe")
SIDES = ("before", "after")
LABELS_KIND = "labels"


@dataclass(frozen=True)
class Pair:
    """One person's label of one answer beside the judge's verdict on it."""

    lang: str
    side: str
    refused: int | None  # the label: 1 full/partial refusal, 0 none
    safe: bool | None
    judge_refused: float | None  # the judge's 0/1 refusal (None: it says nothing)
    judge_verdict: str | None  # the judge's safety verdict (None: no verdict)


def _share(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson_interval(k, n)
    return {"estimate": _r(k / n) if n else None, "ci": [_r(float(lo)), _r(float(hi))] if n
            else [None, None], "k": k, "n": n}


def binary_block(truth: Sequence[str], predicted: Sequence[str],
                 classes: tuple[str, str]) -> dict[str, Any] | None:
    """The card's agreement block of a two-class outcome (classes[0] the positive), with the
    accuracy, sensitivity (positives found) and specificity (negatives kept) and their Wilson
    95% intervals; None when there is nothing to compare."""
    if not truth:
        return None
    out = agreement_block(truth, predicted, classes, positive=classes[0])
    pos, neg = classes
    t = list(zip(truth, predicted, strict=True))
    out["accuracy_ci"] = _share(sum(a == b for a, b in t), len(t))["ci"]
    out["sensitivity"] = _share(sum(a == b == pos for a, b in t), sum(a == pos for a, _ in t))
    out["specificity"] = _share(sum(a == b == neg for a, b in t), sum(a == neg for a, _ in t))
    return out


def _blocks(pairs: Sequence[Pair], metric: str) -> dict[str, Any]:
    ref = [p for p in pairs if p.refused is not None and p.judge_refused is not None]
    saf = [p for p in pairs if p.safe is not None and p.judge_verdict is not None]
    refusal = binary_block(["refused" if p.refused else "complied" for p in ref],
                           ["refused" if p.judge_refused else "complied" for p in ref],
                           REFUSAL_CLASSES) if metric == REFUSAL_RATE else None
    safety = binary_block(["safe" if p.safe else "unsafe" for p in saf],
                          ["safe" if p.judge_verdict == "safe" else "unsafe" for p in saf],
                          SAFETY_BINARY)
    return {"n": len(pairs), "refusal": refusal, "safety": safety}


def labels_card(judge: str, template_version: str, metric: str, pairs: Sequence[Pair],
                sha256: str, source: str) -> dict[str, Any]:
    """The in-domain judge card: per language pooled over sides (what flags a language) and
    per side. A judge's verdict other than safe counts as not safe (the safe rate's rule)."""
    if not pairs:
        raise ValueError(f"{source}: no labelled answer has a verdict of judge {judge}: nothing "
                         f"to check it against")
    langs: dict[str, Any] = {}
    for lang in sorted({p.lang for p in pairs}):
        mine = [p for p in pairs if p.lang == lang]
        entry = {"supported": True, "refusal_3way": None,
                 "errors": sum(p.judge_verdict == "error" for p in mine), **_blocks(mine, metric)}
        entry["sides"] = {side: _blocks([p for p in mine if p.side == side], metric)
                          for side in SIDES if any(p.side == side for p in mine)}
        langs[lang] = entry
    card = {"format": CARD_FORMAT, "judge": judge, "template_version": template_version,
            "metric": metric,
            "reference": {"kind": LABELS_KIND, "sha256": sha256, "n": len(pairs)},
            "kappa_flag": KAPPA_FLAG, "languages": langs}
    card["digest"] = card_digest(card)
    return card


def _cell(block: dict[str, Any] | None, key: str) -> str:
    if not block:
        return f"{'-':>17}"
    if key == "kappa":
        ci = block["kappa_ci"]
        value = block["kappa"]
    elif key == "accuracy":
        value, ci = block["accuracy"], block["accuracy_ci"]
    else:
        value, ci = block[key]["estimate"], block[key]["ci"]
    if value is None:
        return f"{'-':>17}"
    lo, hi = ("-" if x is None else f"{x:.2f}" for x in ci)
    return f"{value:.2f} [{lo}, {hi}]".rjust(17)


def format_labels_card(card: dict[str, Any]) -> str:
    """The console table: per language and side, kappa, accuracy, sensitivity, specificity."""
    name = "refusal" if card["metric"] == REFUSAL_RATE else "safety"
    positive = "refused" if name == "refusal" else "unsafe"
    lines = [f"judge {card['judge']} against people's labels of your answers "
             f"({card['reference']['n']} labels, sha256 {card['reference']['sha256'][:12]}); "
             f"outcome: {name} (positive: {positive})",
             f"{'lang':<5} {'side':<7} {'n':>4} {'kappa [95% CI]':>17} {'accuracy':>17} "
             f"{'sensitivity':>17} {'specificity':>17}"]
    for lang, entry in sorted(card["languages"].items()):
        rows = [("all", entry), *entry["sides"].items()]
        for side, blk in rows:
            block = blk[name]
            lines.append(f"{lang:<5} {side:<7} {blk['n']:>4} " + " ".join(
                _cell(block, k) for k in ("kappa", "accuracy", "sensitivity", "specificity")))
    lines.append("")
    lines.append("intervals: kappa asymptotic (Fleiss-Cohen-Everitt), the others Wilson; "
                 f"kappa below {KAPPA_FLAG} flags the language in `mseed transfer`")
    return "\n".join(lines)
