"""The quality gate: each translated language is ``ok``, ``review`` or ``failed``.

A language's scores are compared with per-metric thresholds (module constants; docs/translate.md
says why each value). ``failed`` means the set must not be evaluated in that language as it
is: ``mseed run --data`` and the lm-eval task loader refuse it, naming the metric and the
threshold, unless the user passes ``--allow-low-quality`` (``--metadata
mseed_allow_low_quality=true``), which the run's results record. ``review`` means "look at
``_review.jsonl`` before you publish"; a metric that could not be measured (no round trip, no
language-ID model) is named in the reasons, never counted as passed silently.

The metrics, all over the language's forward answers (refused and wrong-language answers are
never written, so the shares must count them):

* ``langid_share``: answers detected as the target language among those a language could be
  detected for (wrong-language and unchanged answers count against it); computed once, in
  :func:`.quality.summarize`, and the same number as the manifest's ``quality.langid_share``;
* ``refusal_share``: answers that refused or talked about translating instead;
* ``chrf``: corpus round-trip chrF of the written translations (0-100);
* ``length_outlier_share``: written translations whose length ratio is outside
  :data:`.quality.LENGTH_BAND` times the language median.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

GATE_VERSION = "mseed-translate-gate/1"
OK, REVIEW, FAILED = "ok", "review", "failed"
NOT_MEASURED = "not measured"  # how a metric without a value is shown: never as 0 or a blank

# (review when worse than this, failed when worse than this), per metric; see docs/translate.md
LANGID_SHARE = (0.95, 0.80)  # higher is better
REFUSAL_SHARE = (0.0, 0.05)  # lower is better
ROUNDTRIP_CHRF = (40.0, 25.0)  # higher is better
LENGTH_OUTLIER_SHARE = (0.10, 0.25)  # lower is better
ALLOW_METADATA_KEY = "mseed_allow_low_quality"
ALLOW_FLAG = "--allow-low-quality"


@dataclass(frozen=True)
class Threshold:
    metric: str
    label: str
    review: float
    failed: float
    higher_is_better: bool

    def status(self, value: float) -> str:
        worse = (lambda x, t: x < t) if self.higher_is_better else (lambda x, t: x > t)
        if worse(value, self.failed):
            return FAILED
        return REVIEW if worse(value, self.review) else OK

    def reason(self, value: float, status: str) -> str:
        limit = self.failed if status == FAILED else self.review
        op = "<" if self.higher_is_better else ">"
        return f"{self.label} {value:g} {op} {limit:g}"


THRESHOLDS = (
    Threshold("langid_share", "language-ID share", *LANGID_SHARE, higher_is_better=True),
    Threshold("refusal_share", "translator-refusal share", *REFUSAL_SHARE,
              higher_is_better=False),
    Threshold("chrf", "round-trip chrF", *ROUNDTRIP_CHRF, higher_is_better=True),
    Threshold("length_outlier_share", "length-ratio outlier share", *LENGTH_OUTLIER_SHARE,
              higher_is_better=False),
)


def settings() -> dict[str, Any]:
    """The thresholds as the manifest records them."""
    return {"version": GATE_VERSION,
            **{t.metric: {"review": t.review, "failed": t.failed,
                          "higher_is_better": t.higher_is_better} for t in THRESHOLDS}}


def judge(metrics: dict[str, float | None], written: int,
          unmeasured: dict[str, str] | None = None,
          partial: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"status", "reasons"}`` for one language from its gate metrics. A metric that is None
    was not measured: that is a reason to review (``unmeasured`` says why, per metric), never a
    score of 0 and never a failure by itself. A metric measured on only part of the answers
    (``partial`` says on how many, per metric) is a reason to review too: a chrF over the few
    round trips that came back says nothing of the others."""
    status, reasons = (OK, []) if written else (FAILED, ["no translation written"])
    rank = {OK: 0, REVIEW: 1, FAILED: 2}
    for t in THRESHOLDS:
        value = metrics.get(t.metric)
        if value is None:
            why = (unmeasured or {}).get(t.metric)
            reasons.append(f"{t.label} {NOT_MEASURED}" + (f" ({why})" if why else ""))
            status = max(status, REVIEW, key=rank.__getitem__)
            continue
        if t.metric in (partial or {}):
            reasons.append(f"{t.label} {value:g} {partial[t.metric]} (review)")
            status = max(status, REVIEW, key=rank.__getitem__)
        verdict = t.status(value)
        if verdict != OK:
            reasons.append(t.reason(value, verdict) + f" ({verdict})")
            status = max(status, verdict, key=rank.__getitem__)
    return {"status": status, "reasons": reasons}


# --- using a set ------------------------------------------------------------------------------


def manifest_entry(data: str | Path, lang: str) -> dict[str, Any] | None:
    """The manifest's entry for ``lang`` when ``data`` is a translation-set folder with one."""
    from mseed_multilingual.core.io import read_json

    path = Path(data) / "manifest.json"
    if not path.is_file():
        return None
    manifest = read_json(path, "translation manifest")
    entry = (manifest.get("languages") or {}).get(lang) if isinstance(manifest, dict) else None
    return entry if isinstance(entry, dict) else None


def refusal(data: str | Path, lang: str) -> str | None:
    """The one-line reason a failed language may not be used (the manifest is named by the
    caller), or None when it may."""
    entry = manifest_entry(data, lang)
    gate = (entry or {}).get("gate")
    if not isinstance(gate, dict) or gate.get("status") != FAILED:
        return None
    reasons = [r for r in gate.get("reasons") or [] if r.endswith(f"({FAILED})")] or \
        list(gate.get("reasons") or [])
    why = "; ".join(r.removesuffix(f" ({FAILED})") for r in reasons)
    return (f"language {lang!r} failed the translation quality gate: {why}; fix or review the "
            f"translation, or pass {ALLOW_FLAG} to evaluate it anyway")


def truthy(value: Any) -> bool:
    """A metadata flag as lm-eval passes it (a bool, or a string from the command line)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
